"""Submitting, correcting and importing ratings.

``submit_rating`` is the one call a workstation makes: it validates the 10 items, computes the
subtotals and total, and commits (synchronously, to disk) before it returns, so a submit that
returned is never lost. A submitted rating is never changed: ``correct_rating`` adds a new version
with a reason, and the audit trail keeps who, when, old, new and why.
"""

from __future__ import annotations

import hashlib
import math
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..domain.errors import DuplicateError, InputFileError, NotFoundError, RowProblem, ValidationError
from ..domain.rubric import Score
from ..storage import TransientDatabaseError, models, queries
from . import audit
from .imports import read_csv_rows
from .study import Study


@dataclass(frozen=True)
class SubmittedRating:
    id: int
    submission_id: str
    rater: str
    case: str
    read_number: int
    version: int
    values: dict[str, int]
    subtotals: dict[str, int] | None
    total: int | None
    unreadable_reason: str | None
    submitted_at: datetime


#: Waits between attempts when the connection to a database server breaks during a submit
#: (about 8 s in all: a server restart or a network blip, not a long outage).
RETRY_DELAYS_S = (0.05, 0.2, 0.5, 1.0, 2.0, 4.0)


def _retrying(attempt):
    """Run a submit again after a broken connection, with the same idempotency key.

    The first attempt may have committed before the connection broke (the acknowledgement was
    lost); the retry then finds the stored rating by its ``submission_id`` and returns it, so a
    rating is never saved twice. Errors that are not transient surface at once.
    """
    for delay in (*RETRY_DELAYS_S, None):
        try:
            return attempt()
        except TransientDatabaseError:
            if delay is None:
                raise
            time.sleep(delay)
    raise AssertionError("unreachable")


def _rater(session, ref: str | int) -> models.Rater:
    rater = session.get(models.Rater, ref) if isinstance(ref, int) else queries.rater_by_code_or_name(session, ref)
    if rater is None:
        raise NotFoundError(f"no rater {ref!r} in this study", fix="see `rushrater status STUDY` for rater codes")
    return rater


def _case(session, ref: str | int) -> models.Case:
    case = session.get(models.Case, ref) if isinstance(ref, int) else queries.case_by_code(session, ref)
    if case is None:
        raise NotFoundError(f"no case {ref!r} in this study", fix="case codes are listed by `rushrater export`")
    return case


def _as_dto(rating: models.Rating, rater_code: str, case_code: str, item_keys: dict[int, str]) -> SubmittedRating:
    return SubmittedRating(
        id=rating.id,
        submission_id=rating.submission_id,
        rater=rater_code,
        case=case_code,
        read_number=rating.read_number,
        version=rating.version,
        values={item_keys[s.item_id]: s.value for s in rating.scores},
        subtotals=dict(rating.subtotals) if rating.subtotals else None,
        total=rating.total,
        unreadable_reason=rating.unreadable_reason,
        submitted_at=rating.submitted_at,
    )


def _validate(study: Study, values: Mapping[str, Any] | None, unreadable_reason: str | None) -> Score | None:
    if unreadable_reason is not None:
        if not unreadable_reason.strip():
            raise ValidationError("an unreadable mark needs a reason", fix="say why the image cannot be scored")
        if values:
            raise ValidationError("a case marked unreadable cannot also carry scores", fix="send either scores or a reason")
        return None
    return study.rubric.score(values or {})


def _check_active_seconds(active_seconds: float | None) -> None:
    if active_seconds is not None and (not math.isfinite(active_seconds) or active_seconds < 0):
        raise ValidationError(f"active time {active_seconds} is not a non-negative number of seconds")


def _insert(
    session,
    study: Study,
    *,
    rater_id: int,
    case_id: int,
    read_number: int,
    version: int,
    score: Score | None,
    unreadable_reason: str | None,
    started_at: datetime | None,
    submitted_at: datetime,
    active_seconds: float | None,
    viewer_state: dict | None,
    source: str,
    submission_id: str,
    supersedes_id: int | None = None,
    change_reason: str | None = None,
) -> models.Rating:
    rating = models.Rating(
        submission_id=submission_id,
        rater_id=rater_id,
        case_id=case_id,
        read_number=read_number,
        version=version,
        supersedes_id=supersedes_id,
        change_reason=change_reason,
        rubric_id=study.rubric_id,
        total=score.total if score else None,
        subtotals=dict(score.subtotals) if score else None,
        unreadable_reason=unreadable_reason.strip() if unreadable_reason else None,
        started_at=started_at,
        submitted_at=submitted_at,
        active_seconds=active_seconds,
        viewer_state=viewer_state,
        source=source,
    )
    if score:
        rating.scores = [
            models.RatingScore(item_id=study.item_ids[key], value=value) for key, value in score.values.items()
        ]
    session.add(rating)
    return rating


