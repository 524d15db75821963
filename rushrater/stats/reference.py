"""Agreement of raters with a reference standard (rater training and calibration, issue 17).

Long-format reads in (one row per rater and case, the rater's score and the reference score in two
columns), tidy DataFrame out: per rater and score column, Cohen's weighted kappa of the rater
against the reference and the mean difference rater - reference (bias, in points).

Weighted kappa is :func:`rushrater.stats.ordinal.weighted_kappa` (the reference plays the second
rater); categories are given so every rater is weighted on the same scale, e.g. 1-3 for a RUSH item
and 10-30 for the total.

R: ``psych::cohen.kappa(cbind(rater, reference), w = abs(outer(1:k, 1:k, "-")),
levels = categories)$weighted.kappa`` for the linear-weighted kappa over ``k`` categories (psych's
default ``w`` is quadratic); ``mean(rater - reference)`` for the bias.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .ordinal import weighted_kappa

__all__ = ["agreement_with_reference"]


def agreement_with_reference(
    data: pd.DataFrame,
    rater: str,
    scores: Mapping[str, str],
    *,
    categories: Mapping[str, Sequence[float]] | None = None,
    weights: str = "linear",
) -> pd.DataFrame:
    """Per rater and score: weighted kappa against the reference, bias and mean absolute difference.

    Parameters
    ----------
    data : DataFrame
        One row per rater and target (e.g. a training case).
    rater : str
        Column naming the rater.
    scores : mapping
        ``{rater's score column: reference score column}``.
    categories : mapping, optional
        ``{rater's score column: ordered categories}`` (default: the values observed for that score).
    weights : {"linear", "quadratic", "unweighted"}

    Returns
    -------
    DataFrame
        Columns ``rater, score, kappa, bias, mean_abs_difference, n_targets, note``; kappa is NaN when
        rater and reference used one and the same category (chance disagreement zero).

    References
    ----------
    Cohen J (1968). Weighted kappa. Psychological Bulletin 70(4):213-220.
    Kottner J et al. (2011). Guidelines for Reporting Reliability and Agreement Studies (GRRAS).
    J Clin Epidemiol 64:96-106 (item 7: rater training).
    """
    rows: list[dict[str, object]] = []
    for who, reads in data.groupby(rater, sort=True):
        for score, reference in scores.items():
            a = reads[score].to_numpy(dtype=float)
            b = reads[reference].to_numpy(dtype=float)
            both = ~np.isnan(a) & ~np.isnan(b)
            cats = None if categories is None else categories.get(score)
            kappa = weighted_kappa(a, b, weights=weights, categories=cats) if both.any() else float("nan")
            difference = a[both] - b[both]
            if not both.any():
                note = "no target scored"
            elif np.isnan(kappa):
                note = "rater and reference used one and the same category: kappa undefined"
            else:
                note = ""
            rows.append({
                "rater": who,
                "score": score,
                "kappa": kappa,
                "bias": float(difference.mean()) if difference.size else float("nan"),
                "mean_abs_difference": float(np.abs(difference).mean()) if difference.size else float("nan"),
                "n_targets": int(both.sum()),
                "note": note,
            })
    return pd.DataFrame(rows, columns=["rater", "score", "kappa", "bias", "mean_abs_difference", "n_targets", "note"])
