"""Correlation of one variable with several: coefficient, 95% CI, p and n per pair.

* Pearson: r, p from the t test, CI by Fisher's z with SE 1/sqrt(n - 3) (R ``cor.test``).
* Spearman: rho, p from the t approximation t = rho sqrt((n - 2)/(1 - rho²)) on n - 2 df (SPSS;
  R ``cor.test(method = "spearman", exact = FALSE)``); CI by Fisher's z with Bonett & Wright's
  SE sqrt((1 + rho²/2)/(n - 3)) (R ``cor.test`` gives none).
* Kendall: tau-b, p from the normal approximation with tie-corrected variance (R ``cor.test(method
  = "kendall", exact = FALSE)``); CI by Fisher's z with Fieller et al.'s SE sqrt(0.437/(n - 4)).

References
----------
Bonett DG, Wright TA (2000). Sample size requirements for estimating Pearson, Kendall and Spearman
correlations. Psychometrika 65:23-28.
Fieller EC, Hartley HO, Pearson ES (1957). Tests for rank correlation coefficients. I. Biometrika
44:470-481.

R equivalent::

    cor.test(x, y, method = "pearson"); cor.test(x, y, method = "spearman", exact = FALSE)
    cor.test(x, y, method = "kendall", exact = FALSE)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from ._outcome import MissingReport, check_frame, complete_rows, json_object, numeric

METHODS = ("spearman", "pearson", "kendall")
CORRELATION_COLUMNS = ("x", "y", "method", "r", "ci_low", "ci_high", "p", "n")


def fisher_z_ci(r: float, n: int, method: str, confidence: float = 0.95) -> tuple[float, float]:
    """CI of a correlation by Fisher's z with the method's SE (see module notes)."""
    if method == "pearson":
        var = 1 / (n - 3) if n > 3 else np.nan
    elif method == "spearman":
        var = (1 + r**2 / 2) / (n - 3) if n > 3 else np.nan
    else:
        var = 0.437 / (n - 4) if n > 4 else np.nan
    if not np.isfinite(var) or not np.isfinite(r) or abs(r) >= 1:
        return (float(r), float(r)) if abs(r) == 1 else (float("nan"), float("nan"))
    z, half = np.arctanh(r), sps.norm.ppf(0.5 + confidence / 2) * np.sqrt(var)
    return float(np.tanh(z - half)), float(np.tanh(z + half))


@dataclass
class CorrelationResult:
    rows: pd.DataFrame  # CORRELATION_COLUMNS
    missing: dict[str, MissingReport]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        rows = self.rows.to_dict("records")
        for row in rows:
            row["missing"] = self.missing[row["y"]].to_dict()
        return json_object({"rows": rows, "warnings": self.warnings})


def correlate(data: pd.DataFrame, x: str, ys: Sequence[str], *, method: str = "spearman",
              confidence: float = 0.95) -> CorrelationResult:
    """Correlate ``x`` with each column in ``ys`` (pairwise complete rows).

    A constant or all-missing variable gives NaN coefficients with a warning, not an error.

    Examples
    --------
    >>> d = pd.DataFrame({"delta": [1, 2, 3, 4, 5], "smi": [2, 1, 4, 3, 5]})
    >>> round(float(correlate(d, "delta", ["smi"]).rows.loc[0, "r"]), 3)
    0.8
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    check_frame(data, [x, *ys])
    xv = numeric(data, x)
    rows, missing, warnings = [], {}, []
    for y in ys:
        yv = numeric(data, y)
        keep, report = complete_rows({x: xv, y: yv})
        missing[y] = report
        if note := report.note():
            warnings.append(f"{x} ~ {y}: {note}")
        a, b = xv[keep], yv[keep]
        n = int(keep.sum())
        if n < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
            warnings.append(f"{x} ~ {y}: {n} complete pair(s)"
                            + ("; a variable is constant" if n >= 3 else "") + "; no correlation")
            r = p = float("nan")
        elif method == "pearson":
            pearson = sps.pearsonr(a, b)
            r, p = float(pearson.statistic), float(pearson.pvalue)
        elif method == "spearman":
            r = float(sps.spearmanr(a, b).statistic)
            t = r * np.sqrt((n - 2) / (1 - r**2)) if abs(r) < 1 else np.inf * np.sign(r)
            p = float(2 * sps.t.sf(abs(t), n - 2))
        else:
            kendall = sps.kendalltau(a, b, method="asymptotic")
            r, p = float(kendall.statistic), float(kendall.pvalue)
        low, high = fisher_z_ci(r, n, method, confidence)
        rows.append({"x": x, "y": y, "method": method, "r": r, "ci_low": low, "ci_high": high, "p": p, "n": n})
    return CorrelationResult(pd.DataFrame(rows, columns=list(CORRELATION_COLUMNS)), missing, warnings)
