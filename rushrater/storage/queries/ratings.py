"""Ratings and their item scores."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from .. import models as m


class ReadKey(NamedTuple):
    """One reading of a case by a rater (read number 2+ is a re-read)."""

    rater_id: int
    case_id: int
    read_number: int


class CurrentRatingRow(NamedTuple):
    rating_id: int
    rater_code: str
    rater_name: str
    group_name: str
    case_code: str
    patient_code: str
    timepoint_key: str
    read_number: int
    total: float | None
    unreadable_reason: str | None
    active_seconds: float | None
    submitted_at: datetime
    source: str


class RatingVersionRow(NamedTuple):
    rating_id: int
    rater_code: str
    group_name: str
    case_code: str
    patient_code: str
    timepoint_key: str
    read_number: int
    version: int
    total: float | None
    unreadable_reason: str | None
    started_at: datetime | None
    submitted_at: datetime
    active_seconds: float | None
    source: str


class ScoreRow(NamedTuple):
    rating_id: int
    item_id: int
    value: int


class RatingRows(NamedTuple):
    """Ratings as plain rows and the item scores of those ratings."""

    ratings: list
    scores: list[ScoreRow]


def raters_with_ratings(session: Session) -> set[int]:
    return set(session.scalars(select(m.Rating.rater_id).distinct()))


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


def rated_keys(session: Session, rater_ids: Iterable[int] | None = None) -> set[ReadKey]:
    """(rater, case, read number) triples that have at least one submitted rating."""
    query = select(m.Rating.rater_id, m.Rating.case_id, m.Rating.read_number).distinct()
    if rater_ids is not None:
        query = query.where(m.Rating.rater_id.in_(list(rater_ids)))
    return {ReadKey._make(row) for row in session.execute(query)}


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


def _newest_rating_versions():
    return (
        select(
            m.Rating.rater_id,
            m.Rating.case_id,
            m.Rating.read_number,
            func.max(m.Rating.version).label("version"),
        )
        .group_by(m.Rating.rater_id, m.Rating.case_id, m.Rating.read_number)
        .subquery()
    )


def current_rating_rows(session: Session) -> RatingRows:
    """Every current (newest-version) rating as plain rows, for analysis.

    Returns ``(ratings, scores)``: ratings are ``(rating id, rater code, rater name, group name,
    case code, patient code, time point key, read number, total, unreadable reason, active
    seconds, submitted at, source)``; scores are ``(rating id, item id, value)``. Plain tuples, not ORM
    objects: a two-centre study has ~7,000 ratings and 70,000 item scores.
    """
    newest = _newest_rating_versions()
    is_newest = and_(
        newest.c.rater_id == m.Rating.rater_id,
        newest.c.case_id == m.Rating.case_id,
        newest.c.read_number == m.Rating.read_number,
        newest.c.version == m.Rating.version,
    )
    ratings = session.execute(
        select(
            m.Rating.id,
            m.Rater.code,
            m.Rater.name,
            m.RaterGroup.name,
            m.Case.code,
            m.Patient.code,
            m.Timepoint.key,
            m.Rating.read_number,
            m.Rating.total,
            m.Rating.unreadable_reason,
            m.Rating.active_seconds,
            m.Rating.submitted_at,
            m.Rating.source,
        )
        .join(newest, is_newest)
        .join(m.Rater, m.Rater.id == m.Rating.rater_id)
        .join(m.RaterGroup, m.RaterGroup.id == m.Rater.group_id)
        .join(m.Case, m.Case.id == m.Rating.case_id)
        .join(m.Patient, m.Patient.id == m.Case.patient_id)
        .join(m.Timepoint, m.Timepoint.id == m.Case.timepoint_id)
        .order_by(m.Rating.id)
    ).all()
    scores = session.execute(
        select(m.RatingScore.rating_id, m.RatingScore.item_id, m.RatingScore.value)
        .join(m.Rating, m.Rating.id == m.RatingScore.rating_id)
        .join(newest, is_newest)
    ).all()
    return RatingRows([CurrentRatingRow._make(r) for r in ratings], [ScoreRow._make(s) for s in scores])


def last_rating_by(session: Session, rater_id: int) -> m.Rating | None:
    """The newest version of the reading this rater submitted last (for "back to the previous case")."""
    first = session.scalars(
        select(m.Rating).where(m.Rating.rater_id == rater_id, m.Rating.version == 1).order_by(m.Rating.id.desc())
    ).first()
    if first is None:
        return None
    return current_rating(session, rater_id, first.case_id, first.read_number)


def all_rating_rows(session: Session) -> RatingRows:
    """Every rating version (corrections included) as plain rows, for exports.

    Returns ``(ratings, scores)``: ratings are ``(rating id, rater code, group name, case code,
    patient code, time point key, read number, version, total, unreadable reason, started at,
    submitted at, active seconds, source)`` ordered by rater, case, read and version; scores are
    ``(rating id, item id, value)``.
    """
    ratings = session.execute(
        select(
            m.Rating.id,
            m.Rater.code,
            m.RaterGroup.name,
            m.Case.code,
            m.Patient.code,
            m.Timepoint.key,
            m.Rating.read_number,
            m.Rating.version,
            m.Rating.total,
            m.Rating.unreadable_reason,
            m.Rating.started_at,
            m.Rating.submitted_at,
            m.Rating.active_seconds,
            m.Rating.source,
        )
        .join(m.Rater, m.Rater.id == m.Rating.rater_id)
        .join(m.RaterGroup, m.RaterGroup.id == m.Rater.group_id)
        .join(m.Case, m.Case.id == m.Rating.case_id)
        .join(m.Patient, m.Patient.id == m.Case.patient_id)
        .join(m.Timepoint, m.Timepoint.id == m.Case.timepoint_id)
        .order_by(m.Rater.code, m.Timepoint.position, m.Patient.code, m.Rating.read_number, m.Rating.version)
    ).all()
    scores = session.execute(select(m.RatingScore.rating_id, m.RatingScore.item_id, m.RatingScore.value)).all()
    return RatingRows([RatingVersionRow._make(r) for r in ratings], [ScoreRow._make(s) for s in scores])
