"""Storage writes the services call inside their unit of work (``uow.session``).

They live apart from :mod:`.queries` so that a query is always a read: nothing in ``queries`` adds,
changes or deletes a row.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import models as m


def delete_assignments(session: Session, rater_ids: Iterable[int]) -> int:
    """Delete the assignments of these raters (a plan discarded before any rating); how many."""
    ids = list(rater_ids)
    rows = list(session.scalars(select(m.Assignment).where(m.Assignment.rater_id.in_(ids))))
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def rename_device(session: Session, name: str, code: str) -> None:
    """Replace a device name by its code in images, staged images and redaction template keys."""
    for model in (m.ImageDeidentification, m.StagedImage):
        for row in session.scalars(select(model).where(model.device == name)):
            row.device = code
            row.template = row.template.replace(name, code, 1)
    for template in session.scalars(select(m.RedactionTemplate).where(m.RedactionTemplate.key.startswith(f"{name} | ", autoescape=True))):
        template.key = code + template.key[len(name):]
