"""Bland-Altman limits of agreement for RUSH totals."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd
from scipy import stats

from ._data import as_float, check_confidence, check_frame, listing, long_to_array

__all__ = ["BLAND_ALTMAN_COLUMNS", "bland_altman", "limits_of_agreement"]

#: Columns of :func:`bland_altman`.
BLAND_ALTMAN_COLUMNS: tuple[str, ...] = (
    "comparison", "rater_a", "rater_b", "n", "bias", "sd", "loa_low", "loa_high",
    "bias_ci_low", "bias_ci_high", "loa_low_ci_low", "loa_low_ci_high", "loa_high_ci_low", "loa_high_ci_high",
    "note",
)


def limits_of_agreement(
    differences: np.ndarray, *, confidence: float = 0.95, loa_z: float = 1.96
) -> dict[str, float]:
    """Bias, SD and limits of agreement of paired differences, with CIs.

    ``bias = mean(d)``, ``sd = SD(d)`` (n - 1 denominator), limits
    ``bias -/+ loa_z * sd``.  CIs use the t distribution with n - 1 df:
    ``bias +/- t * sd / sqrt(n)`` and ``limit +/- t * sqrt(3 * sd**2 / n)``,
    the approximate standard error of a limit given by Bland & Altman (1999).

    Parameters
    ----------
    differences : array_like
        Paired differences (NaN are dropped).
    confidence : float, default 0.95
        Level of the CIs of bias and limits.
    loa_z : float, default 1.96
        Multiplier of the SD for the limits (1.96 for 95 % limits).

    Returns
    -------
    dict
        Keys ``n, bias, sd, loa_low, loa_high, bias_ci_low, bias_ci_high,
        loa_low_ci_low, loa_low_ci_high, loa_high_ci_low, loa_high_ci_high``;
        SD, limits and CIs are NaN when n < 2.

    References
    ----------
    Bland JM, Altman DG (1986). Statistical methods for assessing agreement
    between two methods of clinical measurement. Lancet i:307-310.
    Bland JM, Altman DG (1999). Measuring agreement in method comparison
    studies. Statistical Methods in Medical Research 8(2):135-160.
    """
    confidence = check_confidence(confidence)
    d = np.asarray(differences, dtype=float)
    d = d[~np.isnan(d)]
    n = d.size
    nan = float("nan")
    bias = float(d.mean()) if n else nan
    if n < 2:
        sd = nan
        t = nan
    else:
        sd = float(d.std(ddof=1))
        t = float(stats.t.ppf(0.5 + confidence / 2.0, n - 1))
    low, high = bias - loa_z * sd, bias + loa_z * sd
    se_bias = sd / np.sqrt(n) if n else nan
    se_limit = np.sqrt(3.0 * sd**2 / n) if n else nan
    return {
        "n": n,
        "bias": bias,
        "sd": sd,
        "loa_low": low,
        "loa_high": high,
        "bias_ci_low": bias - t * se_bias,
        "bias_ci_high": bias + t * se_bias,
        "loa_low_ci_low": low - t * se_limit,
        "loa_low_ci_high": low + t * se_limit,
        "loa_high_ci_low": high - t * se_limit,
        "loa_high_ci_high": high + t * se_limit,
    }


def _consensus_column(data: pd.DataFrame, target: str, consensus: str, targets: pd.Index) -> np.ndarray:
    """One consensus value per target from a column repeated on the target's rows."""
    values = pd.Series(as_float(data[consensus], consensus), index=data.index)
    frame = pd.DataFrame({"target": data[target].to_numpy(), "value": values.to_numpy()})
    frame = frame.dropna(subset=["value"])
    spread = frame.groupby("target", sort=False)["value"].agg(["min", "max"])
    inconsistent = spread.index[spread["min"] != spread["max"]]
    if len(inconsistent):
        raise ValueError(
            f"consensus column {consensus!r} must hold one value per target; it differs within target(s) "
            f"{listing([repr(t) for t in inconsistent])}"
        )
    per_target: np.ndarray = spread["min"].reindex(targets).to_numpy(dtype=float)
    return per_target


