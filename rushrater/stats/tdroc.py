"""Cumulative/dynamic time-dependent ROC and AUC with inverse-probability-of-censoring weights.

At time t, cases are patients with the event by t (T <= t, event), controls those still
event-free after t (T > t); patients censored before t get weight 0, the others 1/G(T-)
(cases) and 1/G(t) (controls), G the Kaplan–Meier estimate of the censoring distribution
(marginal weights). AUC(t) = sum of weighted case/control pairs ordered by the marker (ties
1/2) / (sum of case weights x sum of control weights) — Uno 2007, Hung & Chiang 2010, Blanche
et al. 2013 (``timeROC(T, delta, marker, cause = 1, weighting = "marginal", times)``).

The SE is riskRegression's (``Score(list(m = cbind(marker, ...)), Hist(time, event) ~ 1,
data, times, metrics = "auc", cens.model = "km")``): the standard deviation of the influence
function / sqrt(n), the influence function including the term for the estimated
Kaplan–Meier censoring weights; the 95% CI is AUC +- 1.96 SE cut to [0, 1], as Score prints.
No Python package computes this (scikit-survival's cumulative_dynamic_auc has no SE).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from ._surv import BoolArray, FloatArray, require_events, step, survival_data


@dataclass
class AucAtTime:
    t: float
    auc: float
    se: float
    ci_low: float
    ci_high: float
    cases: int
    controls: int
    censored_before: int


@dataclass
class TdRocResult:
    times: list[AucAtTime]
    roc: pd.DataFrame  # t, threshold, tpr, fpr (one row per distinct marker value, plus (0, 0))
    marker: str
    n: int
    events: int
    warnings: list[str]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(a) for a in self.times])

    def to_json(self) -> dict[str, Any]:
        return {"marker": self.marker, "n": self.n, "events": self.events,
                "times": [{"t": a.t, "auc": a.auc, "ci_low": a.ci_low, "ci_high": a.ci_high, "se": a.se,
                           "cases": a.cases, "controls": a.controls} for a in self.times],
                "warnings": list(self.warnings)}


def _censoring_km(time: FloatArray, event: BoolArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Censoring KM (censorings are the 'events'; at a tie the event comes first, as prodlim).

    Returns the unique times, G(t) just after each, the number at risk there and
    C(s) = sum_{u <= s} n dN_c(u) / Y(u)^2 (the compensator part of the KM influence function).
    """
    n = time.size
    times, inverse = np.unique(time, return_inverse=True)
    all_at_risk = np.cumsum(np.bincount(inverse, minlength=times.size)[::-1])[::-1].astype(float)
    deaths = np.bincount(inverse, weights=event.astype(float), minlength=times.size)
    cens = np.bincount(inverse, weights=(~event).astype(float), minlength=times.size)
    # prodlim(reverse = TRUE): a patient with the event at u is no longer at risk of censoring at u
    at_risk = all_at_risk - deaths
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.cumprod(np.where(at_risk > 0, 1.0 - cens / np.where(at_risk > 0, at_risk, 1.0), 1.0))
        # riskRegression's influence term (getInfluenceFunctionKM) counts everyone with T >= u at risk
        comp = np.cumsum(n * cens / all_at_risk**2)
    return np.asarray(times, dtype=float), np.asarray(g, dtype=float), all_at_risk, np.asarray(comp, dtype=float)


