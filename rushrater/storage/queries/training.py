"""Rater training (issue 17): training cases and training reads."""

from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from .. import models as m


def training_cases(session: Session) -> list[m.TrainingCase]:
    """The current reference of every training case (its newest version), in case-id order."""
    newest = (
        select(m.TrainingCase.case_id, func.max(m.TrainingCase.version).label("version"))
        .group_by(m.TrainingCase.case_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(m.TrainingCase)
            .join(newest, and_(newest.c.case_id == m.TrainingCase.case_id, newest.c.version == m.TrainingCase.version))
            .options(selectinload(m.TrainingCase.case).selectinload(m.Case.images))
            .order_by(m.TrainingCase.case_id)
        )
    )


def training_reads(session: Session, rater_id: int | None = None) -> list[m.TrainingRead]:
    query = select(m.TrainingRead).order_by(m.TrainingRead.id)
    if rater_id is not None:
        query = query.where(m.TrainingRead.rater_id == rater_id)
    return list(session.scalars(query))


def training_read_by_submission(session: Session, submission_id: str) -> m.TrainingRead | None:
    return session.scalars(select(m.TrainingRead).where(m.TrainingRead.submission_id == submission_id)).one_or_none()


def training_read_for(session: Session, rater_id: int, case_id: int, round_: int) -> m.TrainingRead | None:
    """A rater's read of a training case in one round (at most one)."""
    return session.scalars(select(m.TrainingRead).where(
        m.TrainingRead.rater_id == rater_id, m.TrainingRead.case_id == case_id, m.TrainingRead.round == round_,
    )).one_or_none()
