"""Intraclass correlation coefficients for a targets x raters design.

:func:`icc` returns all six Shrout & Fleiss (1979) forms, named also by model,
type and unit as McGraw & Wong (1996) do, from the complete-case two-way ANOVA,
and separately the all-available-data estimate from REML variance components
(as R ``psych::ICC(x, lmer = TRUE)``) that keeps targets with missing ratings.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._anova import FORMS, MCGRAW_WONG, complete_rows, forms_frame, icc_forms, mean_squares
from ._data import check_confidence, listing, long_to_array
from ._reml import fit_crossed_reml

__all__ = ["FORMS", "MCGRAW_WONG", "IccResult", "icc", "icc_from_variance_components"]


@dataclass(frozen=True)
class IccResult:
    """Result of :func:`icc`.

    Attributes
    ----------
    table : DataFrame
        Six rows, one per form, with columns ``form, model, type, unit, icc,
        ci_low, ci_high, f, df1, df2, p`` (full precision) from the
        complete-case two-way ANOVA.
    anova : DataFrame
        Columns ``source, df, ss, ms`` for targets, raters, residual and
        within targets (raters + residual pooled) of that ANOVA.
    n_targets, n_raters, n_ratings : int
        Targets, raters and ratings in the complete-case analysis.
    n_excluded_targets : int
        Targets in the data left out of the complete-case analysis because at
        least one rater has no rating of them.
    excluded_targets : tuple
        Their ids.
    confidence : float
        Level of the confidence intervals.
    notes : list of str
        Everything done to the data and every reason for a NaN.
    all_available : DataFrame or None
        The same columns as ``table`` computed, exactly as R ``psych::ICC(x,
        lmer = TRUE)`` does, from REML variance components fitted to all
        available ratings; ``None`` when not requested.  Its F, p and CI treat
        the implied mean squares as if they came from a balanced design of
        ``n_targets_all_available`` x ``n_raters_all_available`` (psych's
        approximation), so they are indicative for incomplete designs.
    variance_components : DataFrame or None
        Columns ``component`` (target, rater, residual, total), ``variance``,
        ``proportion`` of the REML fit.
    n_targets_all_available, n_raters_all_available, n_ratings_all_available : int
        Sizes of the all-available analysis (targets and raters with at least
        one rating; psych would also count a row without any rating in its
        ``n.obs``, which changes its F test and CI but carries no data).
    """

    table: pd.DataFrame
    anova: pd.DataFrame
    n_targets: int
    n_raters: int
    n_ratings: int
    n_excluded_targets: int
    excluded_targets: tuple[Hashable, ...]
    confidence: float
    notes: list[str] = field(default_factory=list)
    all_available: pd.DataFrame | None = None
    variance_components: pd.DataFrame | None = None
    n_targets_all_available: int = 0
    n_raters_all_available: int = 0
    n_ratings_all_available: int = 0

    def form(self, name: str) -> pd.Series:
        """Row of :attr:`table` for a form, by Shrout & Fleiss or McGraw & Wong name."""
        name = dict(zip(MCGRAW_WONG, FORMS)).get(name, name)
        rows = self.table[self.table["form"] == name]
        if rows.empty:
            raise KeyError(f"unknown ICC form {name!r}; use one of {FORMS} or {MCGRAW_WONG}")
        return rows.iloc[0]


def icc_from_variance_components(
    target: float,
    rater: float,
    residual: float,
    n_targets: int,
    n_raters: int,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Six ICC forms from variance components, the way R ``psych::ICC`` does.

    psych turns lme4's variance components back into mean squares of a
    balanced ``n x k`` design and then applies the ANOVA formulas::

        MSR = k * s2_target + s2_residual      MSC = n * s2_rater + s2_residual
        MSE = s2_residual                      MSW = s2_residual + s2_rater

    so, e.g., ICC(2,1) = s2_target / (s2_target + s2_rater + s2_residual) and
    ICC(3,1) = s2_target / (s2_target + s2_residual).  With complete data and
    estimates inside the parameter space these mean squares equal the ANOVA
    ones, so both routes give identical ICCs.

    Parameters
    ----------
    target, rater, residual : float
        Variance components.
    n_targets, n_raters : int
        ``n.obs`` and the number of judges in psych's terms.
    confidence : float

    Returns
    -------
    DataFrame
        Columns ``form, model, type, unit, icc, ci_low, ci_high, f, df1, df2, p``.
    """
    confidence = check_confidence(confidence)
    n, k = float(n_targets), float(n_raters)
    msr = k * target + residual
    msc = n * rater + residual
    mse = residual
    msw = residual + rater
    return forms_frame(icc_forms(msr, msc, mse, msw, n, k, confidence))


