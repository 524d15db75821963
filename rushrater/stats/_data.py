"""Validation and reshaping of long-format rating tables (internal).

Every public function of :mod:`rushrater.stats` takes a long-format
DataFrame (one row per rating: who rated which case, and the scores) and goes
through :func:`long_to_array`, so the rules for bad input live in one place:

* missing id columns, missing target/rater ids, non-numeric or infinite scores
  raise :class:`ValueError` naming the offending rows;
* ``NaN`` scores are missing cells, never zeros;
* a (case, rater) pair rated twice is never averaged silently: it raises, or
  is averaged under the explicit ``duplicates="mean"`` policy, which is then
  recorded in the notes.
"""

from __future__ import annotations

import decimal
import numbers
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

DUPLICATE_POLICIES = ("raise", "mean")

# How many offending rows/pairs an error message lists before summarising.
_MAX_LISTED = 10


def listing(items: Sequence[str], limit: int = _MAX_LISTED) -> str:
    """Join ``items`` for a message, abbreviating long lists."""
    items = list(items)
    shown = ", ".join(items[:limit])
    if len(items) > limit:
        shown += f", ... ({len(items) - limit} more)"
    return shown


def show(label: object) -> str:
    """``repr`` of an id for messages, without numpy's ``np.int64(...)`` wrapper."""
    return repr(label.item() if isinstance(label, np.generic) else label)


def check_frame(data: object, columns: Sequence[str]) -> pd.DataFrame:
    """Check that ``data`` is a DataFrame holding each of ``columns`` once."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(
            f"column(s) {listing([repr(c) for c in missing])} not found in data; "
            f"available: {listing([repr(c) for c in data.columns], 30)}"
        )
    repeated = [c for c in dict.fromkeys(columns) if int((data.columns == c).sum()) > 1]
    if repeated:
        raise ValueError(f"column name(s) {listing([repr(c) for c in repeated])} occur more than once in data")
    return data


def check_confidence(confidence: float) -> float:
    """Return ``confidence`` as float after checking 0 < confidence < 1."""
    try:
        value = float(confidence)
    except (TypeError, ValueError):
        raise ValueError(f"confidence must be a number in (0, 1), not {confidence!r}") from None
    if not 0.0 < value < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1 (e.g. 0.95), not {confidence!r}")
    return value


def check_duplicates_policy(duplicates: str) -> str:
    if duplicates not in DUPLICATE_POLICIES:
        raise ValueError(f"duplicates must be one of {DUPLICATE_POLICIES}, not {duplicates!r}")
    return duplicates


def as_list(columns: str | Sequence[str], what: str) -> list[str]:
    """Accept one column name or a sequence of names; reject an empty list."""
    if isinstance(columns, str):
        return [columns]
    names = list(columns)
    if not names:
        raise ValueError(f"{what} must name at least one column")
    return names


def _is_number_or_missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (numbers.Real, decimal.Decimal)):
        return True
    return False


def _describe_rows(labels: Sequence[Hashable], values: Sequence[object] | np.ndarray | None = None) -> str:
    if values is None:
        parts = [f"row {label!r}" for label in labels]
    else:
        parts = [f"row {label!r} ({value!r})" for label, value in zip(labels, values)]
    return listing(parts)


def as_float(series: pd.Series, column: str) -> np.ndarray:
    """Convert a score column to float, ``NaN`` for missing cells.

    Raises
    ------
    ValueError
        If any non-missing value is not a real number (strings, booleans,
        dates...) or is infinite; the message names the offending rows by
        their index label.
    """
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        raise ValueError(f"score column {column!r} is boolean; scores must be numbers")
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        values: np.ndarray = series.to_numpy(dtype=float, na_value=np.nan)
    else:
        # Object, string or categorical columns: check element by element so the
        # message can name exactly the rows that hold text instead of numbers.
        raw = series.to_numpy(dtype=object)
        ok = np.fromiter((_is_number_or_missing(v) for v in raw), dtype=bool, count=raw.size)
        if not ok.all():
            bad = np.flatnonzero(~ok)
            raise ValueError(
                f"score column {column!r} has {bad.size} non-numeric value(s): "
                f"{_describe_rows(series.index[bad], raw[bad])}"
            )
        values = np.array([np.nan if pd.isna(v) else float(v) for v in raw], dtype=float)
    infinite = np.isinf(values)
    if infinite.any():
        bad = np.flatnonzero(infinite)
        raise ValueError(
            f"score column {column!r} has {bad.size} infinite value(s): "
            f"{_describe_rows(series.index[bad], values[bad])}"
        )
    return values


def _factorize(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes and labels, in sorted order when the labels sort."""
    try:
        codes, uniques = pd.factorize(series, sort=True)
    except TypeError:  # mixed, unorderable labels: keep order of appearance
        codes, uniques = pd.factorize(series, sort=False)
    return np.asarray(codes, dtype=np.int64), pd.Index(uniques)


