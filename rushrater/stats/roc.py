"""ROC analysis of continuous markers for a binary outcome, as R's pROC computes it.

Per marker: the direction pROC's ``direction = "auto"`` chooses, the AUC with DeLong's 95% CI,
the Youden-optimal threshold (a midpoint between observed values, as pROC reports it) with
sensitivity, specificity, PPV and NPV and their counts; between markers, DeLong's paired test.

DeLong's variance is written here (no maintained Python library computes it); it uses the
O(n log n) midrank algorithm of Sun & Xu (2014), which is what pROC's ``delongPlacements`` does.

References
----------
DeLong ER, DeLong DM, Clarke-Pearson DL (1988). Comparing the areas under two or more correlated
receiver operating characteristic curves: a nonparametric approach. Biometrics 44:837-845.
Sun X, Xu W (2014). Fast implementation of DeLong's algorithm for comparing the areas under
correlated receiver operating characteristic curves. IEEE Signal Process Lett 21:1389-1393.
Robin X et al. (2011). pROC: an open-source package for R and S+ to analyze and compare ROC
curves. BMC Bioinformatics 12:77.
Youden WJ (1950). Index for rating diagnostic tests. Cancer 3:32-35.

R equivalent (pROC 1.18)::

    r <- pROC::roc(y, x, direction = "auto", levels = c(0, 1))
    pROC::ci.auc(r, method = "delong")
    pROC::coords(r, "best", best.method = "youden",
                 ret = c("threshold", "sensitivity", "specificity", "ppv", "npv", "tp", "fp", "tn", "fn"))
    pROC::roc.test(r1, r2, method = "delong", paired = TRUE)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from ._outcome import BinaryCoding, FloatArray, MissingReport, binary, check_frame, complete_rows, json_object, numeric

ROC_COLUMNS = ("marker", "direction", "n", "cases", "controls", "auc", "ci_low", "ci_high", "threshold",
               "sensitivity", "specificity", "ppv", "npv", "tp", "fp", "tn", "fn")


@dataclass(frozen=True)
class DelongAuc:
    """AUC of one marker with DeLong's placement values (used for the CI and paired tests)."""

    auc: float
    variance: float
    case_placements: FloatArray  # V10: per case, share of controls it beats (ties count 1/2)
    control_placements: FloatArray  # V01: per control, share of cases that beat it


def auc_direction(cases: FloatArray, controls: FloatArray) -> str:
    """pROC's ``direction = "auto"``: ``"<"`` (cases higher) unless the controls' median is larger."""
    return "<" if np.median(controls) <= np.median(cases) else ">"


def delong_auc(cases: FloatArray, controls: FloatArray, direction: str = "<") -> DelongAuc:
    """AUC and DeLong variance in O(n log n) with midranks (Sun & Xu 2014).

    ``direction`` ``"<"`` means cases have higher values; ``">"`` lower.  The variance divides the
    placement sums of squares by m - 1 and n - 1, as pROC's ``ci.auc.delong``.
    """
    if direction == ">":
        cases, controls = -cases, -controls
    m, n = len(cases), len(controls)
    if m == 0 or n == 0:
        raise ValueError("an ROC curve needs at least one case and one control")
    combined = sps.rankdata(np.concatenate([cases, controls]))  # midranks
    v10 = (combined[:m] - sps.rankdata(cases)) / n
    v01 = 1.0 - (combined[m:] - sps.rankdata(controls)) / m
    auc = float(v10.mean())
    if m <= 1 or n <= 1:
        return DelongAuc(auc, float("nan"), v10, v01)
    variance = float(((v10 - auc) ** 2).sum() / (m - 1) / m + ((v01 - auc) ** 2).sum() / (n - 1) / n)
    return DelongAuc(auc, variance, v10, v01)


def pROC_thresholds(values: FloatArray, direction: str) -> FloatArray:
    """The candidate thresholds of ``pROC:::roc.utils.thresholds``: -Inf, midpoints, +Inf.

    Where a midpoint rounds onto an observed value (adjacent floats), pROC moves it so that the
    observed value stays on the positive side; this does the same.
    """
    unique = np.unique(values)
    lower = np.concatenate([[-np.inf], unique])
    upper = np.concatenate([unique, [np.inf]])
    with np.errstate(over="ignore", invalid="ignore"):
        plain = (lower + upper) / 2
    halves = lower / 2 + upper / 2
    thresholds = np.where(np.abs(plain) > 1e100, halves, plain)
    on_value = np.isin(thresholds, unique)
    for idx in np.nonzero(on_value)[0]:
        if direction == "<" and thresholds[idx] == unique[idx - 1]:
            thresholds[idx] = unique[idx]
        elif direction == ">" and idx < len(unique) and thresholds[idx] == unique[idx]:
            thresholds[idx] = unique[idx - 1]
    return thresholds