def icc(
    data: pd.DataFrame,
    target: str,
    rater: str,
    score: str,
    confidence: float = 0.95,
    *,
    duplicates: str = "raise",
    all_available: bool = True,
) -> IccResult:
    """Intraclass correlation: all six Shrout & Fleiss forms with F-based CIs.

    From the two-way ANOVA of the complete n targets x k raters table (MSR
    targets, MSC raters, MSE residual, MSW within targets):

    - ICC(1,1), one-way random, single: (MSR - MSW) / (MSR + (k-1) MSW)
    - ICC(2,1) = ICC(A,1), two-way random, absolute agreement, single:
      (MSR - MSE) / (MSR + (k-1) MSE + k (MSC - MSE) / n)
    - ICC(3,1) = ICC(C,1), two-way mixed, consistency, single:
      (MSR - MSE) / (MSR + (k-1) MSE)
    - ICC(1,k), one-way random, average: (MSR - MSW) / MSR
    - ICC(2,k) = ICC(A,k), two-way random, absolute agreement, average:
      (MSR - MSE) / (MSR + (MSC - MSE) / n)
    - ICC(3,k) = ICC(C,k), two-way mixed, consistency, average:
      (MSR - MSE) / MSR

    Parameters
    ----------
    data : DataFrame
        Long format, one row per rating.
    target, rater, score : str
        Columns with the target (case) id, the rater id and the numeric score.
    confidence : float, default 0.95
        Level of the confidence intervals (psych's ``alpha = 1 - confidence``).
    duplicates : {"raise", "mean"}, default "raise"
        A (target, rater) pair with more than one rating raises a ValueError
        naming the pairs; ``"mean"`` averages them and says so in ``notes``.
    all_available : bool, default True
        Also fit the REML variance components to all available ratings (see
        :attr:`IccResult.all_available`).

    Returns
    -------
    IccResult

    Raises
    ------
    ValueError
        Fewer than two raters or two targets with ratings, non-numeric or
        infinite scores (naming the rows), missing ids, duplicated pairs under
        ``duplicates="raise"``, or a confidence level outside (0, 1).

    Notes
    -----
    The main table is a complete-case analysis: targets not rated by every
    rater are excluded and listed.  ``NaN`` scores are missing cells, and a
    rater without any rating is absent rather than a reason to drop every
    target.  When all ratings are equal the ICC is undefined and reported as
    NaN with the reason in ``notes``.

    CIs follow R ``psych::ICC`` (F distribution; Satterthwaite df for
    ICC(2,.)), which for ICC(A,k) differs slightly from R ``irr::icc``.

    References
    ----------
    Shrout PE, Fleiss JL (1979). Intraclass correlations: uses in assessing
    rater reliability. Psychological Bulletin 86(2):420-428.
    McGraw KO, Wong SP (1996). Forming inferences about some intraclass
    correlation coefficients. Psychological Methods 1(1):30-46.
    Koo TK, Li MY (2016). A guideline of selecting and reporting intraclass
    correlation coefficients for reliability research. Journal of
    Chiropractic Medicine 15(2):155-163.
    Bates D, Maechler M, Bolker B, Walker S (2015). Fitting linear
    mixed-effects models using lme4. Journal of Statistical Software 67(1).

    Examples
    --------
    Shrout & Fleiss (1979), Table 2:

    >>> import pandas as pd
    >>> wide = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    >>> long = pd.DataFrame([(t, r, s) for t, row in enumerate(wide) for r, s in enumerate(row)],
    ...                     columns=["target", "rater", "score"])
    >>> res = icc(long, "target", "rater", "score")
    >>> round(float(res.form("ICC(A,1)")["icc"]), 4)
    0.2898
    """
    confidence = check_confidence(confidence)
    arr = long_to_array(data, keys=[target], rater=rater, scores=[score], duplicates=duplicates)
    notes = list(arr.notes)
    y = arr.values[:, :, 0]
    present = ~np.isnan(y)
    rater_present = present.any(axis=0)
    target_present = present.any(axis=1)
    n_all, k_all = int(target_present.sum()), int(rater_present.sum())
    if k_all < 2:
        found = listing([repr(r) for r in arr.raters[rater_present]]) or "none"
        raise ValueError(f"an ICC needs ratings from at least two raters; {score!r} has ratings from {k_all}: {found}")
    if n_all < 2:
        raise ValueError(f"an ICC needs at least two rated targets; {score!r} has ratings of {n_all}")
    absent = arr.raters[~rater_present]
    if len(absent):
        notes.append(f"rater(s) without any {score!r} rating are absent: {listing([repr(r) for r in absent])}")

    y = y[:, rater_present]
    complete, cols = complete_rows(y)
    targets = arr.cases[target]
    excluded = tuple(targets[~complete].tolist())
    if excluded:
        notes.append(
            f"complete-case ANOVA: excluded {len(excluded)} of {len(targets)} target(s) not rated by all "
            f"{k_all} raters: {listing([repr(t) for t in excluded])}"
        )

    ms = mean_squares(y, complete, cols)
    n, k = int(ms.n), int(ms.k)
    results = icc_forms(ms.msr, ms.msc, ms.mse, ms.msw, ms.n, ms.k, confidence)
    table = forms_frame(results)
    if n < 2:
        notes.append(f"fewer than two targets were rated by all raters ({n}): complete-case ICCs are NaN")
    elif bool(ms.constant):
        value = float(y[complete][0, 0])
        notes.append(f"all complete-case ratings equal {value:g}: zero variance, ICCs are undefined (NaN)")
    anova = pd.DataFrame(
        {
            "source": ["targets", "raters", "residual", "within targets"],
            "df": [n - 1, k - 1, (n - 1) * (k - 1), n * (k - 1)],
            "ss": [float(ms.ssr), float(ms.ssc), float(ms.sse), float(ms.ssw)],
            "ms": [float(ms.msr), float(ms.msc), float(ms.mse), float(ms.msw)],
        }
    )

    available_table = components = None
    n_ratings_all = int(present.sum())
    if all_available:
        available_table, components, available_notes = _all_available(
            y[target_present], n_all, k_all, confidence, score
        )
        notes.extend(available_notes)

    return IccResult(
        table=table,
        anova=anova,
        n_targets=n,
        n_raters=k,
        n_ratings=n * k,
        n_excluded_targets=len(excluded),
        excluded_targets=excluded,
        confidence=confidence,
        notes=notes,
        all_available=available_table,
        variance_components=components,
        n_targets_all_available=n_all,
        n_raters_all_available=k_all,
        n_ratings_all_available=n_ratings_all,
    )


