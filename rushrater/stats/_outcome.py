"""Shared input handling of the outcome statistics (compare, match, logistic, correlate, roc).

Every outcome statistic takes a per-patient DataFrame and column names.  Bad input raises
:class:`ValueError` with a message that names the column and the fix; missing values are never
dropped silently: each function reports, per variable, how many values were missing and the
``n`` it used (:class:`MissingReport`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]


def check_frame(data: object, columns: Sequence[str]) -> pd.DataFrame:
    """``data`` as a DataFrame holding every column in ``columns`` (a clear error otherwise)."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if not columns:
        raise ValueError("no variables given; name at least one column")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(
            f"column(s) {', '.join(repr(c) for c in missing)} not in the data; "
            f"available: {', '.join(map(str, data.columns))}"
        )
    repeated = sorted({c for c in columns if list(columns).count(c) > 1})
    if repeated:
        raise ValueError(f"column(s) {', '.join(map(repr, repeated))} named more than once")
    return data


def numeric(data: pd.DataFrame, column: str) -> FloatArray:
    """A column as floats (NaN for missing); a non-numeric value is an error naming its row."""
    values = pd.to_numeric(data[column], errors="coerce")
    bad = values.isna() & data[column].notna()
    if bad.any():
        row = bad.to_numpy().nonzero()[0][0]
        raise ValueError(
            f"column {column!r} must be numeric; row {row + 1} holds {data[column].iloc[row]!r}"
        )
    floats: FloatArray = values.to_numpy(dtype=np.float64)
    return floats


@dataclass(frozen=True)
class BinaryCoding:
    """How a two-valued column was read as 0/1: ``event`` is the value coded 1."""

    column: str
    event: Any
    reference: Any

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "event": _plain(self.event), "reference": _plain(self.reference)}


def binary(data: pd.DataFrame, column: str) -> tuple[FloatArray, BinaryCoding]:
    """A two-valued column as 0.0/1.0 (NaN for missing) and the coding used.

    0/1 and False/True keep their meaning; any other two values are coded in sorted order, the
    second being the event (as R codes a factor's second level as 1 in ``glm(binomial)``).
    """
    series = data[column]
    present = series.dropna()
    levels = sorted(pd.unique(present).tolist(), key=_sort_key)
    if len(levels) != 2:
        shown = ", ".join(map(repr, levels[:6])) + (" …" if len(levels) > 6 else "")
        if len(levels) < 2:
            raise ValueError(
                f"{column!r} must be binary (two values) but has {len(levels)} distinct value(s)"
                f"{': ' + shown if levels else ' (all missing)'}; every patient is in the same group"
            )
        raise ValueError(
            f"{column!r} must be binary (two values, e.g. 0/1) but has {len(levels)}: {shown}; "
            "recode it or choose another column"
        )
    if set(levels) <= {0, 1} or set(levels) <= {False, True}:
        reference, event = levels  # 0/False, 1/True
    else:
        reference, event = levels
    coded = np.full(len(series), np.nan)
    mask = series.notna().to_numpy()
    coded[mask] = (series[mask] == event).to_numpy(dtype=np.float64)
    return coded, BinaryCoding(column, event, reference)


@dataclass
class MissingReport:
    """Per variable: values missing and the number of rows used after listwise deletion."""

    n_rows: int
    missing: dict[str, int] = field(default_factory=dict)
    n_used: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"n_rows": self.n_rows, "n_used": self.n_used, "missing": dict(self.missing)}

    def note(self) -> str | None:
        """One line for the user when anything was left out, else ``None``."""
        lost = {k: v for k, v in self.missing.items() if v}
        if not lost:
            return None
        listing = ", ".join(f"{k} {v}" for k, v in lost.items())
        return f"missing values: {listing}; {self.n_used} of {self.n_rows} rows used"


def complete_rows(columns: dict[str, FloatArray]) -> tuple[npt.NDArray[np.bool_], MissingReport]:
    """Rows complete in every column, and the report of what was missing per column."""
    n = len(next(iter(columns.values())))
    keep = np.ones(n, dtype=bool)
    report = MissingReport(n_rows=n)
    for name, values in columns.items():
        isnan = np.isnan(values)
        report.missing[name] = int(isnan.sum())
        keep &= ~isnan
    report.n_used = int(keep.sum())
    return keep, report


def finite_or_none(value: float) -> float | None:
    """JSON has no NaN: a non-finite number becomes ``None``."""
    value = float(value)
    return value if np.isfinite(value) else None


def _plain(value: Any) -> Any:
    """numpy scalars as Python scalars (for JSON)."""
    return value.item() if isinstance(value, np.generic) else value


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, (int, float, np.number, bool)) else (1, str(value))


def json_object(value: dict[str, Any]) -> dict[str, Any]:
    """:func:`jsonable` of a dict, typed as one."""
    result: dict[str, Any] = jsonable(value)
    return result


def jsonable(value: Any) -> Any:
    """Recursively replace numpy scalars and non-finite floats so ``json.dumps`` gives valid JSON."""
    if isinstance(value, dict):
        return {str(_plain(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    value = _plain(value)
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
