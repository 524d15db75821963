"""Reading plans and the raters' assignments (reading lists)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from .. import models as m
from .ratings import ReadKey


class RereadAssignment(NamedTuple):
    rater_id: int
    case_id: int
    read_number: int
    available_from: datetime | None


class AssignmentProgress(NamedTuple):
    done: int
    total: int


def latest_plan(session: Session) -> m.ReadingPlan | None:
    return session.scalars(select(m.ReadingPlan).order_by(m.ReadingPlan.id.desc())).first()


def assignments(session: Session, rater_id: int) -> list[m.Assignment]:
    return list(
        session.scalars(
            select(m.Assignment).where(m.Assignment.rater_id == rater_id).order_by(m.Assignment.position)
        )
    )


def raters_with_assignments(session: Session) -> set[int]:
    return set(session.scalars(select(m.Assignment.rater_id).distinct()))


def assignment_for(session: Session, rater_id: int, case_id: int, read_number: int) -> m.Assignment | None:
    return session.scalars(
        select(m.Assignment).where(
            m.Assignment.rater_id == rater_id,
            m.Assignment.case_id == case_id,
            m.Assignment.read_number == read_number,
        )
    ).one_or_none()


def progress(session: Session) -> dict[int, dict[str, int]]:
    """Per rater: cases assigned and done, first reads and re-reads (read number 2+) apart."""
    done = select(m.Rating.rater_id, m.Rating.case_id, m.Rating.read_number).distinct().subquery()
    is_reread = m.Assignment.read_number > 1
    rows = session.execute(
        select(m.Assignment.rater_id, is_reread, func.count(), func.count(done.c.case_id))
        .outerjoin(
            done,
            and_(
                done.c.rater_id == m.Assignment.rater_id,
                done.c.case_id == m.Assignment.case_id,
                done.c.read_number == m.Assignment.read_number,
            ),
        )
        .group_by(m.Assignment.rater_id, is_reread)
    )
    result: dict[int, dict[str, int]] = {}
    for rater_id, reread, assigned, completed in rows:
        entry = result.setdefault(rater_id, {"assigned": 0, "done": 0, "reread_assigned": 0, "reread_done": 0})
        prefix = "reread_" if reread else ""
        entry[prefix + "assigned"] += assigned
        entry[prefix + "done"] += completed
    return result


def next_assignments(
    session: Session, rater_id: int, now: datetime, limit: int = 1, washout: timedelta | None = None
) -> list[m.Assignment]:
    """The rater's first unfinished cases in list order, skipping re-reads still in washout.

    A re-read (read 2+) waits for its ``available_from`` and, when ``washout`` is given, until that
    long after the rater submitted the first read of the same case — so a re-read planned early can
    never follow its first read too closely.
    """
    done = select(m.Rating.id).where(
        m.Rating.rater_id == m.Assignment.rater_id,
        m.Rating.case_id == m.Assignment.case_id,
        m.Rating.read_number == m.Assignment.read_number,
    )
    conditions = [
        m.Assignment.rater_id == rater_id,
        ~done.exists(),
        (m.Assignment.available_from.is_(None)) | (m.Assignment.available_from <= now),
    ]
    if washout is not None:
        first_read_long_ago = select(m.Rating.id).where(
            m.Rating.rater_id == m.Assignment.rater_id,
            m.Rating.case_id == m.Assignment.case_id,
            m.Rating.read_number == 1,
            m.Rating.version == 1,
            m.Rating.submitted_at <= now - washout,
        )
        conditions.append((m.Assignment.read_number == 1) | first_read_long_ago.exists())
    return list(
        session.scalars(select(m.Assignment).where(*conditions).order_by(m.Assignment.position).limit(limit))
    )


def reread_assignments(session: Session) -> list[RereadAssignment]:
    """(rater id, case id, read number, available from) of every re-read (read number 2+)."""
    return [
        RereadAssignment._make(row)
        for row in session.execute(
            select(m.Assignment.rater_id, m.Assignment.case_id, m.Assignment.read_number, m.Assignment.available_from)
            .where(m.Assignment.read_number > 1)
        )
    ]


def assignment_progress(session: Session, rater_id: int) -> AssignmentProgress:
    """(assignments done, assignments in the list) for one rater."""
    done = select(m.Rating.id).where(
        m.Rating.rater_id == m.Assignment.rater_id,
        m.Rating.case_id == m.Assignment.case_id,
        m.Rating.read_number == m.Assignment.read_number,
    )
    total, finished = session.execute(
        select(func.count(), func.count().filter(done.exists())).where(m.Assignment.rater_id == rater_id)
    ).one()
    return AssignmentProgress(int(finished or 0), int(total or 0))


def assigned_keys(session: Session) -> set[ReadKey]:
    """(rater, case, read number) of every assignment."""
    return {ReadKey._make(row) for row in session.execute(
        select(m.Assignment.rater_id, m.Assignment.case_id, m.Assignment.read_number)
    )}
