"""Koo & Li (2016) reading of an ICC, taking its confidence interval into account."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["KOO_LI_CATEGORIES", "koo_li_label", "interpret_icc", "add_interpretation"]

#: (label, lower, upper) of each Koo & Li category: < 0.5 poor, 0.5-0.75
#: moderate, 0.75-0.9 good, > 0.9 excellent (see :func:`koo_li_label` for ties).
KOO_LI_CATEGORIES: tuple[tuple[str, float, float], ...] = (
    ("poor", -math.inf, 0.5),
    ("moderate", 0.5, 0.75),
    ("good", 0.75, 0.9),
    ("excellent", 0.9, math.inf),
)


def koo_li_label(value: float) -> str:
    """Koo & Li (2016) category of an ICC value.

    Values below 0.5 are poor, 0.5 up to 0.75 moderate, 0.75 up to and
    including 0.9 good, above 0.9 excellent; NaN gives ``"undefined"``.

    References
    ----------
    Koo TK, Li MY (2016). A guideline of selecting and reporting intraclass
    correlation coefficients for reliability research. Journal of
    Chiropractic Medicine 15(2):155-163.

    Examples
    --------
    >>> koo_li_label(0.824)
    'good'
    """
    if value is None or pd.isna(value):
        return "undefined"
    value = float(value)
    if value > 0.9:
        return "excellent"
    if value >= 0.75:
        return "good"
    if value >= 0.5:
        return "moderate"
    return "poor"


def _span(ci_low: float, ci_high: float) -> str:
    low, high = koo_li_label(ci_low), koo_li_label(ci_high)
    return low if low == high else f"{low} to {high}"


def interpret_icc(
    icc: float,
    ci_low: float = float("nan"),
    ci_high: float = float("nan"),
    *,
    confidence: float = 0.95,
    digits: int = 3,
) -> str:
    """One-sentence Koo & Li reading of an ICC and its confidence interval.

    Koo & Li advise reading the category against the CI, not the point
    estimate alone; when the interval spans several categories the sentence
    says so.

    Parameters
    ----------
    icc, ci_low, ci_high : float
    confidence : float, default 0.95
        Level of the interval, for the wording.
    digits : int, default 3

    Returns
    -------
    str

    References
    ----------
    Koo TK, Li MY (2016). Journal of Chiropractic Medicine 15(2):155-163.

    Examples
    --------
    >>> for part in interpret_icc(0.805, 0.749, 0.86).split("; "):
    ...     print(part)
    ICC 0.805 (95% CI 0.749 to 0.860): good reliability (Koo & Li 2016)
    the 95% CI spans moderate to good reliability.
    """
    if pd.isna(icc):
        return "ICC undefined: no interpretation."
    level = f"{100 * confidence:g}%"
    label = koo_li_label(icc)
    if pd.isna(ci_low) or pd.isna(ci_high):
        return f"ICC {icc:.{digits}f}: {label} reliability (Koo & Li 2016); no CI available."
    interval = f"{level} CI {ci_low:.{digits}f} to {ci_high:.{digits}f}"
    text = f"ICC {icc:.{digits}f} ({interval}): {label} reliability (Koo & Li 2016)"
    span = _span(ci_low, ci_high)
    if " to " in span:
        return f"{text}; the {level} CI spans {span} reliability."
    return f"{text}; the whole {level} CI lies in the {span} range."


def add_interpretation(table: pd.DataFrame, *, confidence: float = 0.95, digits: int = 3) -> pd.DataFrame:
    """Add Koo & Li columns to a table with ``icc``, ``ci_low``, ``ci_high``.

    Returns a copy with ``reliability`` (label of the estimate),
    ``reliability_ci`` (label range of the CI, e.g. ``"moderate to good"``),
    ``ci_spans_categories`` (bool) and ``interpretation`` (sentence).

    References
    ----------
    Koo TK, Li MY (2016). Journal of Chiropractic Medicine 15(2):155-163.
    """
    out = table.copy()
    out["reliability"] = [koo_li_label(v) for v in out["icc"]]
    out["reliability_ci"] = [_span(lo, hi) for lo, hi in zip(out["ci_low"], out["ci_high"])]
    out["ci_spans_categories"] = np.array([" to " in s for s in out["reliability_ci"]], dtype=bool)
    out["interpretation"] = [
        interpret_icc(v, lo, hi, confidence=confidence, digits=digits)
        for v, lo, hi in zip(out["icc"], out["ci_low"], out["ci_high"])
    ]
    return out
