"""Read queries the services need, in one place, so services never write SQL themselves."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from . import models as m


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


def groups(session: Session) -> list[m.RaterGroup]:
    return list(session.scalars(select(m.RaterGroup).order_by(m.RaterGroup.name)))


def group_by_name(session: Session, name: str) -> m.RaterGroup | None:
    return session.scalars(
        select(m.RaterGroup).where(func.lower(m.RaterGroup.name) == name.strip().lower())
    ).one_or_none()


def raters(session: Session) -> list[m.Rater]:
    return list(
        session.scalars(select(m.Rater).options(selectinload(m.Rater.group)).order_by(m.Rater.code))
    )


def rater_by_code_or_name(session: Session, ref: str) -> m.Rater | None:
    text = ref.strip()
    return session.scalars(
        select(m.Rater)
        .options(selectinload(m.Rater.group))
        .where((func.upper(m.Rater.code) == text.upper()) | (m.Rater.name_key == text.lower()))
    ).first()


def rater_by_name(session: Session, name: str) -> m.Rater | None:
    return session.scalars(select(m.Rater).where(m.Rater.name_key == name.strip().lower())).one_or_none()


def rater_codes(session: Session) -> list[str]:
    return list(session.scalars(select(m.Rater.code)))


def patient_by_code(session: Session, code: str) -> m.Patient | None:
    return session.scalars(select(m.Patient).where(m.Patient.code == code)).one_or_none()


def case_by_code(session: Session, code: str) -> m.Case | None:
    return session.scalars(select(m.Case).where(func.upper(m.Case.code) == code.strip().upper())).one_or_none()


def case_for(session: Session, patient_id: int, timepoint_id: int) -> m.Case | None:
    return session.scalars(
        select(m.Case).where(m.Case.patient_id == patient_id, m.Case.timepoint_id == timepoint_id)
    ).one_or_none()


def case_codes(session: Session) -> set[str]:
    return set(session.scalars(select(m.Case.code)))


def images_by_content(session: Session, hashes: Iterable[str]) -> dict[str, m.Image]:
    wanted = list(set(hashes))
    found: dict[str, m.Image] = {}
    for start in range(0, len(wanted), 500):  # stay below SQLite's bound-parameter limit
        chunk = wanted[start : start + 500]
        for image in session.scalars(
            select(m.Image)
            .options(selectinload(m.Image.case).selectinload(m.Case.patient))
            .options(selectinload(m.Image.case).selectinload(m.Case.timepoint))
            .where(m.Image.content_sha256.in_(chunk))
        ):
            found[image.content_sha256] = image
    return found


def image_views_by_case(session: Session) -> dict[tuple[str, str], set[str]]:
    """(patient code, time point key) -> views already stored."""
    rows = session.execute(
        select(m.Patient.code, m.Timepoint.key, m.Image.view)
        .join(m.Case, m.Case.id == m.Image.case_id)
        .join(m.Patient, m.Patient.id == m.Case.patient_id)
        .join(m.Timepoint, m.Timepoint.id == m.Case.timepoint_id)
    )
    views: dict[tuple[str, str], set[str]] = {}
    for patient, timepoint, view in rows:
        views.setdefault((patient, timepoint), set()).add(view)
    return views


def cases_with_patients(session: Session) -> list[tuple[int, int]]:
    """(case id, patient id) for every case, in case-id order (the plan's input)."""
    return [tuple(row) for row in session.execute(select(m.Case.id, m.Case.patient_id).order_by(m.Case.id))]


def cases(session: Session) -> list[m.Case]:
    return list(
        session.scalars(
            select(m.Case)
            .options(selectinload(m.Case.images), selectinload(m.Case.patient), selectinload(m.Case.timepoint))
            .order_by(m.Case.id)
        )
    )


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


def raters_with_ratings(session: Session) -> set[int]:
    return set(session.scalars(select(m.Rating.rater_id).distinct()))


def assignment_for(session: Session, rater_id: int, case_id: int, read_number: int) -> m.Assignment | None:
    return session.scalars(
        select(m.Assignment).where(
            m.Assignment.rater_id == rater_id,
            m.Assignment.case_id == case_id,
            m.Assignment.read_number == read_number,
        )
    ).one_or_none()


def delete_assignments(session: Session, rater_ids: Iterable[int]) -> int:
    ids = list(rater_ids)
    rows = list(session.scalars(select(m.Assignment).where(m.Assignment.rater_id.in_(ids))))
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def rating_by_submission(session: Session, submission_id: str) -> m.Rating | None:
    return session.scalars(
        select(m.Rating).options(selectinload(m.Rating.scores)).where(m.Rating.submission_id == submission_id)
    ).one_or_none()


def current_rating(session: Session, rater_id: int, case_id: int, read_number: int) -> m.Rating | None:
    """The newest version of a rater's reading of a case."""
    return session.scalars(
        select(m.Rating)
        .options(selectinload(m.Rating.scores))
        .where(m.Rating.rater_id == rater_id, m.Rating.case_id == case_id, m.Rating.read_number == read_number)
        .order_by(m.Rating.version.desc())
    ).first()


def rated_keys(session: Session, rater_ids: Iterable[int] | None = None) -> set[tuple[int, int, int]]:
    """(rater, case, read number) triples that have at least one submitted rating."""
    query = select(m.Rating.rater_id, m.Rating.case_id, m.Rating.read_number).distinct()
    if rater_ids is not None:
        query = query.where(m.Rating.rater_id.in_(list(rater_ids)))
    return {tuple(row) for row in session.execute(query)}


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


def next_assignments(session: Session, rater_id: int, now: datetime, limit: int = 1) -> list[m.Assignment]:
    """The rater's first unfinished cases in list order, skipping re-reads still in washout."""
    done = select(m.Rating.id).where(
        m.Rating.rater_id == m.Assignment.rater_id,
        m.Rating.case_id == m.Assignment.case_id,
        m.Rating.read_number == m.Assignment.read_number,
    )
    return list(
        session.scalars(
            select(m.Assignment)
            .where(
                m.Assignment.rater_id == rater_id,
                ~done.exists(),
                (m.Assignment.available_from.is_(None)) | (m.Assignment.available_from <= now),
            )
            .order_by(m.Assignment.position)
            .limit(limit)
        )
    )


def current_ratings(session: Session) -> list[m.Rating]:
    """Every current (newest-version) rating with its item scores loaded."""
    newest = (
        select(
            m.Rating.rater_id,
            m.Rating.case_id,
            m.Rating.read_number,
            func.max(m.Rating.version).label("version"),
        )
        .group_by(m.Rating.rater_id, m.Rating.case_id, m.Rating.read_number)
        .subquery()
    )
    ratings = session.scalars(
        select(m.Rating)
        .join(
            newest,
            and_(
                newest.c.rater_id == m.Rating.rater_id,
                newest.c.case_id == m.Rating.case_id,
                newest.c.read_number == m.Rating.read_number,
                newest.c.version == m.Rating.version,
            ),
        )
        .options(selectinload(m.Rating.scores))
        .order_by(m.Rating.id)
    )
    return list(ratings)
