"""Healing status from the RUSH total (slow healing: total < cutoff) and its agreement."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..domain.rubric import DEFAULT_SLOW_HEALING_CUTOFF
from ._data import as_float, long_to_array
from .ordinal import _fleiss_for_matrix

__all__ = ["SLOW_HEALING_CUTOFF", "classify_healing", "healing_agreement", "healing_agreement_by_target"]

#: RUSH total below which healing at one month is called slow (Frank et al.): the rubric's cut-off,
#: also the default of the study setting (domain.settings), defined once in domain.rubric.
SLOW_HEALING_CUTOFF: float = float(DEFAULT_SLOW_HEALING_CUTOFF)


def classify_healing(scores: pd.Series, cutoff: float = SLOW_HEALING_CUTOFF) -> pd.Series:
    """Slow healing flag: ``True`` when the RUSH total is below ``cutoff``.

    Parameters
    ----------
    scores : Series
        RUSH totals (NaN = not scored).
    cutoff : float, default 18

    Returns
    -------
    Series
        Nullable boolean with the same index: True (slow), False, or <NA>
        where the score is missing.  Non-numeric scores raise ValueError.

    References
    ----------
    Chiavaras MM et al. (2013). The Radiographic Union Score for Hip (RUSH):
    the use of a checklist to evaluate hip fracture healing improves agreement
    between radiologists and orthopedic surgeons. Skeletal Radiology
    42:1079-1088.
    """
    values = as_float(scores, str(scores.name))
    flag = pd.array(values < cutoff, dtype="boolean")
    flag[np.isnan(values)] = pd.NA
    return pd.Series(flag, index=scores.index, name="slow_healing")


def _status_matrix(
    data: pd.DataFrame, target: str, rater: str, score: str, cutoff: float, duplicates: str
) -> tuple[np.ndarray, pd.Index]:
    arr = long_to_array(data, keys=[target], rater=rater, scores=[score], duplicates=duplicates)
    y = arr.values[:, :, 0]
    # 1 = slow, 0 = not slow, NaN = not scored; classified after any averaging.
    status = np.where(np.isnan(y), np.nan, (y < cutoff).astype(float))
    return status, pd.Index(arr.cases[target])


def healing_agreement_by_target(
    data: pd.DataFrame,
    target: str,
    rater: str,
    score: str,
    *,
    cutoff: float = SLOW_HEALING_CUTOFF,
    duplicates: str = "raise",
) -> pd.DataFrame:
    """Per-target agreement on slow healing (total < cutoff).

    Pairwise agreement of a target with m ratings of which s say slow is
    ``[C(s, 2) + C(m - s, 2)] / C(m, 2)``: the share of rater pairs that agree.

    Returns
    -------
    DataFrame
        Columns ``target, n_ratings, n_slow, pairwise_agreement, unanimous``;
        agreement is NaN (unanimous <NA>) for targets with fewer than two
        ratings.

    References
    ----------
    Fleiss JL (1971). Psychological Bulletin 76(5):378-382.
    """
    status, targets = _status_matrix(data, target, rater, score, cutoff, duplicates)
    m = (~np.isnan(status)).sum(axis=1).astype(float)
    s = np.nansum(status, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        agreement = (s * (s - 1) + (m - s) * (m - s - 1)) / (m * (m - 1))
    agreement[m < 2] = np.nan
    unanimous = pd.array((s == 0) | (s == m), dtype="boolean")
    unanimous[m < 2] = pd.NA
    return pd.DataFrame(
        {
            "target": targets,
            "n_ratings": m.astype(np.int64),
            "n_slow": s.astype(np.int64),
            "pairwise_agreement": agreement,
            "unanimous": unanimous,
        }
    )


def healing_agreement(
    data: pd.DataFrame,
    target: str,
    rater: str,
    score: str,
    *,
    cutoff: float = SLOW_HEALING_CUTOFF,
    duplicates: str = "raise",
) -> pd.DataFrame:
    """Agreement across raters on slow healing (RUSH total < cutoff).

    Percent agreement is the mean over targets of the per-target pairwise
    agreement (targets with at least two ratings); Fleiss' kappa corrects it
    for chance on the targets rated by every rater.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per rating.
    target, rater, score : str
        Id columns and the RUSH total column.
    cutoff : float, default 18
    duplicates : {"raise", "mean"}

    Returns
    -------
    DataFrame
        One row with columns ``cutoff, n_targets, n_raters, n_slow_ratings,
        percent_agreement, percent_unanimous, fleiss_kappa, n_targets_kappa,
        excluded_targets, note`` (percentages 0-100, ``excluded_targets``
        counts targets left out of kappa).

    References
    ----------
    Fleiss JL (1971). Measuring nominal scale agreement among many raters.
    Psychological Bulletin 76(5):378-382.
    """
    per_target = healing_agreement_by_target(data, target, rater, score, cutoff=cutoff, duplicates=duplicates)
    status, _ = _status_matrix(data, target, rater, score, cutoff, duplicates)
    usable = per_target["n_ratings"] >= 2
    kappa, n_kappa, n_raters, excluded, note = _fleiss_for_matrix(status, [0.0, 1.0], score)
    if not usable.any():
        note = "; ".join(filter(None, ["no target has two ratings: agreement undefined", note]))
    return pd.DataFrame(
        [
            {
                "cutoff": float(cutoff),
                "n_targets": int(usable.sum()),
                "n_raters": n_raters,
                "n_slow_ratings": int(np.nansum(status)),
                "percent_agreement": 100.0 * float(per_target.loc[usable, "pairwise_agreement"].mean())
                if usable.any() else np.nan,
                "percent_unanimous": 100.0 * float(per_target.loc[usable, "unanimous"].astype(float).mean())
                if usable.any() else np.nan,
                "fleiss_kappa": kappa,
                "n_targets_kappa": n_kappa,
                "excluded_targets": excluded,
                "note": note,
            }
        ]
    )
