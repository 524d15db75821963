"""The study schema (SQLAlchemy 2 declarative).

Integrity rules live here, in the database, not only in Python: item values must be one of the
item's levels (a composite foreign key to ``rubric_level``), one rating per (rater, case, read
number, version), and ratings, their scores and the audit trail are append-only (triggers in the
migration). A correction is a new version row that points at the one it supersedes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names make migrations on SQLite (batch mode) and PostgreSQL identical.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, datetime: DateTime(timezone=True)}


class Study(Base):
    __tablename__ = "study"
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id"))
    settings: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    created_with: Mapped[str] = mapped_column(String(40))
    __table_args__ = (CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),)


class Rubric(Base):
    __tablename__ = "rubric"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    citation: Mapped[str] = mapped_column(Text)
    components: Mapped[list[RubricComponent]] = relationship(order_by="RubricComponent.position")
    items: Mapped[list[RubricItem]] = relationship(order_by="RubricItem.position")
    __table_args__ = (UniqueConstraint("key", "version"),)


class RubricComponent(Base):
    __tablename__ = "rubric_component"
    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id"))
    key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]
    __table_args__ = (UniqueConstraint("rubric_id", "key"),)


class RubricItem(Base):
    __tablename__ = "rubric_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id"))
    component_id: Mapped[int] = mapped_column(ForeignKey("rubric_component.id"))
    key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(40))
    view: Mapped[str | None] = mapped_column(String(3))
    definition: Mapped[str] = mapped_column(Text)
    position: Mapped[int]
    levels: Mapped[list[RubricLevel]] = relationship(order_by="RubricLevel.value")
    component: Mapped[RubricComponent] = relationship()
    __table_args__ = (
        UniqueConstraint("rubric_id", "key"),
        CheckConstraint("view IS NULL OR view IN ('AP', 'LAT')", name="view_known"),
    )


class RubricLevel(Base):
    __tablename__ = "rubric_level"
    item_id: Mapped[int] = mapped_column(ForeignKey("rubric_item.id"), primary_key=True)
    value: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    anchor: Mapped[str] = mapped_column(String(200))


class Timepoint(Base):
    __tablename__ = "timepoint"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(unique=True)
    nominal_day: Mapped[int | None]


class RaterGroup(Base):
    __tablename__ = "rater_group"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    raters: Mapped[list[Rater]] = relationship(back_populates="group", order_by="Rater.code")


class Rater(Base):
    __tablename__ = "rater"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-cased name: two enrolments of "Dr Lee" and "dr lee" are the same person.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("rater_group.id"))
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    group: Mapped[RaterGroup] = relationship(back_populates="raters")
    __table_args__ = (CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),)


class Patient(Base):
    __tablename__ = "patient"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)


class Case(Base):
    __tablename__ = "reading_case"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    timepoint_id: Mapped[int] = mapped_column(ForeignKey("timepoint.id"))
    created_at: Mapped[datetime]
    patient: Mapped[Patient] = relationship()
    timepoint: Mapped[Timepoint] = relationship()
    images: Mapped[list[Image]] = relationship(back_populates="case", order_by="Image.view")
    __table_args__ = (UniqueConstraint("patient_id", "timepoint_id"),)


class Image(Base):
    """De-identified pixels kept in the study's image store, plus what display needs."""

    __tablename__ = "image"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("reading_case.id"))
    view: Mapped[str] = mapped_column(String(3))
    # Hash of the decoded pixels (dtype, shape, bytes): the same image in another container is
    # still the same image.
    content_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # Hash of the stored file, checked when it is loaded.
    file_sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    bits_stored: Mapped[int]
    photometric: Mapped[str] = mapped_column(String(16))
    rescale_slope: Mapped[float] = mapped_column(Float)
    rescale_intercept: Mapped[float] = mapped_column(Float)
    window_center: Mapped[float | None] = mapped_column(Float)
    window_width: Mapped[float | None] = mapped_column(Float)
    pixel_spacing_mm: Mapped[float | None] = mapped_column(Float)
    source_format: Mapped[str] = mapped_column(String(16))
    # Everything the display pipeline needs (imaging.attributes.DisplayAttributes as JSON).
    display: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
    case: Mapped[Case] = relationship(back_populates="images")
    __table_args__ = (
        UniqueConstraint("case_id", "view"),
        CheckConstraint("view IN ('AP', 'LAT')", name="view_known"),
        CheckConstraint("photometric IN ('MONOCHROME1', 'MONOCHROME2')", name="photometric_known"),
        CheckConstraint("width > 0 AND height > 0", name="size_positive"),
    )


