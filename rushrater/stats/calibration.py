"""Calibration of a Cox model's predicted survival at a chosen time.

* :func:`group_km` — ``rms::groupkm(x, Surv(time, event), u, cuts)``: patients grouped by
  predicted survival (``cut2`` intervals [a, b)), mean predicted vs Kaplan–Meier observed.
* :func:`calibrate` — ``rms::calibrate(cph(..., x = TRUE, y = TRUE, surv = TRUE, time.inc = u),
  cmethod = "KM", method = "boot", u = u, m = m, B = B)``: the same groups (cuts at quantiles of
  c(0, 1, predicted) with floor(n / m) groups), and a bootstrap estimate of the optimism of
  observed - predicted in each group; ``km_corrected = km - optimism``. Resampling uses a
  seeded numpy Generator (recorded in the result), so the same seed gives the same numbers;
  R's random numbers cannot be reproduced, so bootstrap results agree with R only within
  Monte-Carlo error while the apparent (non-bootstrap) columns agree exactly.
* :func:`calibration_summary` — calibration slope (the coefficient of the linear predictor in
  ``coxph(Surv(time, event) ~ lp)``, 1 = ideal), calibration-in-the-large at u (Crowson et al.
  2016: log(observed / expected events) with follow-up truncated at u, 0 = ideal) and ICI,
  E50, E90 (Austin, Harrell & van Klaveren, Stat Med 2020: observed risk from
  ``cph(Surv(time, event) ~ rcs(log(-log(S_pred(u))), 3))``, ICI = mean |predicted - observed|).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._surv import BoolArray, FloatArray, require_events, survival_data
from .cox import LeanFit, cox_fit, fit_lean

GROUP_COLUMNS = ("group", "n", "events", "mean_predicted", "km", "std_err")


def _km_at(time: FloatArray, event: BoolArray, u: float) -> tuple[float, float]:
    """KM S(u) and survfit's std.err (of -log S, Greenwood) as groupkm reads them."""
    times, inverse = np.unique(time, return_inverse=True)
    deaths = np.bincount(inverse, weights=event.astype(float), minlength=times.size)
    at_risk = np.cumsum(np.bincount(inverse, minlength=times.size)[::-1])[::-1].astype(float)
    surv = np.cumprod(1.0 - deaths / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.cumsum(np.where(at_risk > deaths, deaths / (at_risk * (at_risk - deaths)), np.inf * (deaths > 0)))
    se = np.sqrt(var)
    keep = times <= u + 1e-6
    if u > times[-1] + 1e-6 and surv[-1] > 0:
        return math.nan, math.nan
    if not keep.any():
        return 1.0, 0.0
    last = int(np.flatnonzero(keep)[-1])
    return float(surv[last]), float(se[last])


def calibration_cuts(predicted: FloatArray, m: int) -> FloatArray:
    """calibrate.cph's cuts: unique(quantile(c(0, 1, predicted), seq(0, 1, length = g + 1)))."""
    g = max(1, predicted.size // m)
    return np.unique(np.quantile(np.concatenate([[0.0, 1.0], predicted]), np.linspace(0, 1, g + 1)))


def _groups(x: FloatArray, cuts: FloatArray) -> np.ndarray:
    x = np.where(np.abs(x) < 1e-10, 0.0, x)
    return np.clip(np.searchsorted(cuts, x, side="right") - 1, 0, max(cuts.size - 2, 0))


def group_km(predicted: FloatArray, time: FloatArray, event: BoolArray, u: float, cuts: FloatArray) -> pd.DataFrame:
    """``groupkm(predicted, Surv(time, event), u = u, cuts = cuts)`` as a tidy table."""
    q = _groups(predicted, cuts)
    rows = []
    for i in range(max(cuts.size - 1, 1)):
        s = q == i
        nobs = int(s.sum())
        if nobs < 2:
            rows.append((i + 1, 0, 0, float(predicted[s].mean()) if nobs == 1 else math.nan, math.nan, math.nan))
            continue
        k, se = _km_at(time[s], event[s], u)
        rows.append((i + 1, nobs, int(event[s].sum()), float(predicted[s].mean()), k, se))
    return pd.DataFrame(rows, columns=list(GROUP_COLUMNS))


def _distance(fit: LeanFit, x: FloatArray, time: FloatArray, event: BoolArray, u: float, cuts: FloatArray) -> FloatArray:
    if event.sum() < 5:  # calibrate.cph's distance(): too few events to say anything
        return np.full(cuts.size - 1, np.nan)
    table = group_km(fit.survival_at(x, u), time, event, u, cuts)
    return np.asarray(table["km"].to_numpy(float) - table["mean_predicted"].to_numpy(float), dtype=float)


@dataclass
class CalibrationResult:
    """Calibration at time ``u``: groups (apparent and bootstrap-corrected) and summaries."""

    u: float
    groups: pd.DataFrame  # GROUP_COLUMNS + optimism, km_corrected, n_boot
    summary: dict[str, float]
    B: int
    seed: int | None
    n: int
    events: int
    curve: pd.DataFrame = field(default_factory=pd.DataFrame)  # predicted risk -> observed risk (ICI model)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"u": self.u, "n": self.n, "events": self.events, "B": self.B, "seed": self.seed,
                "groups": self.groups.to_dict(orient="records"), **self.summary, "warnings": list(self.warnings)}


def _rcs_basis(x: FloatArray, knots: FloatArray) -> FloatArray:
    """Harrell's restricted cubic spline basis (rms::rcs, norm = 2): x and nk - 2 cubic terms."""
    k = knots
    nk = k.size
    cols = [x]
    scale = (k[-1] - k[0]) ** 2
    for j in range(nk - 2):
        term = (np.maximum(x - k[j], 0) ** 3
                - np.maximum(x - k[-2], 0) ** 3 * (k[-1] - k[j]) / (k[-1] - k[-2])
                + np.maximum(x - k[-1], 0) ** 3 * (k[-2] - k[j]) / (k[-1] - k[-2]))
        cols.append(term / scale)
    return np.column_stack(cols)


def rcs_knots(x: FloatArray, nk: int = 3) -> FloatArray:
    """Hmisc::rcspline.eval default knots (nk = 3: 10th, 50th, 90th percentiles; 5th-smallest/largest below n = 100)."""
    probs = {3: [0.1, 0.5, 0.9], 4: [0.05, 0.35, 0.65, 0.95], 5: [0.05, 0.275, 0.5, 0.725, 0.95]}[nk]
    knots = np.quantile(x, probs)
    if x.size < 100:
        xs = np.sort(x)
        knots[0], knots[-1] = xs[4], xs[-5]
    return np.asarray(knots, dtype=float)


def calibration_summary(predicted_surv: FloatArray, lp: FloatArray, expected_cumhaz: FloatArray, time: FloatArray,
                        event: BoolArray, u: float) -> tuple[dict[str, float], pd.DataFrame, list[str]]:
    """Slope, calibration-in-the-large and ICI/E50/E90 of predictions at ``u`` on (time, event).

    ``expected_cumhaz`` is each patient's predicted cumulative hazard at min(T, u).
    """
    warnings: list[str] = []
    frame = pd.DataFrame({"time": time, "event": event.astype(int), "lp": lp})
    slope_fit = cox_fit(frame, "time", "event", ["lp"], ph_test=False)
    slope = slope_fit.terms[0]
    observed = float((event & (time <= u)).sum())
    expected = float(expected_cumhaz.sum())
    citl = math.log(observed / expected) if observed > 0 and expected > 0 else math.nan
    risk = 1.0 - predicted_surv
    cll = np.log(-np.log(np.clip(predicted_surv, 1e-12, 1 - 1e-12)))
    knots = rcs_knots(cll)
    summary = {"slope": slope.coef, "slope_ci_low": slope.coef - 1.959963984540054 * slope.se,
               "slope_ci_high": slope.coef + 1.959963984540054 * slope.se,
               "calibration_in_the_large": citl, "observed_events": observed, "expected_events": expected}
    curve = pd.DataFrame()
    if np.unique(knots).size < knots.size:
        warnings.append("ICI undefined (NaN): too few distinct predicted values for a spline calibration curve")
        summary.update(ici=math.nan, e50=math.nan, e90=math.nan)
        return summary, curve, warnings
    basis = _rcs_basis(cll, knots)
    cal = fit_lean(time, event, basis)
    obs_risk = 1.0 - cal.survival_at(basis, u)
    diff = np.abs(risk - obs_risk)
    summary.update(ici=float(diff.mean()), e50=float(np.median(diff)), e90=float(np.quantile(diff, 0.9)))
    order = np.argsort(risk)
    curve = pd.DataFrame({"predicted_risk": risk[order], "observed_risk": obs_risk[order]})
    return summary, curve, warnings


def _expected_cumhaz(fit: LeanFit, x: FloatArray, time: FloatArray, u: float) -> FloatArray:
    h_times = np.concatenate([[0.0], fit.cumhaz])
    h = h_times[np.searchsorted(fit.times, np.minimum(time, u), side="right")]
    return np.asarray(h * np.exp(fit.lp(x)), dtype=float)


def calibrate(
    data: pd.DataFrame,
    time: str,
    event: str,
    predictors: list[str],
    u: float,
    *,
    m: int = 150,
    B: int = 200,
    seed: int | None = 20240601,
    ties: str = "efron",
) -> CalibrationResult:
    """Calibration of ``coxph(Surv(time, event) ~ predictors)`` at time ``u``, apparent and bootstrap-corrected.

    R: ``f <- cph(Surv(time, event) ~ a + b, d, x = TRUE, y = TRUE, surv = TRUE, time.inc = u);
    calibrate(f, cmethod = "KM", method = "boot", u = u, m = m, B = B)``. ``B = 0`` skips the
    bootstrap. Same ``seed`` -> identical results.
    """
    if u <= 0:
        raise ValueError("the calibration time must be positive")
    full = cox_fit(data, time, event, predictors, ties=ties, ph_test=False)  # all the input checks
    d = survival_data(data, time, event, predictors)
    require_events(d, "calibration")
    if u > d.time.max():
        raise ValueError(f"calibration time {u:g} is beyond the last follow-up ({d.time.max():g})")
    warnings = list(full.warnings)
    x, t, e = d.x, d.time, d.event
    fit = fit_lean(t, e, x, ties)
    pred = fit.survival_at(x, u)
    cuts = calibration_cuts(pred, m)
    groups = group_km(pred, t, e, u, cuts)
    orig = groups["km"].to_numpy(float) - groups["mean_predicted"].to_numpy(float)
    rng = np.random.default_rng(seed)
    total = np.zeros(orig.size)
    count = np.zeros(orig.size)
    failed = 0
    for _ in range(B):
        idx = rng.integers(0, d.n, d.n)
        if e[idx].sum() < 5:
            failed += 1
            continue
        fb = fit_lean(t[idx], e[idx], x[idx], ties)
        if not fb.converged:
            failed += 1
            continue
        diff = _distance(fb, x[idx], t[idx], e[idx], u, cuts) - _distance(fb, x, t, e, u, cuts)
        ok = np.isfinite(diff)
        total[ok] += diff[ok]
        count[ok] += 1
    if failed:
        warnings.append(f"{failed} of {B} bootstrap samples left out (fewer than 5 events or no convergence)")
    with np.errstate(invalid="ignore", divide="ignore"):
        optimism = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    groups["optimism"] = optimism
    groups["km_corrected"] = groups["km"] - optimism
    groups["n_boot"] = count.astype(int)
    summary, curve, more = calibration_summary(pred, fit.lp(x), _expected_cumhaz(fit, x, t, u), t, e, u)
    summary["mean_abs_error_corrected"] = float(np.nanmean(np.abs(groups["km_corrected"] - groups["mean_predicted"]))) \
        if B else math.nan
    return CalibrationResult(u=float(u), groups=groups, summary=summary, B=B, seed=seed, n=d.n, events=d.events,
                             curve=curve, warnings=warnings + more)


def calibration_figure(results: list[CalibrationResult], *, unit: str = "") -> Any:
    """Calibration plot(s): KM observed (apparent, bootstrap-corrected) vs mean predicted survival."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.6 * len(results), 4.4), layout="constrained")
    axes = fig.subplots(1, len(results), squeeze=False)[0]
    for ax, r in zip(axes, results):
        g = r.groups
        ax.plot([0, 1], [0, 1], color="0.7", linestyle=":")
        lo = g["km"] * np.exp(-1.96 * g["std_err"])
        hi = np.minimum(1.0, g["km"] * np.exp(1.96 * g["std_err"]))
        ax.errorbar(g["mean_predicted"], g["km"], yerr=[g["km"] - lo, hi - g["km"]], fmt="o-", color="C0",
                    label="observed (KM)", capsize=3)
        if r.B:
            ax.plot(g["mean_predicted"], g["km_corrected"], "x--", color="C3", label=f"bootstrap-corrected (B = {r.B})")
        if not r.curve.empty:
            ax.plot(1 - r.curve["predicted_risk"], 1 - r.curve["observed_risk"], color="C2", linewidth=1,
                    label=f"smooth (ICI {r.summary['ici']:.3f})")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel(f"predicted survival at {r.u:g} {unit}".strip())
        ax.set_ylabel(f"observed survival at {r.u:g} {unit}".strip())
        ax.legend(loc="upper left", fontsize=8)
    return fig


__all__ = ["CalibrationResult", "calibrate", "calibration_cuts", "calibration_figure", "calibration_summary",
           "group_km", "rcs_knots"]
