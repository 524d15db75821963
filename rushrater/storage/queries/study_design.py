"""The study row, its rubric, time points and counts."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .. import models as m


def study(session: Session) -> m.Study:
    row = session.scalars(select(m.Study)).one_or_none()
    if row is None:
        raise LookupError("the database has the study tables but no study row")
    return row


def rubric(session: Session, rubric_id: int) -> m.Rubric:
    return session.scalars(
        select(m.Rubric)
        .where(m.Rubric.id == rubric_id)
        .options(
            selectinload(m.Rubric.components),
            selectinload(m.Rubric.items).selectinload(m.RubricItem.levels),
            selectinload(m.Rubric.items).selectinload(m.RubricItem.component),
        )
    ).one()


def timepoints(session: Session) -> list[m.Timepoint]:
    return list(session.scalars(select(m.Timepoint).order_by(m.Timepoint.position)))


def counts(session: Session) -> dict[str, int]:
    def n(model) -> int:
        return session.scalar(select(func.count()).select_from(model)) or 0

    return {
        "patients": n(m.Patient),
        "cases": n(m.Case),
        "images": n(m.Image),
        "raters": n(m.Rater),
        "groups": n(m.RaterGroup),
        "ratings": n(m.Rating),
    }


def timepoint_by_key(session: Session, key: str) -> m.Timepoint | None:
    """The time point of this key, in any letter case."""
    return session.scalars(select(m.Timepoint).where(m.Timepoint.key.ilike(key.strip()))).one_or_none()