class ReadingPlan(Base):
    __tablename__ = "reading_plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    seed: Mapped[int]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))


class Assignment(Base):
    """One case in one rater's reading list, at a position, for a read number (1 = first read)."""

    __tablename__ = "assignment"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("reading_plan.id"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("rater.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("reading_case.id"))
    read_number: Mapped[int]
    position: Mapped[int]
    available_from: Mapped[datetime | None]
    case: Mapped[Case] = relationship()
    __table_args__ = (
        UniqueConstraint("rater_id", "case_id", "read_number"),
        UniqueConstraint("rater_id", "position"),
        CheckConstraint("read_number >= 1", name="read_number_positive"),
        CheckConstraint("position >= 1", name="position_positive"),
    )


class Rating(Base):
    """One submitted reading. Never updated: a correction is a new row with version + 1."""

    __tablename__ = "rating"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Idempotency key: a workstation that retries a submit sends the same id and gets the
    # stored rating back instead of a second one.
    submission_id: Mapped[str] = mapped_column(String(36), unique=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("rater.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("reading_case.id"))
    read_number: Mapped[int]
    version: Mapped[int]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("rating.id"))
    change_reason: Mapped[str | None] = mapped_column(Text)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id"))
    total: Mapped[int | None]
    subtotals: Mapped[dict[str, Any] | None]
    unreadable_reason: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime]
    active_seconds: Mapped[float | None] = mapped_column(Float)
    viewer_state: Mapped[dict[str, Any] | None]
    source: Mapped[str] = mapped_column(String(20))
    scores: Mapped[list[RatingScore]] = relationship(back_populates="rating")
    __table_args__ = (
        UniqueConstraint("rater_id", "case_id", "read_number", "version"),
        CheckConstraint("read_number >= 1", name="read_number_positive"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "(version = 1 AND supersedes_id IS NULL) OR "
            "(version > 1 AND supersedes_id IS NOT NULL AND change_reason IS NOT NULL)",
            name="correction_has_reason",
        ),
        CheckConstraint(
            "(unreadable_reason IS NULL AND total IS NOT NULL) OR "
            "(unreadable_reason IS NOT NULL AND total IS NULL)",
            name="scored_or_unreadable",
        ),
        CheckConstraint("active_seconds IS NULL OR active_seconds >= 0", name="active_time_positive"),
        CheckConstraint("source IN ('workstation', 'import', 'demo', 'api')", name="source_known"),
        Index("ix_rating_case", "case_id"),
    )


class RatingScore(Base):
    __tablename__ = "rating_score"
    rating_id: Mapped[int] = mapped_column(ForeignKey("rating.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rubric_item.id"), primary_key=True)
    value: Mapped[int]
    rating: Mapped[Rating] = relationship(back_populates="scores")
    __table_args__ = (
        # The value must be one of the item's levels (1, 2 or 3 for RUSH): enforced by the database.
        ForeignKeyConstraint(
            ["item_id", "value"],
            ["rubric_level.item_id", "rubric_level.value"],
            name="fk_rating_score_level",
        ),
    )


class Consensus(Base):
    """A case's agreed score, kept apart from independent reads. Never updated: a new version."""

    __tablename__ = "consensus"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("reading_case.id"))
    # Whose consensus: "all" raters, or a rater group's name.
    scope: Mapped[str] = mapped_column(String(100))
    # mean | median (computed from the raters) | adjudicated (one person) | panel (a meeting)
    method: Mapped[str] = mapped_column(String(20))
    version: Mapped[int]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("consensus.id"))
    total: Mapped[float | None] = mapped_column(Float)
    item_values: Mapped[dict[str, Any] | None]
    slow_healing: Mapped[bool | None]
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        UniqueConstraint("case_id", "scope", "version"),
        CheckConstraint("method IN ('mean', 'median', 'adjudicated', 'panel')", name="method_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "(version = 1 AND supersedes_id IS NULL) OR (version > 1 AND supersedes_id IS NOT NULL)",
            name="versions_chain",
        ),
    )


