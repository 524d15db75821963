"""Validation of right-censored survival data and small shared helpers (internal).

Every survival function of :mod:`rushrater.stats` goes through :func:`survival_data`, so the
rules for bad input live in one place: missing, negative or non-numeric times and events other
than 0/1 raise :class:`ValueError` naming the rows; rows with a missing predictor are left out
(complete cases, as R's ``na.omit``) and the count is stated in the result's warnings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._data import check_frame, listing

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: TRIPOD / Peduzzi: fewer events per candidate predictor than this gives an unstable model.
MIN_EVENTS_PER_PREDICTOR = 10


@dataclass
class SurvivalData:
    """Complete-case arrays of one analysis (rows in the DataFrame's order)."""

    time: FloatArray
    event: BoolArray
    x: FloatArray  # n x p (p may be 0)
    strata: IntArray  # 0..k-1
    predictors: list[str]
    index: pd.Index
    strata_labels: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return int(self.time.size)

    @property
    def events(self) -> int:
        return int(self.event.sum())


def _rows(labels: Sequence[object]) -> str:
    return listing([str(label) for label in labels])


def _numeric(frame: pd.DataFrame, column: str) -> FloatArray:
    col = frame[column]
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        return np.asarray(col.to_numpy(dtype=float, na_value=np.nan), dtype=float)
    if pd.api.types.is_bool_dtype(col):
        return np.asarray(col.astype(float).to_numpy(), dtype=float)
    values = pd.to_numeric(frame[column].replace("", np.nan), errors="coerce")
    bad = values.isna() & frame[column].notna() & (frame[column].astype(str).str.strip() != "")
    if bad.any():
        raise ValueError(f"column {column!r} must hold numbers; rows {_rows(list(frame.index[bad]))} do not "
                         "(code a category as 0/1 indicator columns)")
    numbers: FloatArray = values.to_numpy(dtype=float)
    return numbers


def survival_data(
    data: pd.DataFrame,
    time: str,
    event: str,
    predictors: Sequence[str] = (),
    strata: str | None = None,
    *,
    extra: Sequence[str] = (),
) -> SurvivalData:
    """Checked arrays for ``Surv(time, event) ~ predictors + strata(strata)``.

    ``extra`` columns (e.g. a marker) are treated like predictors. Raises :class:`ValueError`
    for missing/negative/non-numeric times, events other than 0/1 (or True/False), missing
    strata, or non-numeric predictors; rows with a missing predictor are dropped with a warning.
    """
    predictors = list(predictors) + [c for c in extra if c not in predictors]
    columns = [time, event, *predictors] + ([strata] if strata else [])
    frame = check_frame(data, list(dict.fromkeys(columns)))
    warnings: list[str] = []
    t = _numeric(frame, time)
    missing_t = np.isnan(t)
    if missing_t.any():
        raise ValueError(f"time column {time!r} is missing on rows {_rows(list(frame.index[missing_t]))}; "
                         "give every patient a follow-up time (or leave the rows out)")
    if not np.isfinite(t).all():
        raise ValueError(f"time column {time!r} is infinite on rows {_rows(list(frame.index[~np.isfinite(t)]))}")
    if (t < 0).any():
        raise ValueError(f"time column {time!r} is negative on rows {_rows(list(frame.index[t < 0]))}; "
                         "follow-up times count from the start of follow-up and cannot be negative")
    raw_event = frame[event]
    if raw_event.dtype == bool:
        e = raw_event.to_numpy(dtype=float)
    else:
        e = _numeric(frame, event)
    bad_e = ~np.isin(e, (0.0, 1.0))
    if bad_e.any():
        raise ValueError(f"event column {event!r} must be 1 (event) or 0 (censored); rows "
                         f"{_rows(list(frame.index[bad_e]))} are not")
    x = np.column_stack([_numeric(frame, c) for c in predictors]) if predictors else np.empty((len(frame), 0))
    if not np.isfinite(x[~np.isnan(x)]).all():
        raise ValueError("a predictor holds an infinite value")
    keep: BoolArray = np.asarray(~np.isnan(x).any(axis=1), dtype=bool)
    if strata:
        s_raw = frame[strata]
        s_missing = s_raw.isna() | (s_raw.astype(str).str.strip() == "")
        if s_missing.any():
            raise ValueError(f"strata column {strata!r} is missing on rows {_rows(list(frame.index[s_missing]))}")
        codes, uniques = pd.factorize(s_raw.astype(str), sort=True)
        s = np.asarray(codes, dtype=np.int64)
        labels = [str(u) for u in uniques]
    else:
        s = np.zeros(len(frame), dtype=np.int64)
        labels = []
    if not keep.all():
        warnings.append(f"{int((~keep).sum())} row(s) with a missing predictor left out (complete cases): rows "
                        f"{_rows(list(frame.index[~keep]))}")
    if keep.sum() == 0:
        raise ValueError("no rows with all predictors present")
    return SurvivalData(time=t[keep], event=e[keep].astype(bool), x=x[keep], strata=s[keep],
                        predictors=predictors, index=frame.index[keep], strata_labels=labels, warnings=warnings)


def require_events(d: SurvivalData, what: str) -> None:
    """Raise the usual clear messages when the data cannot support ``what``."""
    if d.events == 0:
        raise ValueError(f"{what}: there are no events (every patient is censored); nothing can be estimated")
    if np.unique(d.time[d.event]).size == 1 and d.events == d.n:
        raise ValueError(f"{what}: every patient has the event at the same time; there is no ordering to model")


def km(time: FloatArray, event: BoolArray) -> tuple[FloatArray, FloatArray]:
    """Kaplan–Meier estimate: unique times (all, censored too) and S(t) just after each."""
    times, inverse = np.unique(time, return_inverse=True)
    deaths = np.bincount(inverse, weights=event.astype(float), minlength=times.size)
    counts = np.bincount(inverse, minlength=times.size).astype(float)
    at_risk = np.cumsum(counts[::-1])[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        factors = np.where(at_risk > 0, 1.0 - deaths / at_risk, 1.0)
    return np.asarray(times, dtype=float), np.asarray(np.cumprod(factors), dtype=float)


def step(times: FloatArray, values: FloatArray, at: FloatArray, *, left: bool = False, start: float = 1.0) -> FloatArray:
    """Right-continuous step function (value at ``at``); ``left=True`` gives the value just before."""
    side: Literal["left", "right"] = "left" if left else "right"
    idx = np.searchsorted(times, at, side=side)
    padded = np.concatenate([[start], values])
    return np.asarray(padded[idx], dtype=float)


def parse_times(text: str | Sequence[float]) -> list[float]:
    """``"1,3,6"`` or a sequence -> sorted positive floats (ValueError otherwise)."""
    items = [s.strip() for s in text.split(",")] if isinstance(text, str) else list(text)
    out: list[float] = []
    for item in items:
        try:
            value = float(item)
        except (TypeError, ValueError):
            raise ValueError(f"time {item!r} is not a number; give times like 1,3,6") from None
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"time {item!r} must be a positive number")
        out.append(value)
    if not out:
        raise ValueError("give at least one time, e.g. 1,3,6")
    return out


def json_safe(value: object) -> object:
    """``value`` as plain JSON data, recursively: NaN/inf -> None, numpy arrays and scalars -> Python."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return [json_safe(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
