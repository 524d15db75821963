"""Study settings (edit policy, blank screen, cut-off…): changed only here, with an audit record.

The settings are typed (:class:`rushrater.domain.settings.StudySettings`, ``study.settings``) and
every one is bounded on input (:func:`check_settings`): a value outside its range is refused with
the setting's name and the range, before anything is stored. A washout of millions of days would
otherwise be stored and then lock every rater out ("date value out of range").
"""

from __future__ import annotations

from typing import Any

from ..domain.settings import (  # noqa: F401  (the service-facing names)
    CHOICE_SETTINGS,
    DEFAULTS,
    NUMERIC_SETTINGS,
    Bound,
    StudySettings,
    check_setting,
    check_settings,
)
from ..storage import queries
from .study import DEFAULT_SETTINGS, Study
from .unit_of_work import unit_of_work


def update_settings(study: Study, changes: dict[str, Any], *, actor: str | None = None, reason: str | None = None) -> dict:
    changes = check_settings(changes)
    with unit_of_work(study, actor) as uow:
        row = queries.study(uow.session)
        before = dict(row.settings or {})
        after = {**DEFAULT_SETTINGS, **before, **changes}
        row.settings = after  # reassigned (not mutated) so SQLAlchemy sees the JSON change
        uow.record("study.settings", "study", row.uid, before=before, after=after, reason=reason)
    study.settings = StudySettings.from_stored(after)
    return after