class AuditEvent(Base):
    """Who changed what, when, from what to what, and why. Append-only."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str | None] = mapped_column(String(60))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    reason: Mapped[str | None] = mapped_column(Text)
    # The hash chain (storage.audit_chain): the previous row of this actor's hash, and this row's.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (
        Index("ix_audit_event_entity", "entity", "entity_id"),
        # Finds an actor's last row (the chain's tail) at every write without a table scan.
        Index("ix_audit_event_actor", "actor", "id"),
    )


class ImageDeidentification(Base):
    """How an image was de-identified (PS3.15 Annex E method, Patient Identity Removed) and masked."""

    __tablename__ = "image_deidentification"
    image_id: Mapped[int] = mapped_column(ForeignKey("image.id"), primary_key=True)
    method: Mapped[str] = mapped_column(String(200))
    patient_identity_removed: Mapped[str] = mapped_column(String(3))
    # Days since the patient's first imaging date in the study (dates themselves are never kept).
    study_day: Mapped[int | None]
    device: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(String(300))
    # Rectangles [x, y, width, height] masked in the stored pixels (template and per image).
    redactions: Mapped[dict[str, Any] | None]
    __table_args__ = (CheckConstraint("patient_identity_removed = 'YES'", name="identity_removed"),)


class StagedImage(Base):
    """A de-identified image whose patient, time point or view the import could not decide."""

    __tablename__ = "staged_image"
    id: Mapped[int] = mapped_column(primary_key=True)
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    file_sha256: Mapped[str] = mapped_column(String(64))
    content_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    image_fields: Mapped[dict[str, Any]]
    display: Mapped[dict[str, Any] | None]
    patient_code: Mapped[str | None] = mapped_column(String(40))
    study_day: Mapped[int | None]
    timepoint: Mapped[str | None] = mapped_column(String(40))
    view: Mapped[str | None] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(200))
    device: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(String(300))
    redactions: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]


class RedactionTemplate(Base):
    """Rectangles masked on every image of one device and size (burned-in text)."""

    __tablename__ = "redaction_template"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    rects: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


#: Tables whose rows may never be updated or deleted once written.
APPEND_ONLY_TABLES = ("rating", "rating_score", "audit_event", "consensus")


class ImageBlob(Base):
    """An image's stored bytes, for studies kept in a database server (every workstation reads them).

    Folder studies keep their files in STUDY/images/ and leave this table empty.
    """

    __tablename__ = "image_blob"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    __table_args__ = (CheckConstraint("size >= 0", name="size_not_negative"),)


class RaterDbRole(Base):
    """Which database login is which rater (PostgreSQL row-level security reads it)."""

    __tablename__ = "rater_db_role"
    rater_id: Mapped[int] = mapped_column(ForeignKey("rater.id"), primary_key=True)
    role_name: Mapped[str] = mapped_column(String(63), unique=True)
    created_at: Mapped[datetime]


class CtSeries(Base):
    """One de-identified CT series of a patient, kept as a single HU volume in the image store."""

    __tablename__ = "ct_series"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    file_sha256: Mapped[str] = mapped_column(String(64))
    # Hash of the HU volume (dtype, shape, bytes): the same series re-exported is still the same.
    content_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    rows: Mapped[int]
    columns: Mapped[int]
    slice_count: Mapped[int]
    row_spacing_mm: Mapped[float] = mapped_column(Float)
    column_spacing_mm: Mapped[float] = mapped_column(Float)
    slice_spacing_mm: Mapped[float] = mapped_column(Float)
    # Slice positions along the patient axis (mm, from ImagePositionPatient) and orientation.
    geometry: Mapped[dict[str, Any]]
    source_format: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(200))
    patient_identity_removed: Mapped[str] = mapped_column(String(3))
    study_day: Mapped[int | None]
    device: Mapped[str] = mapped_column(String(200))
    imported_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    patient: Mapped[Patient] = relationship()
    __table_args__ = (
        CheckConstraint("patient_identity_removed = 'YES'", name="identity_removed"),
        CheckConstraint("rows > 0 AND columns > 0 AND slice_count > 0", name="size_positive"),
        CheckConstraint(
            "row_spacing_mm > 0 AND column_spacing_mm > 0 AND slice_spacing_mm > 0",
            name="spacing_positive",
        ),
    )


class PatientAnthropometry(Base):
    """A patient's height (m) and, optionally, sex. Never updated: a correction is a new version."""

    __tablename__ = "patient_anthropometry"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    version: Mapped[int]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("patient_anthropometry.id"))
    height_m: Mapped[float] = mapped_column(Float)
    sex: Mapped[str | None] = mapped_column(String(1))
    source: Mapped[str] = mapped_column(String(10))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]
    change_reason: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        UniqueConstraint("patient_id", "version"),
        CheckConstraint("height_m >= 0.5 AND height_m <= 2.6", name="height_plausible"),
        CheckConstraint("sex IS NULL OR sex IN ('F', 'M')", name="sex_known"),
        CheckConstraint("source IN ('app', 'csv', 'cli')", name="source_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "(version = 1 AND supersedes_id IS NULL) OR (version > 1 AND supersedes_id IS NOT NULL)",
            name="versions_chain",
        ),
    )


