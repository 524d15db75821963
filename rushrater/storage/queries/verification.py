"""What ``rushrater verify`` reads: triggers, scores against totals, version chains, the audit chain."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from .. import models as m
from .ratings import ScoreRow


class Triggers(NamedTuple):
    dialect: str  # "sqlite" or "postgresql": the trigger names differ
    enabled: set[str]


class ItemComponent(NamedTuple):
    item_id: int
    rubric_id: int
    component: str  # the component's key


class RatingTotal(NamedTuple):
    rating_id: int
    rubric_id: int
    total: float | None
    subtotals: dict[str, Any] | None
    unreadable_reason: str | None


class VersionRow(NamedTuple):
    id: int
    version: int
    supersedes_id: int | None
    key: tuple  # the values of the columns that group the versions


class AuditRecord(NamedTuple):
    action: str
    entity_id: str | None
    after: dict[str, Any] | None


class StoredRating(NamedTuple):
    id: int
    source: str
    case_id: int
    read_number: int
    version: int
    total: float | None
    unreadable_reason: str | None


def enabled_triggers(session: Session) -> Triggers:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        names = session.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    else:
        names = session.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"))
    return Triggers(dialect, {name for (name,) in names})


def rubric_item_components(session: Session) -> list[ItemComponent]:
    return [ItemComponent._make(row) for row in session.execute(
        select(m.RubricItem.id, m.RubricItem.rubric_id, m.RubricComponent.key)
        .join(m.RubricComponent, m.RubricItem.component_id == m.RubricComponent.id)
    )]


def rubric_item_keys(session: Session) -> dict[int, str]:
    return {item_id: key for item_id, key in session.execute(select(m.RubricItem.id, m.RubricItem.key))}


def every_score(session: Session) -> Iterator[ScoreRow]:
    """Every item score of every rating version."""
    for row in session.execute(select(m.RatingScore.rating_id, m.RatingScore.item_id, m.RatingScore.value)):
        yield ScoreRow._make(row)


def rating_totals(session: Session) -> list[RatingTotal]:
    """Every rating version's stored total and subtotals."""
    return [RatingTotal._make(row) for row in session.execute(
        select(m.Rating.id, m.Rating.rubric_id, m.Rating.total, m.Rating.subtotals, m.Rating.unreadable_reason)
    )]


def version_rows(session: Session, model: type[m.Base], group: Iterable[str]) -> list[VersionRow]:
    """Every row of a versioned table, ordered by the ``group`` columns, then version."""
    columns = [getattr(model, name) for name in group]
    rows = session.execute(select(model.id, model.version, model.supersedes_id, *columns).order_by(*columns, model.version))
    return [VersionRow(row[0], row[1], row[2], tuple(row[3:])) for row in rows]


def audit_rows_in_order(session: Session) -> Iterator[m.AuditEvent]:
    """Every audit row in the order it was written (the hash chain's order)."""
    yield from session.execute(select(m.AuditEvent).order_by(m.AuditEvent.id)).scalars()


def audit_records_of(session: Session, actions: Iterable[str]) -> list[AuditRecord]:
    return [AuditRecord._make(row) for row in session.execute(
        select(m.AuditEvent.action, m.AuditEvent.entity_id, m.AuditEvent.after).where(m.AuditEvent.action.in_(list(actions)))
    )]


def stored_ratings(session: Session) -> list[StoredRating]:
    """Every rating version, with what its audit record of the submit repeats."""
    return [StoredRating._make(row) for row in session.execute(
        select(m.Rating.id, m.Rating.source, m.Rating.case_id, m.Rating.read_number, m.Rating.version,
               m.Rating.total, m.Rating.unreadable_reason)
    )]
