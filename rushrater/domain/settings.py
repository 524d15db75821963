"""A study's settings, typed: one default per setting, its range or choices declared with the field.

``StudySettings.from_stored`` reads what a study database holds, whatever its age: a setting it
lacks takes the default, a key this version does not know is kept (in ``extra``, and written back
unchanged), so opening a study never fails on its settings. ``with_changes`` validates each change
with a message that names the setting and its allowed range, before anything is stored.

The settings that other services own and manage themselves (the open-workstation raters, the
consensus panel, the study admin password, the demo flags, body-composition thresholds) are kept
in ``extra`` and read by key (``settings.get(KEY)``): a StudySettings is also a read-only mapping of
every setting, so indexing it by a name and ``dict(settings)`` work as for the stored JSON.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

from .errors import ValidationError
from .rubric import DEFAULT_SLOW_HEALING_CUTOFF

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bound:
    low: float
    high: float
    unit: str
    whole: bool = False  # a whole number (milliseconds, seconds)

    def describe(self) -> str:
        return f"{self.low:g} to {self.high:g} {self.unit}"


def _numeric(default: float, bound: Bound) -> Any:
    return field(default=default, metadata={"bound": bound})


def _choice(default: str, choices: tuple[str, ...]) -> Any:
    assert default in choices
    return field(default=default, metadata={"choices": choices})


@dataclass(frozen=True, eq=False)
class StudySettings(Mapping[str, Any]):
    """The settings of one study. Frozen: change them with :meth:`with_changes` (and store them
    through ``services.settings.update_settings``, which records the change in the audit trail)."""

    #: May a rater go back to the previous case? "none" or "previous" (a change is a new version).
    edit_policy: str = _choice("previous", ("none", "previous"))
    #: Milliseconds of blank screen between cases, so one case is not compared with the last.
    blank_screen_ms: int = _numeric(0, Bound(0, 10_000, "milliseconds", whole=True))
    #: Slow healing below this RUSH total; the totals run from 10 (ten items of 1) to 30 (ten of 3).
    slow_healing_cutoff: float = _numeric(DEFAULT_SLOW_HEALING_CUTOFF, Bound(10, 30, "points"))
    #: Seconds without input after which the workstation's active-time clock pauses.
    idle_pause_seconds: int = _numeric(120, Bound(0, 86_400, "seconds", whole=True))
    #: Days between a rater's first read of a case and the re-read (4 weeks in the RUSH studies).
    #: Ten years is far beyond any reading study and keeps every date the reading session computes
    #: inside what the databases store.
    washout_days: float = _numeric(28, Bound(0, 3650, "days"))
    #: A case is discordant when its raters' totals spread over more than this many points.
    discordance_spread: float = _numeric(4, Bound(0, 20, "points"))
    #: Rater training (services/training.py): when raters train on the reference cases.
    training_policy: str = _choice("before_study", ("before_study", "until_passed", "off"))
    #: Pass at a weighted kappa of the total of at least this ("substantial", Landis & Koch 1977)...
    training_min_kappa: float = _numeric(0.6, Bound(-1, 1, "(weighted kappa)"))
    #: ...and a mean bias of the total within this many points either way (the total spans 20).
    training_max_bias: float = _numeric(1.0, Bound(0, 20, "points"))
    #: Every other stored key, kept as stored (see the module docstring).
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    # -- reading and changing -------------------------------------------------------------------

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any] | None) -> StudySettings:
        """The settings of a stored JSON object: missing settings take their default, unknown keys
        are kept in ``extra``. A stored value outside its range (written before the ranges were
        checked, or by hand) is not used: the default is, with a warning in the log."""
        stored = dict(stored or {})
        values: dict[str, Any] = {}
        for name in SETTING_NAMES:
            if stored.get(name) is None:
                stored.pop(name, None)
                continue
            value = stored.pop(name)
            try:
                checked = check_setting(name, value)
            except ValidationError as exc:
                log.warning("ignoring the stored study setting %s (%s); using %r", name, exc, DEFAULTS[name])
                continue
            # A stored number stays as stored (18 stays 18, not 18.0: what is shown does not
            # change), unless the setting is a whole number or the JSON held text.
            keep = isinstance(value, (int, float)) and not (name in NUMERIC_SETTINGS and NUMERIC_SETTINGS[name].whole)
            values[name] = value if keep else checked
        return cls(**values, extra=MappingProxyType(stored))

    def with_changes(self, **changes: Any) -> StudySettings:
        """These settings with ``changes`` applied, each validated (a ValidationError names the
        setting and its range). A key that is not a typed setting goes to ``extra`` unchecked."""
        checked = check_settings(changes)
        typed = {k: v for k, v in checked.items() if k in SETTING_NAMES}
        other = {k: v for k, v in checked.items() if k not in SETTING_NAMES}
        return replace(self, **typed, extra=MappingProxyType({**self.extra, **other}))

    def as_dict(self) -> dict[str, Any]:
        """Every setting (defaults included) and every other stored key."""
        return {**{name: getattr(self, name) for name in SETTING_NAMES}, **self.extra}

    # -- read-only mapping of every setting ----------------------------------------------------

    def __getitem__(self, key: str) -> Any:
        if key in SETTING_NAMES:
            return getattr(self, key)
        return self.extra[key]

    def __iter__(self) -> Iterator[str]:
        yield from SETTING_NAMES
        yield from (k for k in self.extra if k not in SETTING_NAMES)

    def __len__(self) -> int:
        return len(SETTING_NAMES) + sum(1 for k in self.extra if k not in SETTING_NAMES)

    def __repr__(self) -> str:
        return f"StudySettings({self.as_dict()!r})"


#: The typed settings, in declaration order.
SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(StudySettings) if f.name != "extra")
#: Each setting's one default.
DEFAULTS: Mapping[str, Any] = MappingProxyType({name: getattr(StudySettings(), name) for name in SETTING_NAMES})
#: The allowed range of each numeric setting, and the choices of the others (from the fields).
NUMERIC_SETTINGS: Mapping[str, Bound] = MappingProxyType(
    {f.name: f.metadata["bound"] for f in fields(StudySettings) if "bound" in f.metadata}
)
CHOICE_SETTINGS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {f.name: f.metadata["choices"] for f in fields(StudySettings) if "choices" in f.metadata}
)


def check_setting(name: str, value: Any) -> Any:
    """The value, normalised (int for whole-number settings), or a ValidationError naming the
    setting and its allowed range. A name that is not a typed setting passes unchanged."""
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


def check_settings(changes: Mapping[str, Any]) -> dict[str, Any]:
    return {name: check_setting(name, value) for name, value in changes.items()}
