"""Adding audit rows: the time of the write and the tail of the actor's hash chain (storage.audit_chain).

``services.audit.record`` is the API services use; this is the SQL underneath it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from . import models
from .audit_chain import row_hash


def append(
    session: Session,
    *,
    fallback_time: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None,
    before: Any,
    after: Any,
    reason: str | None,
) -> None:
    """Add one audit row to this write transaction, chained to the actor's previous one.

    ``fallback_time`` is the row's time where the database has no transaction time of its own (SQLite).
    """
    fields = dict(at=transaction_time(session, fallback_time), actor=actor, action=action, entity=entity,
                  entity_id=entity_id, before=before, after=after, reason=reason)
    prev = chain_tail(session, actor)
    digest = row_hash(prev, **fields)
    session.info["audit_chain"][actor] = digest
    session.add(models.AuditEvent(**fields, prev_hash=prev, row_hash=digest))


def transaction_time(session: Session, fallback: datetime) -> datetime:
    """When the write happens. On PostgreSQL the server's transaction time (``now()``): a trigger that
    stamps a rater's audit row with server time (revision 0008) then stores exactly the value the
    row's hash was computed over. On SQLite, ``fallback`` (this process's clock)."""
    if session.get_bind().dialect.name != "postgresql":
        return fallback
    if "audit_time" not in session.info:
        session.info["audit_time"] = session.execute(text("SELECT now()")).scalar()
    return session.info["audit_time"]


def chain_tail(session: Session, actor: str) -> str | None:
    """The hash of the actor's last audit row: stored, or added earlier in this transaction."""
    chain = session.info.setdefault("audit_chain", {})
    if actor not in chain:
        if session.get_bind().dialect.name == "postgresql":
            # Two transactions of the same actor must not both extend the same tail (SQLite's
            # BEGIN IMMEDIATE already serialises writers).
            session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": "rushrater.audit:" + actor})
        with session.no_autoflush:
            chain[actor] = session.execute(
                select(models.AuditEvent.row_hash)
                .where(models.AuditEvent.actor == actor)
                .order_by(models.AuditEvent.id.desc())
                .limit(1)
            ).scalar()
    return chain[actor]
