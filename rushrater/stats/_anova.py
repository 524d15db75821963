"""Two-way ANOVA mean squares and the six Shrout & Fleiss ICCs, vectorised.

Why not call :func:`pingouin.intraclass_corr`?  It is the independent
implementation our tests compare against, but as a production path it

* fixes the confidence level at 95 % and rounds the CI to 2 decimals by default,
* silently averages duplicate (target, rater) ratings (it pivots with
  ``pivot_table``) and drops incomplete targets without saying which,
* has renamed its row labels between versions, and
* runs a full pandas ANOVA per call, far too slow for a study table with
  hundreds of cells.

So the mean squares are computed here with numpy on a ``(..., n, k)`` array:
the leading axes are a batch (e.g. all score columns of one timepoint and rater
group at once), and boolean masks select the complete targets and the raters
present in each batch member.  The ICCs, F tests and F-based confidence
intervals follow R ``psych::ICC`` line by line (including the Satterthwaite
degrees of freedom for ICC(2,1) and ICC(2,k)); the formulas are rearranged only
where that keeps a perfect-agreement limit finite (e.g. ``1 - k / (F + k - 1)``
instead of ``(F - 1) / (F + k - 1)`` so that ``F = inf`` gives 1, not NaN).

References
----------
Shrout PE, Fleiss JL (1979). Intraclass correlations: uses in assessing rater
reliability. Psychological Bulletin 86(2):420-428.
McGraw KO, Wong SP (1996). Forming inferences about some intraclass correlation
coefficients. Psychological Methods 1(1):30-46.
Revelle W. psych: Procedures for Psychological, Psychometric, and Personality
Research, function ``ICC`` (version 2.2.9 read for this implementation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

FORMS: tuple[str, ...] = ("ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)")
MODELS: tuple[str, ...] = ("one-way random", "two-way random", "two-way mixed") * 2
TYPES: tuple[str, ...] = ("absolute agreement", "absolute agreement", "consistency") * 2
UNITS: tuple[str, ...] = ("single",) * 3 + ("average",) * 3
#: McGraw & Wong (1996) names of the six forms, in the order of FORMS.
MCGRAW_WONG: tuple[str, ...] = ("ICC(1)", "ICC(A,1)", "ICC(C,1)", "ICC(k)", "ICC(A,k)", "ICC(C,k)")

TABLE_COLUMNS: tuple[str, ...] = (
    "form", "model", "type", "unit", "icc", "ci_low", "ci_high", "f", "df1", "df2", "p",
)


@dataclass
class MeanSquares:
    """Two-way ANOVA sums of squares and mean squares (arrays over a batch).

    ``msr``: between targets (rows), ``msc``: between raters (columns),
    ``mse``: residual, ``msw``: within targets (raters + residual pooled).
    ``constant`` flags batch members whose ratings are all equal.
    """

    ssr: np.ndarray
    ssc: np.ndarray
    sse: np.ndarray
    ssw: np.ndarray
    msr: np.ndarray
    msc: np.ndarray
    mse: np.ndarray
    msw: np.ndarray
    n: np.ndarray
    k: np.ndarray
    constant: np.ndarray


def complete_rows(values: np.ndarray, col_mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Masks of complete targets and of raters present, per batch member.

    A rater with no rating in a batch member is absent from it (not a reason
    to exclude every target); a target is complete when every present rater
    rated it.
    """
    present = ~np.isnan(values)
    if col_mask is None:
        col_mask = present.any(axis=-2)
    rows = (present | ~col_mask[..., None, :]).all(axis=-1) & (col_mask.sum(axis=-1) > 0)[..., None]
    return rows, col_mask


