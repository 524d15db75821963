"""The audit trail: every write to a study is recorded in the same transaction as the write."""

from __future__ import annotations

import getpass
from datetime import datetime, timezone
from typing import Any

from ..storage import audit_log


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
    """Add one audit row, chained to the actor's previous one (storage.audit_chain), in ``session``'s
    write transaction."""
    audit_log.append(
        session,
        fallback_time=now(),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        before=before,
        after=after,
        reason=reason,
    )
