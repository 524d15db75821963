"""The audit trail."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import models as m


def audit_events(session, *, entity: str | None = None, actor: str | None = None, since=None, until=None,
                 action: str | None = None) -> list[m.AuditEvent]:
    """Audit events, oldest first, filtered by entity (exact), actor (substring), ``since`` <=
    time < ``until`` (the console's audit-trail viewer) and action (exact)."""
    query = select(m.AuditEvent).order_by(m.AuditEvent.at, m.AuditEvent.id)
    if action:
        query = query.where(m.AuditEvent.action == action)
    if entity:
        query = query.where(m.AuditEvent.entity == entity)
    if actor:
        query = query.where(m.AuditEvent.actor.contains(actor, autoescape=True))
    if since is not None:
        query = query.where(m.AuditEvent.at >= since)
    if until is not None:
        query = query.where(m.AuditEvent.at < until)
    return list(session.scalars(query))


def audit_afters(session: Session, action: str) -> list:
    """The ``after`` record of every audit event of one action, oldest first."""
    return list(session.scalars(select(m.AuditEvent.after).where(m.AuditEvent.action == action).order_by(m.AuditEvent.id)))
