"""Patients, cases and their images."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .. import models as m


class CaseOfPatient(NamedTuple):
    case_id: int
    patient_id: int


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


def _not_training():
    """Training cases (issue 17) are outside the study proper: no plan, agreement, export or count."""
    return ~select(m.TrainingCase.id).where(m.TrainingCase.case_id == m.Case.id).exists()


def cases_with_patients(session: Session) -> list[CaseOfPatient]:
    """(case id, patient id) for every study case, in case-id order (the plan's input)."""
    return [CaseOfPatient._make(row) for row in session.execute(
        select(m.Case.id, m.Case.patient_id).where(_not_training()).order_by(m.Case.id)
    )]


def cases(session: Session, *, training: bool = False) -> list[m.Case]:
    """The study's cases; with ``training`` also the cases marked for rater training."""
    query = select(m.Case)
    if not training:
        query = query.where(_not_training())
    return list(
        session.scalars(
            query.options(selectinload(m.Case.images), selectinload(m.Case.patient), selectinload(m.Case.timepoint))
            .order_by(m.Case.id)
        )
    )


def case_details(session: Session, case_id: int) -> m.Case | None:
    """One case with its patient, time point and images loaded."""
    return session.scalars(
        select(m.Case)
        .options(selectinload(m.Case.images), selectinload(m.Case.patient), selectinload(m.Case.timepoint))
        .where(m.Case.id == case_id)
    ).one_or_none()


def case_images(session: Session, case_ids: Iterable[int]) -> dict[int, list[m.Image]]:
    """Images per case id (the reading workstation's prefetch reads several cases at once)."""
    ids = list(case_ids)
    result: dict[int, list[m.Image]] = {cid: [] for cid in ids}
    for image in session.scalars(select(m.Image).where(m.Image.case_id.in_(ids)).order_by(m.Image.view)):
        result[image.case_id].append(image)
    return result


def patients(session: Session) -> list[m.Patient]:
    return list(session.scalars(select(m.Patient).order_by(m.Patient.code)))


def patient_codes(session: Session) -> set[str]:
    return set(session.scalars(select(m.Patient.code)))


def image_by_id(session: Session, image_id: int) -> m.Image | None:
    return session.get(m.Image, image_id)


def case_has_ratings(session: Session, case_id: int) -> bool:
    return session.scalar(select(m.Rating.id).where(m.Rating.case_id == case_id).limit(1)) is not None


def case_has_assignments(session: Session, case_id: int) -> bool:
    return session.scalar(select(m.Assignment.id).where(m.Assignment.case_id == case_id).limit(1)) is not None