@dataclass
class RatingArray:
    """Ratings reshaped to a dense ``(case, rater, score)`` array.

    Attributes
    ----------
    values : ndarray, shape (n_cases, n_raters, n_scores)
        ``NaN`` where a rater has no rating of a case for a score.
    cases : DataFrame
        One row per case with the key columns (e.g. timepoint and target), in
        the order of the first axis of ``values``.
    level_codes : ndarray of int, shape (n_cases,)
        Code of the first key column (the timepoint) when there are two keys,
        else zeros.
    levels : Index
        Labels of ``level_codes``.
    raters : Index
        Rater labels, in the order of the second axis.
    scores : list of str
    notes : list of str
        What was done to the data (missing cells, averaged duplicates...).
    """

    values: np.ndarray
    cases: pd.DataFrame
    level_codes: np.ndarray
    levels: pd.Index
    raters: pd.Index
    scores: list[str]
    notes: list[str] = field(default_factory=list)


def long_to_array(
    data: pd.DataFrame,
    *,
    keys: Sequence[str],
    rater: str,
    scores: Sequence[str],
    duplicates: str = "raise",
) -> RatingArray:
    """Pivot long-format ratings to a dense array (vectorised, no groupby).

    Parameters
    ----------
    data : DataFrame
        One row per rating.
    keys : sequence of str
        Column(s) identifying a case: ``[target]`` or ``[timepoint, target]``.
    rater : str
        Rater id column.
    scores : sequence of str
        Score columns.
    duplicates : {"raise", "mean"}
        What to do when a (case, rater) pair has several rows with scores.

    Returns
    -------
    RatingArray
    """
    keys = list(keys)
    scores = list(scores)
    check_frame(data, keys + [rater] + scores)
    check_duplicates_policy(duplicates)
    if rater in keys or set(scores) & set(keys + [rater]):
        raise ValueError("target, timepoint, rater and score columns must be different columns")

    for column in keys + [rater]:
        missing = data[column].isna().to_numpy()
        if missing.any():
            bad = np.flatnonzero(missing)
            raise ValueError(
                f"id column {column!r} is missing in {bad.size} row(s): {_describe_rows(data.index[bad])}"
            )

    values = np.column_stack([as_float(data[s], s) for s in scores]) if len(data) else np.empty((0, len(scores)))
    notes: list[str] = []

    # Cases: combine the codes of the key columns into one integer per row; the
    # combination preserves lexicographic order, so cases come out sorted.
    combined = np.zeros(len(data), dtype=np.int64)
    key_uniques: list[pd.Index] = []
    key_codes: list[np.ndarray] = []
    for column in keys:
        codes, uniques = _factorize(data[column])
        combined = combined * max(len(uniques), 1) + codes
        key_uniques.append(uniques)
        key_codes.append(codes)
    case_of_row, case_ids = pd.factorize(combined, sort=True)
    case_of_row = np.asarray(case_of_row, dtype=np.int64)
    n_cases = len(case_ids)
    first_row = np.zeros(n_cases, dtype=np.int64)
    first_row[case_of_row[::-1]] = np.arange(len(data))[::-1]
    cases = pd.DataFrame(
        {column: uniques[codes[first_row]] for column, uniques, codes in zip(keys, key_uniques, key_codes)}
    ).reset_index(drop=True)
    if len(keys) > 1:
        level_codes = key_codes[0][first_row]
        levels = key_uniques[0]
    else:
        level_codes = np.zeros(n_cases, dtype=np.int64)
        levels = pd.Index([None])

    rater_of_row, raters = _factorize(data[rater])
    n_raters = len(raters)

    rated = ~np.isnan(values)
    for j, column in enumerate(scores):
        n_missing = int((~rated[:, j]).sum())
        if n_missing:
            notes.append(f"{column}: {n_missing} row(s) without a score were treated as missing cells")

    # A row without any score carries no rating, so it cannot be a duplicate.
    with_score = rated.any(axis=1)
    cell = case_of_row * n_raters + rater_of_row
    cells, counts = np.unique(cell[with_score], return_counts=True)
    repeated = cells[counts > 1]

    out = np.full((n_cases, n_raters, len(scores)), np.nan)
    if repeated.size == 0:
        rows = np.flatnonzero(with_score)
        out[case_of_row[rows], rater_of_row[rows], :] = values[rows]
    else:
        repeated_counts = counts[counts > 1]
        described = []
        for c, count in zip(repeated, repeated_counts):
            case, r = divmod(int(c), n_raters)
            key_text = ", ".join(f"{column}={show(cases.at[case, column])}" for column in keys)
            described.append(f"({key_text}, {rater}={show(raters[r])}) x{count}")
        if duplicates == "raise":
            raise ValueError(
                f"{repeated.size} (case, rater) pair(s) have more than one rating; RUSH reliability needs one "
                f"independent read per rater and case (keep re-reads apart, or pass duplicates='mean' to "
                f"average them explicitly): {listing(described)}"
            )
        sums = np.zeros_like(out)
        counts_per_cell = np.zeros_like(out)
        rows = np.flatnonzero(with_score)
        filled = np.where(rated[rows], values[rows], 0.0)
        np.add.at(sums, (case_of_row[rows], rater_of_row[rows]), filled)
        np.add.at(counts_per_cell, (case_of_row[rows], rater_of_row[rows]), rated[rows].astype(float))
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(counts_per_cell > 0, sums / counts_per_cell, np.nan)
        notes.append(
            f"duplicates='mean': {repeated.size} (case, rater) pair(s) with several ratings were averaged: "
            f"{listing(described)}"
        )

    return RatingArray(
        values=out,
        cases=cases,
        level_codes=np.asarray(level_codes, dtype=np.int64),
        levels=levels,
        raters=raters,
        scores=scores,
        notes=notes,
    )