def mean_squares(values: np.ndarray, row_mask: np.ndarray, col_mask: np.ndarray) -> MeanSquares:
    """ANOVA of the complete part of each batch member.

    Parameters
    ----------
    values : ndarray, shape (..., n, k)
        Ratings; cells outside the masks are ignored (may be NaN).
    row_mask : ndarray of bool, shape (..., n)
        Targets to use; each must be rated by every rater in ``col_mask``.
    col_mask : ndarray of bool, shape (..., k)
        Raters to use.
    """
    cells = row_mask[..., :, None] & col_mask[..., None, :]
    n = row_mask.sum(axis=-1).astype(float)
    k = col_mask.sum(axis=-1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where(cells, values, 0.0)
        grand = raw.sum(axis=(-2, -1)) / (n * k)
        # Centre first: sums of squares of centred data lose less precision.
        y = np.where(cells, values - grand[..., None, None], 0.0)
        centre = y.sum(axis=(-2, -1)) / (n * k)
        row_means = y.sum(axis=-1) / k[..., None]
        col_means = y.sum(axis=-2) / n[..., None]
        ssr = k * np.where(row_mask, (row_means - centre[..., None]) ** 2, 0.0).sum(axis=-1)
        ssc = n * np.where(col_mask, (col_means - centre[..., None]) ** 2, 0.0).sum(axis=-1)
        resid = y - row_means[..., :, None] - col_means[..., None, :] + centre[..., None, None]
        sse = (np.where(cells, resid, 0.0) ** 2).sum(axis=(-2, -1))
        ssw = (np.where(cells, y - row_means[..., :, None], 0.0) ** 2).sum(axis=(-2, -1))
        highest = np.where(cells, values, -np.inf).max(axis=(-2, -1))
        lowest = np.where(cells, values, np.inf).min(axis=(-2, -1))
        constant = (highest == lowest) & (n * k > 0)
        # Constant ratings: make the sums of squares exactly zero so that every
        # ICC is 0/0 = NaN rather than a ratio of rounding errors.
        ssr, ssc, sse, ssw = (np.where(constant, 0.0, ss) for ss in (ssr, ssc, sse, ssw))
        msr = ssr / (n - 1)
        msc = ssc / (k - 1)
        mse = sse / ((n - 1) * (k - 1))
        msw = ssw / (n * (k - 1))
    return MeanSquares(ssr, ssc, sse, ssw, msr, msc, mse, msw, n, k, constant)


def icc_forms(
    msr: npt.ArrayLike,
    msc: npt.ArrayLike,
    mse: npt.ArrayLike,
    msw: npt.ArrayLike,
    n: npt.ArrayLike,
    k: npt.ArrayLike,
    confidence: float,
) -> dict[str, np.ndarray]:
    """The six ICCs with F test and confidence interval, as R ``psych::ICC``.

    All inputs broadcast together; every output has an extra last axis of
    length 6 in the order of :data:`FORMS`.  Batch members with fewer than two
    targets or raters get NaN throughout.
    """
    msr, msc, mse, msw, n, k = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (msr, msc, mse, msw, n, k))
    )
    alpha = 1.0 - confidence
    q = 1.0 - alpha / 2.0
    valid = (n >= 2) & (k >= 2)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        icc1 = (msr - msw) / (msr + (k - 1) * msw)
        icc2 = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
        icc3 = (msr - mse) / (msr + (k - 1) * mse)
        icc1k = (msr - msw) / msr
        icc2k = (msr - mse) / (msr + (msc - mse) / n)
        icc3k = (msr - mse) / msr

        df_n = n - 1
        df_w = n * (k - 1)
        df_e = (n - 1) * (k - 1)
        f1 = msr / msw
        f3 = msr / mse
        p1 = stats.f.sf(f1, df_n, df_w)
        p3 = stats.f.sf(f3, df_n, df_e)

        # ICC(1,.) and ICC(3,.): exact F intervals (Shrout & Fleiss eqs. 6, 7, 12).
        f1_low = f1 / stats.f.ppf(q, df_n, df_w)
        f1_high = f1 * stats.f.ppf(q, df_w, df_n)
        f3_low = f3 / stats.f.ppf(q, df_n, df_e)
        f3_high = f3 * stats.f.ppf(q, df_e, df_n)
        low1, high1 = 1 - k / (f1_low + k - 1), 1 - k / (f1_high + k - 1)
        low3, high3 = 1 - k / (f3_low + k - 1), 1 - k / (f3_high + k - 1)
        low1k, high1k = 1 - 1 / f1_low, 1 - 1 / f1_high
        low3k, high3k = 1 - 1 / f3_low, 1 - 1 / f3_high

        # ICC(2,.): Satterthwaite approximation (Shrout & Fleiss eq. 9, as psych).
        fj = np.where((msc == 0) & (mse == 0), 0.0, msc / mse)
        a = k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2
        vn = (k - 1) * (n - 1) * a**2
        vd = (n - 1) * k**2 * icc2**2 * fj**2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
        # Rater differences with no residual at all (fj = inf): the limit is k - 1.
        v = np.where(np.isinf(fj), k - 1, vn / vd)
        f2_upper = stats.f.ppf(q, df_n, v)
        f2_lower = stats.f.ppf(q, v, df_n)
        low2 = n * (msr - f2_upper * mse) / (f2_upper * (k * msc + (k * n - k - n) * mse) + n * msr)
        high2 = n * (f2_lower * msr - mse) / (k * msc + (k * n - k - n) * mse + n * f2_lower * msr)
        low2k = low2 * k / (1 + low2 * (k - 1))
        high2k = high2 * k / (1 + high2 * (k - 1))

    def stack(*columns: np.ndarray) -> np.ndarray:
        out = np.stack(np.broadcast_arrays(*columns), axis=-1).astype(float)
        out[~valid] = np.nan
        return out

    return {
        "icc": stack(icc1, icc2, icc3, icc1k, icc2k, icc3k),
        "ci_low": stack(low1, low2, low3, low1k, low2k, low3k),
        "ci_high": stack(high1, high2, high3, high1k, high2k, high3k),
        "f": stack(f1, f3, f3, f1, f3, f3),
        "df1": stack(df_n, df_n, df_n, df_n, df_n, df_n),
        "df2": stack(df_w, df_e, df_e, df_w, df_e, df_e),
        "p": stack(p1, p3, p3, p1, p3, p3),
    }


def forms_frame(results: dict[str, np.ndarray]) -> pd.DataFrame:
    """Six-row tidy table (columns :data:`TABLE_COLUMNS`) from :func:`icc_forms` output of one cell."""
    frame = pd.DataFrame({"form": FORMS, "model": MODELS, "type": TYPES, "unit": UNITS})
    for column in TABLE_COLUMNS[4:]:
        frame[column] = np.asarray(results[column], dtype=float).reshape(6)
    return frame
