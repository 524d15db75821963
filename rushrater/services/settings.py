"""Study settings (edit policy, blank screen, cut-off…): changed only here, with an audit record."""

from __future__ import annotations

from typing import Any

from ..storage import queries
from . import audit
from .study import DEFAULT_SETTINGS, Study


def update_settings(study: Study, changes: dict[str, Any], *, actor: str | None = None, reason: str | None = None) -> dict:
    actor = actor or audit.coordinator_actor()
    with study.db.write() as session:
        row = queries.study(session)
        before = dict(row.settings or {})
        after = {**DEFAULT_SETTINGS, **before, **changes}
        row.settings = after  # reassigned (not mutated) so SQLAlchemy sees the JSON change
        audit.record(session, actor, "study.settings", "study", row.uid, before=before, after=after, reason=reason)
    study.settings = after
    return after