def bland_altman(
    data: pd.DataFrame,
    target: str,
    rater: str,
    score: str,
    *,
    consensus: str | None = None,
    pairs: bool = True,
    confidence: float = 0.95,
    loa_z: float = 1.96,
    duplicates: str = "raise",
) -> pd.DataFrame:
    """Bland-Altman bias and limits of agreement per rater pair and vs consensus.

    Differences are ``rater_a - rater_b`` on the targets both rated.  Against
    consensus, each rater is compared with the mean of the *other* raters'
    scores of that target (so the rater is not compared with itself), or with
    a given consensus column.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per rating.
    target, rater, score : str
        Id columns and the score (e.g. the RUSH total).
    consensus : str, optional
        Column holding the consensus score of each target, repeated on its rows
        (NaN allowed where no consensus exists).  Default: mean of the others.
    pairs : bool, default True
        Include every rater pair; the rater-vs-consensus rows are always
        included.
    confidence : float, default 0.95
        Level of the CIs of bias and limits.
    loa_z : float, default 1.96
    duplicates : {"raise", "mean"}

    Returns
    -------
    DataFrame
        Columns :data:`BLAND_ALTMAN_COLUMNS`: ``comparison`` ("pair" or
        "consensus"), ``rater_a``, ``rater_b`` (a rater, ``"mean of others"``
        or the consensus column name), ``n``, ``bias``, ``sd``, ``loa_low``,
        ``loa_high`` and CIs of bias and of each limit, ``note``.

    Notes
    -----
    The mean of the others is taken over the other raters who rated the
    target; with incomplete data it may average different raters for
    different targets, which the ``note`` then says.

    References
    ----------
    Bland JM, Altman DG (1986). Lancet i:307-310.
    Bland JM, Altman DG (1999). Measuring agreement in method comparison
    studies. Statistical Methods in Medical Research 8(2):135-160.
    """
    confidence = check_confidence(confidence)
    check_frame(data, [target, rater, score] + ([consensus] if consensus else []))
    arr = long_to_array(data, keys=[target], rater=rater, scores=[score], duplicates=duplicates)
    y = arr.values[:, :, 0]
    present = ~np.isnan(y).all(axis=0)
    raters: list[tuple[int, Hashable]] = [(j, r) for j, r in enumerate(arr.raters) if present[j]]
    rows = []

    def add(comparison: str, a: Hashable, b: Hashable, diff: np.ndarray, note: str = "") -> None:
        res = limits_of_agreement(diff, confidence=confidence, loa_z=loa_z)
        if res["n"] < 2:
            note = "; ".join(filter(None, [note, "fewer than two paired ratings: SD and limits undefined"]))
        rows.append({"comparison": comparison, "rater_a": a, "rater_b": b, **res, "note": note})

    if pairs:
        for x, (i, rater_a) in enumerate(raters):
            for j, rater_b in raters[x + 1 :]:
                add("pair", rater_a, rater_b, y[:, i] - y[:, j])

    if consensus is not None:
        reference = _consensus_column(data, target, consensus, pd.Index(arr.cases[target]))
        for i, name in raters:
            add("consensus", name, consensus, y[:, i] - reference)
    else:
        counts = (~np.isnan(y)).sum(axis=1)
        totals = np.nansum(y, axis=1)
        n_present = int(present.sum())
        for i, name in raters:
            own = ~np.isnan(y[:, i])
            others = counts - own
            with np.errstate(invalid="ignore", divide="ignore"):
                mean_others = np.where(others > 0, (totals - np.where(own, y[:, i], 0.0)) / others, np.nan)
            usable = own & (others > 0)
            note = ""
            if np.any(usable & (others < n_present - 1)):
                note = "mean of others averages different raters for some targets (incomplete data)"
            add("consensus", name, "mean of others", y[:, i] - mean_others, note)

    return pd.DataFrame(rows, columns=list(BLAND_ALTMAN_COLUMNS))
