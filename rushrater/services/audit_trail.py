"""Reading the audit trail back: every change to ratings, consensus, settings, plans and images, as
services/audit.py recorded it, filtered for the console's viewer and written to CSV."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pandas as pd

from ..storage import queries
from .study import Study

COLUMNS = ["at", "actor", "action", "entity", "entity_id", "before", "after", "reason"]


def _as_utc(day: date | None, *, end: bool) -> datetime | None:
    if day is None:
        return None
    moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    return moment.replace(tzinfo=timezone.utc)


def _text(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def audit_trail(study: Study, *, entity: str | None = None, actor: str | None = None,
                since: date | None = None, until: date | None = None) -> pd.DataFrame:
    """One row per audit event, oldest first: ``at`` (UTC), ``actor``, ``action``, ``entity``,
    ``entity_id``, ``before`` / ``after`` (JSON text) and ``reason``. ``since`` and ``until`` are
    whole days (UTC), both included; ``actor`` matches part of the name (e.g. "R03")."""
    with study.db.read() as session:
        events = queries.audit_events(session, entity=entity or None, actor=actor or None,
                                      since=_as_utc(since, end=False), until=_as_utc(until, end=True))
        rows = [
            {"at": e.at if e.at.tzinfo else e.at.replace(tzinfo=timezone.utc), "actor": e.actor, "action": e.action,
             "entity": e.entity, "entity_id": e.entity_id or "", "before": _text(e.before), "after": _text(e.after),
             "reason": e.reason or ""}
            for e in events
        ]
    return pd.DataFrame(rows, columns=COLUMNS)


def audit_entities(study: Study) -> list[str]:
    """The kinds of entity the trail holds (rating, consensus, study, rater, …), sorted."""
    return sorted(set(audit_trail(study)["entity"]))


def write_audit_csv(trail: pd.DataFrame, out: str | Path) -> Path:
    """The (filtered) trail as CSV, UTF-8 with a byte-order mark so spreadsheets read it right."""
    out = Path(out).expanduser()
    frame = trail.copy()
    frame["at"] = [t.isoformat() for t in frame["at"]]
    frame.to_csv(out, index=False, encoding="utf-8-sig")
    return out
