"""Raters and rater groups."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .. import models as m


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