class BodyComposition(Base):
    """One version of an assessor's T12 body-composition measurement of a patient.

    Never updated: an edit, the second assessor's review and the lock are each a new version that
    supersedes the previous one. Everything the indices were computed from is kept on the row.
    """

    __tablename__ = "body_composition"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    series_id: Mapped[int] = mapped_column(ForeignKey("ct_series.id"))
    # Who made the measurement this chain of versions belongs to.
    assessor: Mapped[str] = mapped_column(String(200))
    version: Mapped[int]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("body_composition.id"))
    # measured -> reviewed (by a second assessor) -> locked
    status: Mapped[str] = mapped_column(String(10))
    change_reason: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]
    measured_at: Mapped[datetime]
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(String(200))
    locked_at: Mapped[datetime | None]
    slice_index: Mapped[int]
    slice_position_mm: Mapped[float] = mapped_column(Float)
    # manual (scrolled) | labels (TotalSegmentator T12 centre) | given (--slice) | middle
    level_source: Mapped[str] = mapped_column(String(10))
    thresholds: Mapped[dict[str, Any]]
    # {"outer": [[x, y], ...], "inner": [...], "skin": [...] (only where an arm touches the trunk),
    #  "edited": bool} in pixel coordinates.
    contours: Mapped[dict[str, Any]]
    muscle_cm2: Mapped[float] = mapped_column(Float)
    visceral_fat_cm2: Mapped[float] = mapped_column(Float)
    subcutaneous_fat_cm2: Mapped[float] = mapped_column(Float)
    muscle_mean_hu: Mapped[float | None] = mapped_column(Float)
    anthropometry_id: Mapped[int] = mapped_column(ForeignKey("patient_anthropometry.id"))
    height_m: Mapped[float] = mapped_column(Float)
    sex: Mapped[str | None] = mapped_column(String(1))
    smi: Mapped[float] = mapped_column(Float)
    vfi: Mapped[float] = mapped_column(Float)
    sfi: Mapped[float] = mapped_column(Float)
    # None when there is no subcutaneous fat to divide by.
    vsr: Mapped[float | None] = mapped_column(Float)
    # The reference table version used and the cut-offs crossed (with citations).
    flags: Mapped[dict[str, Any]]
    __table_args__ = (
        UniqueConstraint("patient_id", "assessor", "version"),
        CheckConstraint("status IN ('measured', 'reviewed', 'locked')", name="status_known"),
        CheckConstraint(
            "level_source IN ('manual', 'labels', 'given', 'middle')", name="level_source_known"
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "(version = 1 AND supersedes_id IS NULL) OR "
            "(version > 1 AND supersedes_id IS NOT NULL AND change_reason IS NOT NULL)",
            name="versions_chain",
        ),
        CheckConstraint(
            "status = 'measured' OR (reviewed_by IS NOT NULL AND reviewed_at IS NOT NULL "
            "AND reviewed_by <> assessor)",
            name="review_by_second_assessor",
        ),
        CheckConstraint(
            "status <> 'locked' OR (locked_by IS NOT NULL AND locked_at IS NOT NULL)", name="lock_recorded"
        ),
        CheckConstraint(
            "muscle_cm2 >= 0 AND visceral_fat_cm2 >= 0 AND subcutaneous_fat_cm2 >= 0",
            name="areas_non_negative",
        ),
        CheckConstraint("height_m > 0", name="height_positive"),
        Index("ix_body_composition_patient", "patient_id"),
    )