def _auc_one_time(time: FloatArray, event: BoolArray, marker: FloatArray, t: float,
                  ckm: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
                  full: bool = True) -> tuple[float, float, pd.DataFrame, int, int]:
    n = time.size
    utimes, g, at_risk, comp = ckm
    case = (time <= t) & event
    control = time > t
    g_minus = step(utimes, g, time, left=True)
    g_t = float(step(utimes, g, np.array([t]))[0])
    if g_t <= 0:  # everyone still followed at t was censored by then: no control weights exist
        return math.nan, math.nan, pd.DataFrame(), int(((time <= t) & event).sum()), 0
    w = np.where(case, 1.0 / np.where(case, g_minus, 1.0), 0.0) + np.where(control, 1.0 / g_t, 0.0)
    n_case, n_control = int(case.sum()), int(control.sum())
    if n_case == 0 or n_control == 0:
        return math.nan, math.nan, pd.DataFrame(), n_case, n_control
    mu1, mu2 = w[case].sum(), w[control].sum()
    # pair sums by marker: h(i, j) = w_i w_j (I(M_i > M_j) + I(M_i = M_j) / 2)
    cm = np.sort(marker[control])
    order_c = np.argsort(marker[control], kind="stable")
    cw = w[control][order_c]
    cw_cum = np.concatenate([[0.0], np.cumsum(cw)])
    lo = np.searchsorted(cm, marker, side="left")
    hi = np.searchsorted(cm, marker, side="right")
    h_case = cw_cum[lo] + 0.5 * (cw_cum[hi] - cw_cum[lo])  # for each row: control weight below its marker
    km_case = np.sort(marker[case])
    order_k = np.argsort(marker[case], kind="stable")
    kw = w[case][order_k]
    kw_cum = np.concatenate([[0.0], np.cumsum(kw)])
    lo2 = np.searchsorted(km_case, marker, side="right")
    hi2 = np.searchsorted(km_case, marker, side="left")
    h_ctrl = (kw_cum[-1] - kw_cum[lo2]) + 0.5 * (kw_cum[lo2] - kw_cum[hi2])  # case weight above
    pair_case = np.where(case, w * h_case, 0.0)  # sum_j h(i, j) for case i
    pair_ctrl = np.where(control, w * h_ctrl, 0.0)  # sum_i h(i, j) for control j
    phi_sum = pair_case.sum()
    auc = float(phi_sum / (mu1 * mu2))
    if not full:  # the AUC alone (bootstrap replicates)
        return auc, math.nan, pd.DataFrame(), n_case, n_control
    # influence function (scaled so that se = sd / sqrt(n)), G fixed
    mu1n, mu2n, phin = mu1 / n, mu2 / n, phi_sum / n**2
    mu = mu1n * mu2n
    d_phi = (pair_case + pair_ctrl) / n
    d_mu1 = np.where(case, w, 0.0)
    d_mu2 = np.where(control, w, 0.0)
    # the estimated censoring weights: d(1/G(s)) = (1/G(s)) f_k(s), f_k(s) = int_0^s dM_k^c / y
    # f_k(s) = n I(censored_k, T_k <= s) / Y(T_k) - C(min(s, T_k)); T_i- for cases, t for controls
    k_pos = np.searchsorted(utimes, time)  # index of each row's own time
    comp_k = comp[k_pos]
    cens_k = ~event
    jump_k = np.where(cens_k, n / at_risk[k_pos], 0.0)

    def weighted_f(a: FloatArray, s_index_left: bool) -> FloatArray:
        """sum_i a_i f_k(T_i-) for every k (a nonzero on cases only)."""
        sel = np.flatnonzero(a)
        ti, ai = time[sel], a[sel]
        order = np.argsort(ti, kind="stable")
        ti, ai = ti[order], ai[order]
        c_before = step(utimes, comp, ti, left=True, start=0.0)  # C(T_i-)
        cum_a = np.concatenate([[0.0], np.cumsum(ai)])
        cum_ac = np.concatenate([[0.0], np.cumsum(ai * c_before)])
        above = np.searchsorted(ti, time, side="right")  # i with T_i <= T_k: [0, above)
        sum_after = cum_a[-1] - cum_a[above]  # i with T_i > T_k
        return np.asarray(jump_k * sum_after - comp_k * sum_after - cum_ac[above], dtype=float)

    c_t = float(step(utimes, comp, np.array([t]), start=0.0)[0])
    f_t = np.where(cens_k & (time <= t), n / at_risk[k_pos], 0.0) - np.minimum(comp_k, c_t) * (time <= t) \
        - c_t * (time > t)
    d_phi_c = (weighted_f(pair_case, True) + f_t * phi_sum) / n**2
    d_mu1_c = weighted_f(d_mu1, True) / n
    d_mu2_c = f_t * mu2n
    infl = (d_phi + d_phi_c) / mu - phin * (mu2n * (d_mu1 + d_mu1_c) + mu1n * (d_mu2 + d_mu2_c)) / mu**2
    se = float(np.std(infl, ddof=1) / math.sqrt(n))
    # ROC curve: thresholds from high to low
    thresholds = np.unique(marker)[::-1]
    tp = _cum_by_threshold(marker, np.where(case, w, 0.0), thresholds) / mu1
    fp = _cum_by_threshold(marker, np.where(control, w, 0.0), thresholds) / mu2
    roc = pd.DataFrame({"t": t, "threshold": np.concatenate([[np.inf], thresholds]),
                        "tpr": np.concatenate([[0.0], tp]), "fpr": np.concatenate([[0.0], fp])})
    return auc, se, roc, n_case, n_control


