"""The audit trail's hash chain: each audit row stores a SHA-256 over its own content and the hash of
the previous row of the same actor, so a row changed, inserted or removed outside the product (a
script with the triggers dropped, a restored file edited by hand) breaks the chain at that row.

One chain per actor, not one for the whole table: on PostgreSQL a rater's login sees only its own
audit rows (row-level security), so the previous row of the global table is not readable to it.
The hash is not keyed (there is no secret the product could keep from someone who holds the
database file): the chain detects edits, it cannot stop an attacker who recomputes all of it.

The canonical form is fixed (version 1): changing it needs a new migration that rehashes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

CHAIN_VERSION = 1


def _canonical_time(at: datetime) -> str:
    # SQLite hands timestamps back naive (they were stored as UTC), PostgreSQL aware.
    if at.tzinfo is not None:
        at = at.astimezone(timezone.utc).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def _canonical_json(value: Any) -> Any:
    # What the JSON column gives back (tuples as lists, keys as text), so hashing before and
    # after the round trip through the database agrees.
    return None if value is None else json.loads(json.dumps(value))


def row_hash(
    prev_hash: str | None,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None,
    before: Any,
    after: Any,
    reason: str | None,
) -> str:
    content = [
        CHAIN_VERSION,
        prev_hash,
        _canonical_time(at),
        actor,
        action,
        entity,
        entity_id,
        _canonical_json(before),
        _canonical_json(after),
        reason,
    ]
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_of_row(row: Any, prev_hash: str | None) -> str:
    """The hash an audit row (ORM object or result row with the audit columns) should carry."""
    return row_hash(
        prev_hash,
        at=row.at,
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        before=row.before,
        after=row.after,
        reason=row.reason,
    )