#: Body-composition tables that are append-only too (triggers in revision 0005).
BODYCOMP_APPEND_ONLY_TABLES = ("patient_anthropometry", "body_composition")


class ClinicalVariable(Base):
    """One version of a codebook entry: a clinical variable's label, type, levels, unit and range.

    ``levels`` (binary/categorical): ``[{"value": "1", "label": "Yes"}, ...]`` in codebook order.
    Never updated: a changed entry is a new version.
    """

    __tablename__ = "clinical_variable"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    version: Mapped[int]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("clinical_variable.id"))
    label: Mapped[str] = mapped_column(String(200))
    # continuous | binary | categorical
    kind: Mapped[str] = mapped_column(String(12))
    unit: Mapped[str | None] = mapped_column(String(40))
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    levels: Mapped[list[Any] | None] = mapped_column(JSON)
    # codebook (given by the user) | inferred (accepted with --accept-inferred)
    source: Mapped[str] = mapped_column(String(10))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]
    change_reason: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        UniqueConstraint("name", "version"),
        CheckConstraint("kind IN ('continuous', 'binary', 'categorical')", name="kind_known"),
        CheckConstraint("source IN ('codebook', 'inferred')", name="source_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "(version = 1 AND supersedes_id IS NULL) OR (version > 1 AND supersedes_id IS NOT NULL)",
            name="versions_chain",
        ),
    )


class ClinicalValue(Base):
    """One version of one clinical variable of one patient (``value`` None: missing).

    ``value`` is the canonical text (a level's value, or the number as written back); ``number``
    the numeric value of a continuous variable. Never updated: a correction is a new version.
    """

    __tablename__ = "clinical_value"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    variable: Mapped[str] = mapped_column(String(60))
    version: Mapped[int]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("clinical_value.id"))
    value: Mapped[str | None] = mapped_column(String(200))
    number: Mapped[float | None] = mapped_column(Float)
    # SHA-256 of the sheet the value came from (which import wrote it).
    source_sha256: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]
    change_reason: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        UniqueConstraint("patient_id", "variable", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "(version = 1 AND supersedes_id IS NULL) OR "
            "(version > 1 AND supersedes_id IS NOT NULL AND change_reason IS NOT NULL)",
            name="versions_chain",
        ),
        Index("ix_clinical_value_patient", "patient_id"),
    )