def _all_available(
    y: np.ndarray, n: int, k: int, confidence: float, score: str
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """REML fit to every available rating of a targets x raters array with NaN."""
    notes: list[str] = []
    t_idx, r_idx = np.nonzero(~np.isnan(y))
    values = y[t_idx, r_idx]
    nan_components = (np.nan, np.nan, np.nan)
    if np.ptp(values) == 0:
        notes.append(
            f"all-available estimate: every {score!r} rating equals {values[0]:g}; variance components "
            "and ICCs are undefined (NaN)"
        )
        target_var, rater_var, residual_var = nan_components
    elif np.bincount(t_idx).max() < 2 or np.bincount(r_idx).max() < 2:
        notes.append(
            "all-available estimate: no target has two ratings (or no rater rated two targets), so the "
            "target, rater and residual variances cannot be separated (NaN)"
        )
        target_var, rater_var, residual_var = nan_components
    else:
        fit = fit_crossed_reml(values, t_idx, r_idx, n, k)
        target_var, rater_var, residual_var = fit.target, fit.rater, fit.residual
        notes.append(
            f"all-available estimate: crossed random-effects REML (as R psych::ICC(x, lmer=TRUE)) on "
            f"{values.size} ratings of {n} targets by {k} raters; its F, p and CI treat the implied mean "
            f"squares as a balanced {n} x {k} design (psych's approximation)"
        )
        if not fit.converged:
            notes.append(f"all-available estimate: the REML optimiser reported no convergence ({fit.message})")
        for name, value in (("target", fit.target), ("rater", fit.rater)):
            if value == 0.0:
                notes.append(f"all-available estimate: the {name} variance is on the boundary (0)")
    table = icc_from_variance_components(target_var, rater_var, residual_var, n, k, confidence)
    total = target_var + rater_var + residual_var
    with np.errstate(invalid="ignore", divide="ignore"):
        components = pd.DataFrame(
            {
                "component": ["target", "rater", "residual", "total"],
                "variance": [target_var, rater_var, residual_var, total],
                "proportion": np.array([target_var, rater_var, residual_var, total]) / total,
            }
        )
    return table, components, notes