@dataclass(frozen=True)
class YoudenPoint:
    threshold: float
    sensitivity: float
    specificity: float
    ppv: float
    npv: float
    tp: int
    fp: int
    tn: int
    fn: int
    #: every threshold with the same (maximal) Youden index, in pROC's order; ``threshold`` is the first.
    ties: tuple[float, ...]


def youden_point(cases: FloatArray, controls: FloatArray, direction: str) -> YoudenPoint:
    """The Youden-optimal threshold as ``pROC::coords(r, "best", best.method = "youden")``.

    pROC keeps every threshold whose sensitivity + specificity equals the maximum and orders them
    by increasing specificity; the first is reported and all are listed in ``ties``.  For
    direction ``"<"`` a value at or above the threshold is positive, for ``">"`` at or below.
    """
    m, n = len(cases), len(controls)
    thresholds = pROC_thresholds(np.concatenate([cases, controls]), direction)
    cs, ct = np.sort(cases), np.sort(controls)
    if direction == "<":
        tp = m - np.searchsorted(cs, thresholds, "left")
        tn = np.searchsorted(ct, thresholds, "left")
    else:
        tp = np.searchsorted(cs, thresholds, "right")
        tn = n - np.searchsorted(ct, thresholds, "right")
        thresholds, tp, tn = thresholds[::-1], tp[::-1], tn[::-1]  # pROC sorts by specificity
    se, sp = tp / m, tn / n
    crit = se + 1.0 * sp  # pROC: se + r * sp with r = (1 - 0.5) / (1 * 0.5) from best.weights
    best = np.nonzero(crit == crit.max())[0]
    i = int(best[0])
    tpi, tni = int(tp[i]), int(tn[i])
    fpi, fni = n - tni, m - tpi
    return YoudenPoint(
        threshold=float(thresholds[i]), sensitivity=float(se[i]), specificity=float(sp[i]),
        ppv=tpi / (tpi + fpi) if tpi + fpi else float("nan"),
        npv=tni / (tni + fni) if tni + fni else float("nan"),
        tp=tpi, fp=fpi, tn=tni, fn=fni, ties=tuple(float(t) for t in thresholds[best]),
    )


def delong_ci(auc: DelongAuc, confidence: float = 0.95) -> tuple[float, float]:
    """Normal CI around the AUC with DeLong's SE, clipped to [0, 1] as pROC's ``ci.auc``."""
    if not np.isfinite(auc.variance):
        return float("nan"), float("nan")
    z = sps.norm.ppf(0.5 + confidence / 2)
    se = np.sqrt(auc.variance)
    return float(max(auc.auc - z * se, 0.0)), float(min(auc.auc + z * se, 1.0))


def delong_paired_test(a: DelongAuc, b: DelongAuc) -> tuple[float, float]:
    """z and two-sided p of DeLong's test for two correlated AUCs (``roc.test(paired = TRUE)``)."""
    m, n = len(a.case_placements), len(a.control_placements)
    s10 = np.cov(np.vstack([a.case_placements, b.case_placements]))
    s01 = np.cov(np.vstack([a.control_placements, b.control_placements]))
    s = s10 / m + s01 / n
    var = s[0, 0] + s[1, 1] - 2 * s[0, 1]
    if not var > 0:
        return float("nan"), float("nan")
    z = (a.auc - b.auc) / np.sqrt(var)
    return float(z), float(2 * sps.norm.sf(abs(z)))


