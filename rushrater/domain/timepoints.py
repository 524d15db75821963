"""Follow-up time points: keys like ``day1``, ``week6``, ``month1``, ``year1``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ValidationError

_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_PATTERN = re.compile(r"^(day|week|month|year)[ _-]?(\d{1,4})$")
_SPECIAL = {"preop": ("Pre-operative", 0), "postop": ("Post-operative", 0), "final": ("Final follow-up", None)}


@dataclass(frozen=True)
class TimepointSpec:
    key: str
    label: str
    nominal_day: int | None


def parse_timepoint(text: str) -> TimepointSpec:
    key = text.strip().lower().replace(" ", "")
    if not key:
        raise ValidationError("empty time point", fix="write time points like day1,month1")
    match = _PATTERN.match(key)
    if match:
        unit, number = match.group(1), int(match.group(2))
        return TimepointSpec(f"{unit}{number}", f"{unit.capitalize()} {number}", number * _UNIT_DAYS[unit])
    if key in _SPECIAL:
        label, day = _SPECIAL[key]
        return TimepointSpec(key, label, day)
    if re.fullmatch(r"[a-z][a-z0-9_]{0,39}", key):
        return TimepointSpec(key, key.replace("_", " ").capitalize(), None)
    raise ValidationError(
        f"time point {text!r} is not a simple name",
        fix="use letters, digits and underscores, e.g. day1, week6, month1, month3, year1",
    )


def parse_timepoints(text: str) -> list[TimepointSpec]:
    specs = [parse_timepoint(part) for part in text.split(",") if part.strip()]
    if not specs:
        raise ValidationError("no time points given", fix="write e.g. --timepoints day1,month1")
    keys = [s.key for s in specs]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ValidationError(f"time point(s) listed twice: {', '.join(dupes)}", fix="list each time point once")
    return specs
