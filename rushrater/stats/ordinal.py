"""Agreement on ordinal item scores (RUSH items are 1, 2 or 3).

Long-format ratings in, tidy DataFrame out, one row per score column (and per
rater pair for weighted kappa):

* :func:`krippendorff_alpha` - Krippendorff's alpha (ordinal by default) from
  all pairable ratings, via the ``krippendorff`` package;
* :func:`fleiss_kappa` - Fleiss' kappa on targets rated by every rater, via
  ``statsmodels.stats.inter_rater``;
* :func:`weighted_kappa` / :func:`weighted_kappa_matrix` - Cohen's kappa,
  unweighted or with linear or quadratic weights, for each pair of raters.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Literal, TypeGuard, get_args

import krippendorff
import numpy as np
import pandas as pd
from statsmodels.stats import inter_rater

from ._anova import complete_rows
from ._data import as_list, listing, long_to_array

__all__ = ["KAPPA_WEIGHTS", "krippendorff_alpha", "fleiss_kappa", "fleiss_kappa_counts", "weighted_kappa",
           "weighted_kappa_matrix"]

#: Weighting schemes accepted by :func:`weighted_kappa`.
KAPPA_WEIGHTS = ("unweighted", "linear", "quadratic")
#: Levels of measurement of :func:`krippendorff_alpha` (the ``krippendorff`` package's names).
Level = Literal["nominal", "ordinal", "interval", "ratio"]
_LEVELS: tuple[Level, ...] = get_args(Level)


def _is_level(level: str) -> TypeGuard[Level]:
    return level in _LEVELS


def _categories(values: np.ndarray, categories: Sequence[float] | np.ndarray | None, score: str) -> np.ndarray:
    """Sorted category values; every observed value must be one of them."""
    observed = np.unique(values[~np.isnan(values)])
    if categories is None:
        return observed
    cats = np.asarray(sorted(float(c) for c in categories), dtype=float)
    if np.unique(cats).size != cats.size:
        raise ValueError(f"categories contain duplicates: {list(categories)!r}")
    outside = observed[~np.isin(observed, cats)]
    if outside.size:
        raise ValueError(
            f"{score!r} has value(s) {listing([f'{v:g}' for v in outside])} outside the categories "
            f"{listing([f'{c:g}' for c in cats])}"
        )
    return cats


def krippendorff_alpha(
    data: pd.DataFrame,
    target: str,
    rater: str,
    score: str | Sequence[str],
    *,
    level: str = "ordinal",
    value_domain: Sequence[float] | None = None,
    duplicates: str = "raise",
) -> pd.DataFrame:
    """Krippendorff's alpha for each score column.

    Alpha uses every pairable rating (targets with at least two ratings), so
    targets with missing ratings still contribute.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per rating.
    target, rater : str
        Id columns.
    score : str or sequence of str
        Score column(s); one result row each.
    level : {"ordinal", "nominal", "interval", "ratio"}, default "ordinal"
        Level of measurement (the metric of the disagreement).
    value_domain : sequence of numbers, optional
        The possible values, e.g. ``[1, 2, 3]`` for RUSH items; default the
        values observed.  Observed values outside it raise ValueError.
    duplicates : {"raise", "mean"}

    Returns
    -------
    DataFrame
        Columns ``score, level, alpha, n_targets, n_raters, n_ratings, note``;
        ``n_targets`` and ``n_ratings`` count pairable targets and ratings.
        ``alpha`` is NaN (with the reason in ``note``) when no target has two
        ratings or all pairable ratings are equal.

    References
    ----------
    Krippendorff K (2011). Computing Krippendorff's alpha-reliability.
    Annenberg School for Communication, University of Pennsylvania.
    Krippendorff K (2004). Content Analysis: An Introduction to Its
    Methodology, 2nd ed. Sage.
    Hayes AF, Krippendorff K (2007). Answering the call for a standard
    reliability measure for coding data. Communication Methods and Measures
    1(1):77-89.
    """
    if not _is_level(level):
        raise ValueError(f"level must be one of {_LEVELS}, not {level!r}")
    scores = as_list(score, "score")
    arr = long_to_array(data, keys=[target], rater=rater, scores=scores, duplicates=duplicates)
    rows = []
    for s, name in enumerate(scores):
        y = arr.values[:, :, s]
        domain = _categories(y, value_domain, name)
        per_target = (~np.isnan(y)).sum(axis=1)
        pairable = per_target >= 2
        n_raters = int((~np.isnan(y)).any(axis=0).sum())
        pairable_values = y[pairable][~np.isnan(y[pairable])]
        note = ""
        alpha = np.nan
        if not pairable.any():
            note = "no target has two ratings: alpha undefined"
        elif np.unique(pairable_values).size < 2:
            note = "all pairable ratings are equal (no variation): alpha undefined"
        else:
            alpha = float(
                krippendorff.alpha(
                    reliability_data=y.T,  # the package wants raters x units
                    value_domain=domain,
                    level_of_measurement=level,
                )
            )
        rows.append(
            {
                "score": name,
                "level": level,
                "alpha": alpha,
                "n_targets": int(pairable.sum()),
                "n_raters": n_raters,
                "n_ratings": int(pairable_values.size),
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=["score", "level", "alpha", "n_targets", "n_raters", "n_ratings", "note"])


def fleiss_kappa_counts(table: np.ndarray) -> float:
    """Fleiss' kappa from a targets x categories table of counts.

    Every row must sum to the same number of ratings (Fleiss' design).
    Returns NaN when chance agreement is 1 (a single category used).

    References
    ----------
    Fleiss JL (1971). Measuring nominal scale agreement among many raters.
    Psychological Bulletin 76(5):378-382.
    """
    table = np.asarray(table, dtype=float)
    totals = table.sum(axis=1)
    if table.ndim != 2 or table.shape[0] == 0 or np.any(totals != totals[0]) or totals[0] < 2:
        raise ValueError("Fleiss' kappa needs a non-empty table with the same number (>= 2) of ratings per target")
    p_category = table.sum(axis=0) / table.sum()
    if np.isclose((p_category**2).sum(), 1.0):
        return float("nan")
    return float(inter_rater.fleiss_kappa(table, method="fleiss"))


def _fleiss_for_matrix(
    y: np.ndarray, categories: Sequence[float] | None, name: str
) -> tuple[float, int, int, int, str]:
    """Fleiss' kappa of a targets x raters matrix with NaN: complete targets only."""
    rows, cols = complete_rows(y)
    n_raters = int(cols.sum())
    complete = y[rows][:, cols]
    excluded = int(y.shape[0] - rows.sum())
    if n_raters < 2:
        return np.nan, 0, n_raters, excluded, "fewer than two raters: kappa undefined"
    if complete.shape[0] == 0:
        return np.nan, 0, n_raters, excluded, "no target rated by all raters: kappa undefined"
    cats = _categories(complete, categories, name)
    counts = (complete[:, :, None] == cats[None, None, :]).sum(axis=1)
    kappa = fleiss_kappa_counts(counts)
    note = "" if np.isfinite(kappa) else "all ratings in one category: kappa undefined"
    if excluded:
        note = "; ".join(filter(None, [note, f"{excluded} target(s) excluded (not rated by all raters)"]))
    return kappa, complete.shape[0], n_raters, excluded, note


def fleiss_kappa(
    data: pd.DataFrame,
    target: str,
    rater: str,
    score: str | Sequence[str],
    *,
    categories: Sequence[float] | None = None,
    duplicates: str = "raise",
) -> pd.DataFrame:
    """Fleiss' kappa (nominal agreement among many raters) per score column.

    Fleiss' kappa assumes the same number of ratings per target, so it is
    computed on the targets rated by every rater who rated that score (a
    rater without ratings is absent); the others are excluded and counted.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per rating.
    target, rater : str
    score : str or sequence of str
    categories : sequence of numbers, optional
        The possible categories (default: those observed); values outside
        raise ValueError.  Unused categories do not change kappa.
    duplicates : {"raise", "mean"}

    Returns
    -------
    DataFrame
        Columns ``score, kappa, n_targets, n_raters, excluded_targets, note``.

    References
    ----------
    Fleiss JL (1971). Measuring nominal scale agreement among many raters.
    Psychological Bulletin 76(5):378-382.
    """
    scores = as_list(score, "score")
    arr = long_to_array(data, keys=[target], rater=rater, scores=scores, duplicates=duplicates)
    rows = []
    for s, name in enumerate(scores):
        kappa, n, k, excluded, note = _fleiss_for_matrix(arr.values[:, :, s], categories, name)
        rows.append(
            {"score": name, "kappa": kappa, "n_targets": n, "n_raters": k, "excluded_targets": excluded, "note": note}
        )
    return pd.DataFrame(rows, columns=["score", "kappa", "n_targets", "n_raters", "excluded_targets", "note"])


def _disagreement_weights(n_categories: int, weights: str) -> np.ndarray:
    if weights not in KAPPA_WEIGHTS:
        raise ValueError(f"weights must be one of {KAPPA_WEIGHTS}, not {weights!r}")
    i = np.arange(n_categories)
    distance: np.ndarray = np.abs(i[:, None] - i[None, :]).astype(float)
    if weights == "unweighted":
        return (distance > 0).astype(float)
    if weights == "linear":
        return distance
    return distance**2


def weighted_kappa(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    *,
    weights: str = "linear",
    categories: Sequence[float] | np.ndarray | None = None,
) -> float:
    """Cohen's (weighted) kappa of two raters' paired ordinal ratings.

    ``kappa_w = 1 - sum(w * observed) / sum(w * expected)`` with disagreement
    weights ``w_ij = |i - j|`` (linear) or ``(i - j)**2`` (quadratic) on the
    category ranks; scaling the weights (e.g. by ``1/(c-1)``) cancels.  Pairs
    with a missing rating are dropped.

    Parameters
    ----------
    a, b : array_like
        Ratings of the same targets by two raters (NaN = missing).
    weights : {"linear", "quadratic", "unweighted"}, default "linear"
    categories : sequence of numbers, optional
        Ordered categories (e.g. ``[1, 2, 3]``); default the observed values.
        Their ranks, not their values, define the distances.

    Returns
    -------
    float
        NaN when fewer than one complete pair or when chance disagreement is
        zero (both raters used one and the same category).

    References
    ----------
    Cohen J (1968). Weighted kappa: nominal scale agreement with provision for
    scaled disagreement or partial credit. Psychological Bulletin
    70(4):213-220.
    Fleiss JL, Cohen J (1973). The equivalence of weighted kappa and the
    intraclass correlation coefficient as measures of reliability.
    Educational and Psychological Measurement 33:613-619.
    """
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError("a and b must be one-dimensional and of equal length")
    both = ~np.isnan(x) & ~np.isnan(y)
    x, y = x[both], y[both]
    cats = _categories(np.concatenate([x, y]), categories, "ratings")
    w = _disagreement_weights(cats.size, weights)
    if x.size == 0:
        return float("nan")
    ia = np.searchsorted(cats, x)
    ib = np.searchsorted(cats, y)
    observed = np.bincount(ia * cats.size + ib, minlength=cats.size**2).reshape(cats.size, cats.size) / x.size
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    chance = float((w * expected).sum())
    if chance == 0.0:
        return float("nan")
    return 1.0 - float((w * observed).sum()) / chance


def weighted_kappa_matrix(
    data: pd.DataFrame,
    target: str,
    rater: str,
    score: str | Sequence[str],
    *,
    weights: str | Sequence[str] = ("linear", "quadratic"),
    categories: Sequence[float] | None = None,
    duplicates: str = "raise",
) -> pd.DataFrame:
    """Pairwise Cohen's weighted kappa for every pair of raters, tidy.

    Each pair uses the targets both raters rated.  For a square matrix use
    e.g. ``res.query("weights == 'linear'").pivot(index="rater_a",
    columns="rater_b", values="kappa")``.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per rating.
    target, rater : str
    score : str or sequence of str
    weights : str or sequence of str, default ("linear", "quadratic")
        Any of ``"unweighted"``, ``"linear"``, ``"quadratic"``.
    categories : sequence of numbers, optional
        Ordered categories shared by all pairs (default: all values observed
        in that score column), so every pair is weighted on the same scale.
    duplicates : {"raise", "mean"}

    Returns
    -------
    DataFrame
        Columns ``score, rater_a, rater_b, weights, kappa, n_targets, note``,
        one row per score, unordered rater pair and weighting.

    References
    ----------
    Cohen J (1968). Psychological Bulletin 70(4):213-220.
    """
    scores = as_list(score, "score")
    weight_list = as_list(weights, "weights")
    for w in weight_list:
        _disagreement_weights(2, w)
    arr = long_to_array(data, keys=[target], rater=rater, scores=scores, duplicates=duplicates)
    rows: list[dict[str, object]] = []
    for s, name in enumerate(scores):
        y = arr.values[:, :, s]
        cats = _categories(y, categories, name)
        present = ~np.isnan(y).all(axis=0)
        raters: list[tuple[int, Hashable]] = [(j, r) for j, r in enumerate(arr.raters) if present[j]]
        for x, (i, rater_a) in enumerate(raters):
            for j, rater_b in raters[x + 1 :]:
                both = ~np.isnan(y[:, i]) & ~np.isnan(y[:, j])
                for w in weight_list:
                    kappa = weighted_kappa(y[:, i], y[:, j], weights=w, categories=cats)
                    if not both.any():
                        note = "no target rated by both raters"
                    elif np.isnan(kappa):
                        note = "both raters used one and the same category: kappa undefined"
                    else:
                        note = ""
                    rows.append(
                        {
                            "score": name,
                            "rater_a": rater_a,
                            "rater_b": rater_b,
                            "weights": w,
                            "kappa": kappa,
                            "n_targets": int(both.sum()),
                            "note": note,
                        }
                    )
    return pd.DataFrame(rows, columns=["score", "rater_a", "rater_b", "weights", "kappa", "n_targets", "note"])