def _cum_by_threshold(marker: FloatArray, weights: FloatArray, thresholds: FloatArray) -> FloatArray:
    order = np.argsort(-marker, kind="stable")
    cum = np.cumsum(weights[order])
    counts = np.searchsorted(-marker[order], -thresholds, side="right")
    return np.asarray(np.where(counts > 0, cum[np.maximum(counts - 1, 0)], 0.0), dtype=float)


def td_auc(data: pd.DataFrame, time: str, event: str, marker: str, times: list[float], *,
           confidence: float = 0.95) -> TdRocResult:
    """Time-dependent AUC(t) of ``marker`` (higher = more risk) at each of ``times``.

    R: ``Score(list(m = cbind(d$m, d$m, d$m)), Hist(time, event) ~ 1, data = d, times = c(1, 3, 6),
    metrics = "auc", cens.model = "km", null.model = FALSE)$AUC$score``.
    A time with no cases or no controls gives NaN, stated in ``warnings``.
    """
    d = survival_data(data, time, event, (), extra=[marker])
    require_events(d, "time-dependent AUC")
    m = d.x[:, 0]
    ckm = _censoring_km(d.time, d.event)
    z = float(sps.norm.ppf(0.5 + confidence / 2))
    out, rocs, warnings = [], [], list(d.warnings)
    for t in times:
        auc, se, roc, n_case, n_control = _auc_one_time(d.time, d.event, m, float(t), ckm)
        censored_before = int(((d.time <= t) & ~d.event).sum())
        if math.isnan(auc):
            warnings.append(f"AUC at t = {t:g} is undefined (NaN): {n_case} cases and {n_control} controls")
            lo = hi = math.nan
        else:
            lo, hi = max(0.0, auc - z * se), min(1.0, auc + z * se)
        out.append(AucAtTime(float(t), auc, se, lo, hi, n_case, n_control, censored_before))
        rocs.append(roc)
    roc_all = pd.concat(rocs, ignore_index=True) if rocs else pd.DataFrame()
    return TdRocResult(out, roc_all, marker, d.n, d.events, warnings)


def auc_at(time: FloatArray, event: BoolArray, markers: list[FloatArray], times: list[float]) -> FloatArray:
    """AUC(t) of each marker (rows) at each time (columns) on arrays, no checks and no SE:
    for bootstrap loops (one censoring KM shared by all)."""
    ckm = _censoring_km(time, event)
    return np.array([[_auc_one_time(time, event, m, float(t), ckm, full=False)[0] for t in times] for m in markers])


def roc_figure(result: TdRocResult) -> Any:
    """ROC curves at each time (matplotlib Figure), AUC with CI in the legend."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.6, 4.4), layout="constrained")
    ax = fig.subplots()
    for i, a in enumerate(result.times):
        r = result.roc[result.roc["t"] == a.t]
        if r.empty:
            continue
        ax.step(r["fpr"], r["tpr"], where="post", color=f"C{i}",
                label=f"t = {a.t:g}: AUC {a.auc:.3f} ({a.ci_low:.3f}–{a.ci_high:.3f})")
    ax.plot([0, 1], [0, 1], color="0.7", linestyle=":")
    ax.set_xlabel("1 - specificity (false-positive fraction)")
    ax.set_ylabel("sensitivity (true-positive fraction)")
    ax.set_title(f"Time-dependent ROC of {result.marker}")
    ax.legend(loc="lower right", fontsize=8)
    return fig
