"""Follow-up events (time-to-event outcomes)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import models as m


def latest_follow_up_events(session: Session) -> dict[tuple[int, str], m.FollowUpEvent]:
    """(patient id, event type) -> its newest record version."""
    out: dict[tuple[int, str], m.FollowUpEvent] = {}
    for row in session.scalars(select(m.FollowUpEvent).order_by(m.FollowUpEvent.version)):
        out[(row.patient_id, row.event_type)] = row
    return out