def submit_rating(
    study: Study,
    rater: str | int,
    case: str | int,
    values: Mapping[str, Any] | None,
    *,
    read_number: int = 1,
    started_at: datetime | None = None,
    active_seconds: float | None = None,
    viewer_state: dict | None = None,
    unreadable_reason: str | None = None,
    submission_id: str | None = None,
    source: str = "workstation",
) -> SubmittedRating:
    """Validate and store one rating; it is committed to disk when this returns.

    ``submission_id`` makes a retried submit safe: the same id returns the stored rating instead of
    saving it twice.
    """
    score = _validate(study, values, unreadable_reason)
    _check_active_seconds(active_seconds)
    if read_number < 1:
        raise ValidationError(f"read number {read_number} must be 1 (first read) or more (re-read)")
    submission_id = submission_id or str(uuid.uuid4())
    item_keys = study.item_keys_by_id

    def attempt() -> SubmittedRating:
        with study.db.write() as session:
            rater_row = _rater(session, rater)
            case_row = _case(session, case)
            replayed = _replayed(session, submission_id, rater_row, case_row, read_number, item_keys)
            if replayed is not None:
                return replayed
            if queries.current_rating(session, rater_row.id, case_row.id, read_number) is not None:
                raise DuplicateError(
                    f"rater {rater_row.code} has already submitted read {read_number} of case {case_row.code}",
                    fix="a change to a submitted rating is a correction: give a reason (correct_rating)",
                )
            rating = _insert(
                session,
                study,
                rater_id=rater_row.id,
                case_id=case_row.id,
                read_number=read_number,
                version=1,
                score=score,
                unreadable_reason=unreadable_reason,
                started_at=started_at,
                submitted_at=audit.now(),
                active_seconds=active_seconds,
                viewer_state=viewer_state,
                source=source,
                submission_id=submission_id,
            )
            session.flush()
            _server_dated(session, rating)
            audit.record(
                session,
                audit.rater_actor(rater_row.code),
                "rating.submit",
                "rating",
                rating.id,
                after=_audit_view(rating, score),
            )
            return _as_dto(rating, rater_row.code, case_row.code, item_keys)

    return _retrying(attempt)


def _server_dated(session, rating: models.Rating) -> None:
    """On a server, a rater login's rating is dated by the server's clock (migration 0008): read it back."""
    if session.get_bind().dialect.name == "postgresql":
        session.refresh(rating, ["submitted_at"])


def _replayed(session, submission_id, rater_row, case_row, read_number, item_keys) -> SubmittedRating | None:
    """The rating an earlier attempt of this same submit stored, if it got through."""
    earlier = queries.rating_by_submission(session, submission_id)
    if earlier is None:
        return None
    if (earlier.rater_id, earlier.case_id, earlier.read_number) != (rater_row.id, case_row.id, read_number):
        raise DuplicateError(f"submission id {submission_id} was already used for another reading")
    return _as_dto(earlier, rater_row.code, case_row.code, item_keys)


def _audit_view(rating: models.Rating, score: Score | None) -> dict:
    return {
        "case_id": rating.case_id,
        "read_number": rating.read_number,
        "version": rating.version,
        "values": dict(score.values) if score else None,
        "total": rating.total,
        "unreadable_reason": rating.unreadable_reason,
    }


def correct_rating(
    study: Study,
    rater: str | int,
    case: str | int,
    values: Mapping[str, Any] | None,
    *,
    reason: str,
    read_number: int = 1,
    active_seconds: float | None = None,
    unreadable_reason: str | None = None,
    actor: str | None = None,
    submission_id: str | None = None,
) -> SubmittedRating:
    """Record a changed rating as a new version; the previous one is kept untouched."""
    if not reason or not reason.strip():
        raise ValidationError("a correction needs a reason", fix="say why the rating changes (kept in the audit trail)")
    score = _validate(study, values, unreadable_reason)
    _check_active_seconds(active_seconds)
    submission_id = submission_id or str(uuid.uuid4())
    item_keys = study.item_keys_by_id

    def attempt() -> SubmittedRating:
        with study.db.write() as session:
            rater_row = _rater(session, rater)
            case_row = _case(session, case)
            replayed = _replayed(session, submission_id, rater_row, case_row, read_number, item_keys)
            if replayed is not None:
                return replayed
            previous = queries.current_rating(session, rater_row.id, case_row.id, read_number)
            if previous is None:
                raise NotFoundError(
                    f"rater {rater_row.code} has no read {read_number} of case {case_row.code} to correct",
                    fix="submit it first",
                )
            rating = _insert(
                session,
                study,
                rater_id=rater_row.id,
                case_id=case_row.id,
                read_number=read_number,
                version=previous.version + 1,
                score=score,
                unreadable_reason=unreadable_reason,
                started_at=None,
                submitted_at=audit.now(),
                active_seconds=active_seconds,
                viewer_state=None,
                source="workstation",
                submission_id=submission_id,
                supersedes_id=previous.id,
                change_reason=reason.strip(),
            )
            session.flush()
            _server_dated(session, rating)
            before = _audit_view(previous, None)
            before["values"] = {item_keys[s.item_id]: s.value for s in previous.scores} or None
            audit.record(
                session,
                actor or audit.rater_actor(rater_row.code),
                "rating.correct",
                "rating",
                rating.id,
                before=before,
                after=_audit_view(rating, score),
                reason=reason.strip(),
            )
            return _as_dto(rating, rater_row.code, case_row.code, item_keys)

    return _retrying(attempt)


