"""The audit trail: every write to a study is recorded in the same transaction as the write."""

from __future__ import annotations

import getpass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, text

from ..storage import models
from ..storage.audit_chain import row_hash


def now() -> datetime:
    return datetime.now(timezone.utc)


def coordinator_actor() -> str:
    """The person at the keyboard of a coordinator command, as the operating system knows them."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"coordinator:{user}"


def rater_actor(code: str) -> str:
    return f"rater:{code}"


def record(
    session,
    actor: str,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    """Add one audit row, chained to the actor's previous one (storage.audit_chain)."""
    fields = dict(
        at=_transaction_time(session),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        before=before,
        after=after,
        reason=reason,
    )
    prev = _chain_tail(session, actor)
    digest = row_hash(prev, **fields)
    session.info["audit_chain"][actor] = digest
    session.add(models.AuditEvent(**fields, prev_hash=prev, row_hash=digest))


def _transaction_time(session) -> datetime:
    """When the write happens. On PostgreSQL the server's transaction time (``now()``): a trigger that
    stamps a rater's audit row with server time (revision 0008) then stores exactly the value the
    row's hash was computed over. On SQLite, this process's clock."""
    if session.get_bind().dialect.name != "postgresql":
        return now()
    if "audit_time" not in session.info:
        session.info["audit_time"] = session.execute(text("SELECT now()")).scalar()
    return session.info["audit_time"]


def _chain_tail(session, actor: str) -> str | None:
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
