"""Clinical data (revision 0012): codebook and values."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import models as m


def latest_clinical_variable(session: Session, name: str) -> m.ClinicalVariable | None:
    return session.scalars(
        select(m.ClinicalVariable).where(m.ClinicalVariable.name == name).order_by(m.ClinicalVariable.version.desc())
    ).first()


def current_clinical_variables(session: Session) -> list[m.ClinicalVariable]:
    """The newest version of each codebook entry, in the order the variables were first recorded."""
    newest: dict[str, m.ClinicalVariable] = {}
    first: dict[str, int] = {}
    for row in session.scalars(select(m.ClinicalVariable).order_by(m.ClinicalVariable.id)):
        first.setdefault(row.name, row.id)
        if row.name not in newest or row.version > newest[row.name].version:
            newest[row.name] = row
    return sorted(newest.values(), key=lambda r: first[r.name])


def latest_clinical_values(session: Session) -> dict[tuple[int, str], m.ClinicalValue]:
    """(patient id, variable) -> its newest value version."""
    out: dict[tuple[int, str], m.ClinicalValue] = {}
    for row in session.scalars(select(m.ClinicalValue).order_by(m.ClinicalValue.version)):
        out[(row.patient_id, row.variable)] = row
    return out
