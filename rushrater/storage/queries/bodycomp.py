"""Body composition (CT at T12)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .. import models as m


class CurrentBodyComposition(NamedTuple):
    measurement: m.BodyComposition
    patient_code: str


def all_ct_series(session: Session) -> list[m.CtSeries]:
    """Every CT series with its patient, in import order."""
    return list(session.scalars(select(m.CtSeries).options(selectinload(m.CtSeries.patient)).order_by(m.CtSeries.id)))


def ct_series_for_patient(session: Session, patient_id: int) -> list[m.CtSeries]:
    return list(session.scalars(select(m.CtSeries).where(m.CtSeries.patient_id == patient_id).order_by(m.CtSeries.id)))


def ct_series_by_content(session: Session, content_sha256: str) -> m.CtSeries | None:
    return session.scalars(select(m.CtSeries).where(m.CtSeries.content_sha256 == content_sha256)).first()


def latest_anthropometry(session: Session, patient_id: int) -> m.PatientAnthropometry | None:
    return session.scalars(
        select(m.PatientAnthropometry)
        .where(m.PatientAnthropometry.patient_id == patient_id)
        .order_by(m.PatientAnthropometry.version.desc())
    ).first()


def latest_body_composition(session: Session, patient_id: int, assessor: str) -> m.BodyComposition | None:
    return session.scalars(
        select(m.BodyComposition)
        .where(m.BodyComposition.patient_id == patient_id, m.BodyComposition.assessor == assessor)
        .order_by(m.BodyComposition.version.desc())
    ).first()


def current_body_compositions(session: Session) -> list[CurrentBodyComposition]:
    """The newest version of every (patient, assessor) measurement, with the patient's code."""
    newest = (
        select(m.BodyComposition.patient_id, m.BodyComposition.assessor, func.max(m.BodyComposition.version).label("v"))
        .group_by(m.BodyComposition.patient_id, m.BodyComposition.assessor)
        .subquery()
    )
    rows = session.execute(
        select(m.BodyComposition, m.Patient.code)
        .join(newest, (m.BodyComposition.patient_id == newest.c.patient_id)
              & (m.BodyComposition.assessor == newest.c.assessor) & (m.BodyComposition.version == newest.c.v))
        .join(m.Patient, m.Patient.id == m.BodyComposition.patient_id)
        .order_by(m.Patient.code, m.BodyComposition.assessor)
    )
    return [CurrentBodyComposition(row[0], row[1]) for row in rows]


def body_composition_history(session: Session, patient_id: int) -> list[m.BodyComposition]:
    return list(session.scalars(
        select(m.BodyComposition).where(m.BodyComposition.patient_id == patient_id)
        .order_by(m.BodyComposition.assessor, m.BodyComposition.version)
    ))