@dataclass
class RocResult:
    """``markers``: one row per marker (:data:`ROC_COLUMNS`); ``comparisons``: pairwise DeLong tests."""

    markers: pd.DataFrame
    comparisons: pd.DataFrame
    outcome: BinaryCoding
    missing: dict[str, MissingReport]
    warnings: list[str] = field(default_factory=list)
    ties: dict[str, tuple[float, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        markers = []
        for row in self.markers.to_dict("records"):
            row["optimal_thresholds"] = list(self.ties.get(row["marker"], ()))
            row["missing"] = self.missing[row["marker"]].to_dict()
            markers.append(row)
        return json_object({
            "outcome": self.outcome.to_dict(),
            "markers": markers,
            "comparisons": self.comparisons.to_dict("records"),
            "warnings": self.warnings,
        })


def roc(data: pd.DataFrame, outcome: str, markers: Sequence[str], *, confidence: float = 0.95) -> RocResult:
    """ROC analysis of each marker for a binary outcome, and DeLong tests between markers.

    Parameters
    ----------
    data : DataFrame
        One row per patient.
    outcome : str
        Binary column (0/1, or two values: the second in sorted order is the case).
    markers : sequence of str
        Numeric columns.  Patients missing a marker are left out of that marker's curve (and
        counted in ``missing``); a comparison uses the patients who have both markers.
    confidence : float
        Level of the DeLong CI.

    Returns
    -------
    RocResult
        A marker identical for everyone gets AUC 0.5, CI [0.5, 0.5] and a warning, not an error.

    Examples
    --------
    >>> df = pd.DataFrame({"slow": [0, 0, 0, 1, 1, 1], "smi": [50, 48, 44, 46, 40, 38]})
    >>> res = roc(df, "slow", ["smi"])
    >>> res.markers.loc[0, "direction"], round(float(res.markers.loc[0, "auc"]), 4)
    ('>', 0.8889)
    """
    if outcome in markers:
        raise ValueError(f"{outcome!r} is the outcome; it cannot also be a marker")
    check_frame(data, [outcome, *markers])
    y, coding = binary(data, outcome)
    values = {m: numeric(data, m) for m in markers}
    rows, warnings, missing, ties, fits = [], [], {}, {}, {}
    for marker in markers:
        keep, report = complete_rows({outcome: y, marker: values[marker]})
        missing[marker] = report
        if note := report.note():
            warnings.append(f"{marker}: {note}")
        x, yy = values[marker][keep], y[keep]
        cases, controls = x[yy == 1], x[yy == 0]
        if len(cases) == 0 or len(controls) == 0:
            raise ValueError(f"{marker}: after leaving out missing values there are {len(cases)} cases and "
                             f"{len(controls)} controls; an ROC curve needs both")
        direction = auc_direction(cases, controls)
        fit = delong_auc(cases, controls, direction)
        fits[marker] = direction
        low, high = delong_ci(fit, confidence)
        point = youden_point(cases, controls, direction)
        ties[marker] = point.ties
        if np.unique(x).size == 1:
            warnings.append(f"{marker}: the same value for every patient; AUC 0.5, no usable threshold")
        elif len(point.ties) > 1:
            warnings.append(f"{marker}: {len(point.ties)} thresholds share the best Youden index; "
                            f"the first in pROC's order is reported")
        rows.append({
            "marker": marker, "direction": direction, "n": int(keep.sum()), "cases": len(cases),
            "controls": len(controls), "auc": fit.auc, "ci_low": low, "ci_high": high,
            "threshold": point.threshold, "sensitivity": point.sensitivity, "specificity": point.specificity,
            "ppv": point.ppv, "npv": point.npv, "tp": point.tp, "fp": point.fp, "tn": point.tn, "fn": point.fn,
        })
    comparisons = []
    for a, b in combinations(markers, 2):
        keep, _ = complete_rows({outcome: y, a: values[a], b: values[b]})
        yy = y[keep]
        pair = []
        for marker in (a, b):
            x = values[marker][keep]
            pair.append(delong_auc(x[yy == 1], x[yy == 0], fits[marker]))
        if len(pair[0].case_placements) < 2 or len(pair[0].control_placements) < 2:
            z, p = float("nan"), float("nan")
        else:
            z, p = delong_paired_test(pair[0], pair[1])
        if fits[a] != fits[b]:
            warnings.append(f"{a} vs {b}: the curves have different directions ({fits[a]} and {fits[b]})")
        comparisons.append({"a": a, "b": b, "n": int(keep.sum()), "auc_a": pair[0].auc, "auc_b": pair[1].auc,
                            "z": z, "p": p})
    return RocResult(
        markers=pd.DataFrame(rows, columns=list(ROC_COLUMNS)),
        comparisons=pd.DataFrame(comparisons, columns=["a", "b", "n", "auc_a", "auc_b", "z", "p"]),
        outcome=coding, missing=missing, warnings=warnings, ties=ties,
    )
