"""Consensus decisions (issue 5)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import models as m


class ConsensusExportRow(NamedTuple):
    case_code: str
    patient_code: str
    timepoint_key: str
    scope: str
    method: str
    version: int
    total: float | None
    slow_healing: bool | None
    decided_by: str
    decided_at: datetime
    note: str | None


def consensus_rows(session: Session, case_id: int | None = None) -> list[m.Consensus]:
    """Consensus records (every version), oldest first; optionally of one case."""
    query = select(m.Consensus).order_by(m.Consensus.id)
    if case_id is not None:
        query = query.where(m.Consensus.case_id == case_id)
    return list(session.scalars(query))


def latest_consensus(session: Session, case_id: int, scope: str) -> m.Consensus | None:
    return session.scalars(
        select(m.Consensus)
        .where(m.Consensus.case_id == case_id, m.Consensus.scope == scope)
        .order_by(m.Consensus.version.desc())
    ).first()


def consensus_export_rows(session: Session) -> list[ConsensusExportRow]:
    """Every consensus version with its case's patient and time point, oldest first:
    ``(case code, patient code, time point key, scope, method, version, total, slow healing,
    decided by, decided at, note)``."""
    return [
        ConsensusExportRow._make(r)
        for r in session.execute(
            select(
                m.Case.code,
                m.Patient.code,
                m.Timepoint.key,
                m.Consensus.scope,
                m.Consensus.method,
                m.Consensus.version,
                m.Consensus.total,
                m.Consensus.slow_healing,
                m.Consensus.decided_by,
                m.Consensus.decided_at,
                m.Consensus.note,
            )
            .join(m.Case, m.Case.id == m.Consensus.case_id)
            .join(m.Patient, m.Patient.id == m.Case.patient_id)
            .join(m.Timepoint, m.Timepoint.id == m.Case.timepoint_id)
            .order_by(m.Consensus.id)
        ).all()
    ]
