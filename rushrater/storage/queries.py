"""Read queries the services need, in one place, so services never write SQL themselves."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import JSON, LargeBinary, and_, func, select
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


def _not_training():
    """Training cases (issue 17) are outside the study proper: no plan, agreement, export or count."""
    return ~select(m.TrainingCase.id).where(m.TrainingCase.case_id == m.Case.id).exists()


def cases_with_patients(session: Session) -> list[tuple[int, int]]:
    """(case id, patient id) for every study case, in case-id order (the plan's input)."""
    return [tuple(row) for row in session.execute(
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


# --- agreement, consensus and re-reads (issue 5) ---------------------------------------------------


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


def current_rating_rows(session: Session) -> tuple[list[tuple], list[tuple]]:
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
    return [tuple(r) for r in ratings], [tuple(s) for s in scores]


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


def case_details(session: Session, case_id: int) -> m.Case | None:
    """One case with its patient, time point and images loaded."""
    return session.scalars(
        select(m.Case)
        .options(selectinload(m.Case.images), selectinload(m.Case.patient), selectinload(m.Case.timepoint))
        .where(m.Case.id == case_id)
    ).one_or_none()


def reread_assignments(session: Session) -> list[tuple[int, int, int, datetime | None]]:
    """(rater id, case id, read number, available from) of every re-read (read number 2+)."""
    return [
        tuple(row)
        for row in session.execute(
            select(m.Assignment.rater_id, m.Assignment.case_id, m.Assignment.read_number, m.Assignment.available_from)
            .where(m.Assignment.read_number > 1)
        )
    ]


def case_images(session: Session, case_ids: Iterable[int]) -> dict[int, list[m.Image]]:
    """Images per case id (the reading workstation's prefetch reads several cases at once)."""
    ids = list(case_ids)
    result: dict[int, list[m.Image]] = {cid: [] for cid in ids}
    for image in session.scalars(select(m.Image).where(m.Image.case_id.in_(ids)).order_by(m.Image.view)):
        result[image.case_id].append(image)
    return result


def assignment_progress(session: Session, rater_id: int) -> tuple[int, int]:
    """(assignments done, assignments in the list) for one rater."""
    done = select(m.Rating.id).where(
        m.Rating.rater_id == m.Assignment.rater_id,
        m.Rating.case_id == m.Assignment.case_id,
        m.Rating.read_number == m.Assignment.read_number,
    )
    total, finished = session.execute(
        select(func.count(), func.count().filter(done.exists())).where(m.Assignment.rater_id == rater_id)
    ).one()
    return int(finished or 0), int(total or 0)


def last_rating_by(session: Session, rater_id: int) -> m.Rating | None:
    """The newest version of the reading this rater submitted last (for "back to the previous case")."""
    first = session.scalars(
        select(m.Rating).where(m.Rating.rater_id == rater_id, m.Rating.version == 1).order_by(m.Rating.id.desc())
    ).first()
    if first is None:
        return None
    return current_rating(session, rater_id, first.case_id, first.read_number)


# --- import and de-identification (issue 3) ---------------------------------------------------


def known_content_hashes(session: Session) -> set[str]:
    """Pixel hashes of every image in the study, placed or awaiting assignment."""
    placed = session.scalars(select(m.Image.content_sha256))
    staged = session.scalars(select(m.StagedImage.content_sha256))
    return set(placed) | set(staged)


def staged_images(session: Session) -> list[m.StagedImage]:
    return list(session.scalars(select(m.StagedImage).order_by(m.StagedImage.id)))


def staged_image(session: Session, staged_id: int) -> m.StagedImage | None:
    return session.get(m.StagedImage, staged_id)


def staged_by_content(session: Session, hashes: Iterable[str]) -> dict[str, m.StagedImage]:
    hashes = list(hashes)
    if not hashes:
        return {}
    rows = session.scalars(select(m.StagedImage).where(m.StagedImage.content_sha256.in_(hashes)))
    return {r.content_sha256: r for r in rows}


def redaction_templates(session: Session) -> dict[str, list]:
    return {t.key: list(t.rects.get("rects", [])) for t in session.scalars(select(m.RedactionTemplate))}


def device_codes_in_use(session: Session) -> set[str]:
    """Every device value of stored and staged images (codes, or names in studies from before codes)."""
    return set(session.scalars(select(m.ImageDeidentification.device).distinct())) | set(
        session.scalars(select(m.StagedImage.device).distinct())
    )


def rename_device(session: Session, name: str, code: str) -> None:
    """Replace a device name by its code in images, staged images and redaction template keys."""
    for model in (m.ImageDeidentification, m.StagedImage):
        for row in session.scalars(select(model).where(model.device == name)):
            row.device = code
            row.template = row.template.replace(name, code, 1)
    for template in session.scalars(select(m.RedactionTemplate).where(m.RedactionTemplate.key.startswith(f"{name} | ", autoescape=True))):
        template.key = code + template.key[len(name):]


def redaction_template(session: Session, key: str) -> m.RedactionTemplate | None:
    return session.scalars(select(m.RedactionTemplate).where(m.RedactionTemplate.key == key)).first()


def image_deidentification(session: Session, image_id: int) -> m.ImageDeidentification | None:
    return session.get(m.ImageDeidentification, image_id)


def images_with_template(session: Session, key: str) -> list[tuple[m.Image, m.ImageDeidentification]]:
    rows = session.execute(
        select(m.Image, m.ImageDeidentification)
        .join(m.ImageDeidentification, m.ImageDeidentification.image_id == m.Image.id)
        .where(m.ImageDeidentification.template == key)
    )
    return [(image, record) for image, record in rows]


def staged_with_template(session: Session, key: str) -> list[m.StagedImage]:
    return list(session.scalars(select(m.StagedImage).where(m.StagedImage.template == key)))


def image_by_id(session: Session, image_id: int) -> m.Image | None:
    return session.get(m.Image, image_id)


def all_text_values(session: Session):
    """(table, column, row number, text) for every text or JSON value in every table.

    Timestamps the program writes (created_at, audit times) are not text and not read.

    The blinding check reads the whole database this way, so a column added later is covered
    without anyone remembering to list it.
    """
    import json as _json

    for table in m.Base.metadata.sorted_tables:
        # Not the image bytes of a server study (image_blob.data): they are searched image by
        # image like files, and selecting them all at once would hold every image in memory.
        columns = [c for c in table.columns if not isinstance(c.type, LargeBinary)]
        for number, row in enumerate(session.execute(select(*columns)), start=1):
            for column, value in zip(columns, row):
                if value is None:
                    continue
                if isinstance(value, str):
                    yield table.name, column.name, number, value
                elif isinstance(value, (dict, list)):
                    yield table.name, column.name, number, _json.dumps(value, ensure_ascii=False)


def rows_with_display(session: Session):
    """(table name, row number, row) of every image and staged image, for checks of their display JSON."""
    for model in (m.Image, m.StagedImage):
        for number, row in enumerate(session.scalars(select(model).order_by(model.id)), start=1):
            yield model.__tablename__, number, row


def non_finite_json(session: Session) -> list[str]:
    """"table.column, row N" of every JSON value holding NaN or infinity.

    Imports before issue 18 could store them (SQLite keeps them as invalid JSON); PostgreSQL
    refuses them, so a migration names them first instead of failing half-way.
    """
    import json as _json

    found = []
    for table in m.Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, JSON)]
        if not columns:
            continue
        for number, row in enumerate(session.execute(select(*columns)), start=1):
            for column, value in zip(columns, row):
                try:
                    _json.dumps(value, allow_nan=False)
                except ValueError:
                    found.append(f"{table.name}.{column.name}, row {number}")
    return found


def patient_codes(session: Session) -> set[str]:
    return set(session.scalars(select(m.Patient.code)))


def all_rating_rows(session: Session) -> tuple[list[tuple], list[tuple]]:
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
    return [tuple(r) for r in ratings], [tuple(s) for s in scores]


def consensus_export_rows(session: Session) -> list[tuple]:
    """Every consensus version with its case's patient and time point, oldest first:
    ``(case code, patient code, time point key, scope, method, version, total, slow healing,
    decided by, decided at, note)``."""
    return [
        tuple(r)
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


def image_deidentification_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(m.ImageDeidentification)) or 0)


