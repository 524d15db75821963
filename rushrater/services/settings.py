"""Study settings (edit policy, blank screen, cut-off…): changed only here, with an audit record.

Every setting is bounded on input (:func:`check_settings`): a value outside its range is refused
with the setting's name and the range, before anything is stored. A washout of millions of days
would otherwise be stored and then lock every rater out ("date value out of range").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..domain.errors import ValidationError
from ..storage import queries
from .study import DEFAULT_SETTINGS, Study
from .unit_of_work import unit_of_work


@dataclass(frozen=True)
class Bound:
    low: float
    high: float
    unit: str
    whole: bool = False  # a whole number (milliseconds, seconds)

    def describe(self) -> str:
        return f"{self.low:g} to {self.high:g} {self.unit}"


#: The allowed range of each numeric setting. Ten years of washout is far beyond any reading study
#: and keeps every date the reading session computes inside what the databases store.
NUMERIC_SETTINGS: dict[str, Bound] = {
    "washout_days": Bound(0, 3650, "days"),
    "blank_screen_ms": Bound(0, 10_000, "milliseconds", whole=True),
    "idle_pause_seconds": Bound(0, 86_400, "seconds", whole=True),
    # RUSH totals run from 10 (ten items of 1) to 30 (ten items of 3).
    "slow_healing_cutoff": Bound(10, 30, "points"),
    "discordance_spread": Bound(0, 20, "points"),
    # Rater training (services/training.py): pass at a weighted kappa of the total of at least this...
    "training_min_kappa": Bound(-1, 1, "(weighted kappa)"),
    # ...and a mean bias of the total within this many points either way (the total spans 20).
    "training_max_bias": Bound(0, 20, "points"),
}
CHOICE_SETTINGS: dict[str, tuple[str, ...]] = {
    "edit_policy": ("none", "previous"),
    "training_policy": ("before_study", "until_passed", "off"),
}


def check_setting(name: str, value: Any) -> Any:
    """The value, normalised (int for whole-number settings), or a ValidationError naming the
    setting and its allowed range."""
    if name in CHOICE_SETTINGS:
        allowed = CHOICE_SETTINGS[name]
        if value not in allowed:
            raise ValidationError(f"setting {name} cannot be {value!r}", fix=f"use one of: {', '.join(allowed)}")
        return value
    bound = NUMERIC_SETTINGS.get(name)
    if bound is None:
        return value
    fix = f"give {name} a value from {bound.describe()}"
    if isinstance(value, bool):
        raise ValidationError(f"setting {name} must be a number, not {value!r}", fix=fix)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"setting {name} must be a number, not {value!r}", fix=fix) from None
    if not math.isfinite(number) or not bound.low <= number <= bound.high:
        raise ValidationError(f"setting {name} is {value!r}, outside the allowed range {bound.describe()}", fix=fix)
    if bound.whole:
        if not number.is_integer():
            raise ValidationError(f"setting {name} must be a whole number of {bound.unit}, not {value!r}", fix=fix)
        return int(number)
    return number


def check_settings(changes: dict[str, Any]) -> dict[str, Any]:
    return {name: check_setting(name, value) for name, value in changes.items()}


def update_settings(study: Study, changes: dict[str, Any], *, actor: str | None = None, reason: str | None = None) -> dict:
    changes = check_settings(changes)
    with unit_of_work(study, actor) as uow:
        row = queries.study(uow.session)
        before = dict(row.settings or {})
        after = {**DEFAULT_SETTINGS, **before, **changes}
        row.settings = after  # reassigned (not mutated) so SQLAlchemy sees the JSON change
        uow.record("study.settings", "study", row.uid, before=before, after=after, reason=reason)
    study.settings = after
    return after