#: Clinical-data tables, append-only too (triggers in revision 0012).
CLINICAL_APPEND_ONLY_TABLES = ("clinical_variable", "clinical_value")


class FollowUpEvent(Base):
    """One version of a patient's follow-up record of one event type (issue 15).

    ``day``: days after surgery (day 0) of the event (``status`` 1) or of the end of follow-up
    without it (``status`` 0, censored); calendar dates never enter the study. Never updated: a
    correction is a new version.
    """

    __tablename__ = "follow_up_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    event_type: Mapped[str] = mapped_column(String(60))
    version: Mapped[int]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("follow_up_event.id"))
    day: Mapped[float] = mapped_column(Float)
    status: Mapped[int]
    # SHA-256 of the sheet the record came from (which import wrote it).
    source_sha256: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]
    change_reason: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        UniqueConstraint("patient_id", "event_type", "version"),
        CheckConstraint("status IN (0, 1)", name="status_known"),
        CheckConstraint("day >= 0", name="day_not_before_surgery"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "(version = 1 AND supersedes_id IS NULL) OR "
            "(version > 1 AND supersedes_id IS NOT NULL AND change_reason IS NOT NULL)",
            name="versions_chain",
        ),
        Index("ix_follow_up_event_patient", "patient_id"),
    )


#: Follow-up events, append-only too (triggers in revision 0013).
FOLLOW_UP_APPEND_ONLY_TABLES = ("follow_up_event",)


class TrainingCase(Base):
    """A case marked for rater training, with its reference item scores (issue 17).

    ``reference``: ``{item key: value}`` (validated against the rubric by services.training);
    ``reference_total`` their sum. A changed reference is a new version. A training case is never in
    a rater's study reading list.
    """

    __tablename__ = "training_case"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("reading_case.id"))
    version: Mapped[int]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("training_case.id"))
    reference: Mapped[dict[str, Any]]
    reference_total: Mapped[int]
    # csv (rushrater training reference) | console | cli
    source: Mapped[str] = mapped_column(String(10))
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    defined_by: Mapped[str] = mapped_column(String(200))
    defined_at: Mapped[datetime]
    change_reason: Mapped[str | None] = mapped_column(Text)
    case: Mapped[Case] = relationship()
    __table_args__ = (
        UniqueConstraint("case_id", "version"),
        CheckConstraint("source IN ('csv', 'console', 'cli')", name="source_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "(version = 1 AND supersedes_id IS NULL) OR "
            "(version > 1 AND supersedes_id IS NOT NULL AND change_reason IS NOT NULL)",
            name="versions_chain",
        ),
    )


class TrainingRead(Base):
    """A rater's scores of a training case: apart from ``rating``, never in the study's analyses.

    ``round``: the rater's pass through the training set (1, then 2... when a failed round is
    repeated). ``training_case_id``: the reference version the read was compared with.
    """

    __tablename__ = "training_read"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(String(36), unique=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("rater.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("reading_case.id"))
    training_case_id: Mapped[int] = mapped_column(ForeignKey("training_case.id"))
    round: Mapped[int]
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id"))
    item_values: Mapped[dict[str, Any]]
    total: Mapped[int]
    started_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime]
    active_seconds: Mapped[float | None] = mapped_column(Float)
    __table_args__ = (
        UniqueConstraint("rater_id", "case_id", "round"),
        CheckConstraint("round >= 1", name="round_positive"),
        CheckConstraint("active_seconds IS NULL OR active_seconds >= 0", name="active_time_positive"),
        Index("ix_training_read_rater", "rater_id"),
    )


#: Training tables, append-only too (triggers in revision 0012).
TRAINING_APPEND_ONLY_TABLES = ("training_case", "training_read")