RATINGS_OPTIONAL = ("case", "patient", "timepoint", "read", "total", "started_at", "submitted_at", "active_seconds")


def _parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def import_ratings(study: Study, csv_path: str | Path, *, actor: str | None = None) -> int:
    """Load paper or legacy ratings from a CSV, all or nothing. Returns the number stored.

    Columns: ``rater`` (code or name), ``case`` (code) or ``patient`` + ``timepoint``, the ten item
    columns, and optionally ``read`` (1 = first read), ``total`` (checked against the items),
    ``started_at``/``submitted_at`` (ISO 8601) and ``active_seconds``.
    """
    path = Path(csv_path).expanduser()
    item_keys = study.rubric.item_keys
    rows = read_csv_rows(path, ("rater", *item_keys), RATINGS_OPTIONAL)
    if not rows:
        raise InputFileError(str(path), [RowProblem(2, "no rows below the header")], fix="add one rating per row")
    actor = actor or audit.coordinator_actor()
    problems: list[RowProblem] = []
    accepted: list[dict] = []
    seen: dict[tuple[int, int, int], int] = {}
    with study.db.write() as session:
        timepoints = {tp.key.lower(): tp for tp in queries.timepoints(session)}
        rated = queries.rated_keys(session)
        for line, values in rows:
            if "__error__" in values:
                problems.append(RowProblem(line, values["__error__"]))
                continue
            errors: list[str] = []
            rater_row = queries.rater_by_code_or_name(session, values["rater"]) if values["rater"] else None
            if rater_row is None:
                errors.append(f"rater {values['rater']!r} is not enrolled")
            case_row = _case_from_row(session, values, timepoints, errors)
            read = 1
            if values.get("read"):
                try:
                    read = int(values["read"])
                    if read < 1:
                        raise ValueError
                except ValueError:
                    errors.append(f"read {values['read']!r} must be 1 (first read) or more")
            score = None
            try:
                score = study.rubric.score({k: (values[k] or None) for k in item_keys})
            except ValidationError as exc:
                errors.append(exc.message)
            if score and values.get("total"):
                if values["total"] != str(score.total):
                    errors.append(f"total {values['total']} does not equal the sum of the items ({score.total})")
            times = {}
            for column in ("started_at", "submitted_at"):
                if values.get(column):
                    try:
                        times[column] = _parse_time(values[column])
                    except ValueError:
                        errors.append(f"{column} {values[column]!r} is not an ISO 8601 date-time (2026-03-01T14:30)")
            active = None
            if values.get("active_seconds"):
                try:
                    active = float(values["active_seconds"])
                    _check_active_seconds(active)
                except (ValueError, ValidationError):
                    errors.append(f"active_seconds {values['active_seconds']!r} is not a non-negative number")
            if rater_row is not None and case_row is not None and not errors:
                key = (rater_row.id, case_row.id, read)
                if key in seen:
                    errors.append(f"rater {rater_row.code}, case {case_row.code}, read {read} is also on line {seen[key]}")
                elif key in rated:
                    errors.append(f"rater {rater_row.code} has already rated case {case_row.code} (read {read})")
                seen.setdefault(key, line)
            if errors:
                problems.append(RowProblem(line, "; ".join(errors)))
                continue
            accepted.append(
                dict(rater_id=rater_row.id, case_id=case_row.id, read_number=read, score=score, active_seconds=active, **times)
            )
        if problems:
            raise InputFileError(str(path), problems)
        now = audit.now()
        for entry in accepted:
            _insert(
                session,
                study,
                rater_id=entry["rater_id"],
                case_id=entry["case_id"],
                read_number=entry["read_number"],
                version=1,
                score=entry["score"],
                unreadable_reason=None,
                started_at=entry.get("started_at"),
                submitted_at=entry.get("submitted_at", now),
                active_seconds=entry["active_seconds"],
                viewer_state=None,
                source="import",
                submission_id=str(uuid.uuid4()),
            )
        session.flush()
        audit.record(
            session,
            actor,
            "ratings.import",
            "rating",
            None,
            after={"file_sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "ratings": len(accepted)},
        )
    return len(accepted)


def _case_from_row(session, values: dict[str, str], timepoints: dict, errors: list[str]) -> models.Case | None:
    if values.get("case"):
        case = queries.case_by_code(session, values["case"])
        if case is None:
            errors.append(f"case {values['case']!r} is not in this study")
        return case
    if values.get("patient") and values.get("timepoint"):
        patient = queries.patient_by_code(session, values["patient"])
        tp = timepoints.get(values["timepoint"].lower())
        if patient is None:
            errors.append(f"patient {values['patient']!r} is not in this study")
        if tp is None:
            errors.append(f"time point {values['timepoint']!r} is not one of this study's ({', '.join(timepoints)})")
        if patient is None or tp is None:
            return None
        case = queries.case_for(session, patient.id, tp.id)
        if case is None:
            errors.append(f"patient {values['patient']} has no {tp.key} case")
        return case
    errors.append("give either case, or patient and timepoint")
    return None