def image_provenance(session: Session) -> list[tuple[str, bool, int]]:
    """(source format, has a recorded de-identification, number of images) over the study's images."""
    deidentified = m.ImageDeidentification.image_id.is_not(None)
    rows = session.execute(
        select(m.Image.source_format, deidentified, func.count())
        .outerjoin(m.ImageDeidentification, m.ImageDeidentification.image_id == m.Image.id)
        .group_by(m.Image.source_format, deidentified)
        .order_by(m.Image.source_format)
    )
    return [(str(fmt), bool(deid), int(n)) for fmt, deid, n in rows]


# --- body composition (CT at T12) -------------------------------------------------------------


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


def current_body_compositions(session: Session) -> list[tuple[m.BodyComposition, str]]:
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
    return [(row[0], row[1]) for row in rows]


def body_composition_history(session: Session, patient_id: int) -> list[m.BodyComposition]:
    return list(session.scalars(
        select(m.BodyComposition).where(m.BodyComposition.patient_id == patient_id)
        .order_by(m.BodyComposition.assessor, m.BodyComposition.version)
    ))


# --- clinical data (revision 0012) ----------------------------------------------------------


def patients(session: Session) -> list[m.Patient]:
    return list(session.scalars(select(m.Patient).order_by(m.Patient.code)))


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


def audit_events(session, *, entity: str | None = None, actor: str | None = None, since=None, until=None) -> list:
    """Audit events, oldest first, filtered by entity (exact), actor (substring), and ``since`` <=
    time < ``until`` (the console's audit-trail viewer)."""
    query = select(m.AuditEvent).order_by(m.AuditEvent.at, m.AuditEvent.id)
    if entity:
        query = query.where(m.AuditEvent.entity == entity)
    if actor:
        query = query.where(m.AuditEvent.actor.contains(actor, autoescape=True))
    if since is not None:
        query = query.where(m.AuditEvent.at >= since)
    if until is not None:
        query = query.where(m.AuditEvent.at < until)
    return list(session.scalars(query))
