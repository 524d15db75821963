"""CT body composition at T12: CT series per patient, height and sex, and measurements.

Height/sex entries and measurements are append-only like ratings (a change is a new version that
points at the one it supersedes); new tables with their own triggers, so that no existing
append-only table is batch-altered (which would drop its triggers on SQLite).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

APPEND_ONLY = ("patient_anthropometry", "body_composition")


def upgrade() -> None:
    op.create_table(
        "ct_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("columns", sa.Integer(), nullable=False),
        sa.Column("slice_count", sa.Integer(), nullable=False),
        sa.Column("row_spacing_mm", sa.Float(), nullable=False),
        sa.Column("column_spacing_mm", sa.Float(), nullable=False),
        sa.Column("slice_spacing_mm", sa.Float(), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("source_format", sa.String(length=40), nullable=False),
        sa.Column("method", sa.String(length=200), nullable=False),
        sa.Column("patient_identity_removed", sa.String(length=3), nullable=False),
        sa.Column("study_day", sa.Integer(), nullable=True),
        sa.Column("device", sa.String(length=200), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("patient_identity_removed = 'YES'", name=op.f("ck_ct_series_identity_removed")),
        sa.CheckConstraint(
            "rows > 0 AND columns > 0 AND slice_count > 0", name=op.f("ck_ct_series_size_positive")
        ),
        sa.CheckConstraint(
            "row_spacing_mm > 0 AND column_spacing_mm > 0 AND slice_spacing_mm > 0",
            name=op.f("ck_ct_series_spacing_positive"),
        ),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_ct_series_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ct_series")),
        sa.UniqueConstraint("content_sha256", name=op.f("uq_ct_series_content_sha256")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_ct_series_storage_key")),
    )
    op.create_table(
        "patient_anthropometry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("height_m", sa.Float(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "height_m >= 0.5 AND height_m <= 2.6", name=op.f("ck_patient_anthropometry_height_plausible")
        ),
        sa.CheckConstraint("sex IS NULL OR sex IN ('F', 'M')", name=op.f("ck_patient_anthropometry_sex_known")),
        sa.CheckConstraint(
            "source IN ('app', 'csv', 'cli')", name=op.f("ck_patient_anthropometry_source_known")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_patient_anthropometry_version_positive")),
        sa.CheckConstraint(
            "(version = 1 AND supersedes_id IS NULL) OR (version > 1 AND supersedes_id IS NOT NULL)",
            name=op.f("ck_patient_anthropometry_versions_chain"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_patient_anthropometry_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["patient_anthropometry.id"],
            name=op.f("fk_patient_anthropometry_supersedes_id_patient_anthropometry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_anthropometry")),
        sa.UniqueConstraint(
            "patient_id", "version", name=op.f("uq_patient_anthropometry_patient_id_version")
        ),
    )
    op.create_table(
        "body_composition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("assessor", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("change_reason", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_by", sa.String(length=200), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("slice_index", sa.Integer(), nullable=False),
        sa.Column("slice_position_mm", sa.Float(), nullable=False),
        sa.Column("level_source", sa.String(length=10), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("contours", sa.JSON(), nullable=False),
        sa.Column("muscle_cm2", sa.Float(), nullable=False),
        sa.Column("visceral_fat_cm2", sa.Float(), nullable=False),
        sa.Column("subcutaneous_fat_cm2", sa.Float(), nullable=False),
        sa.Column("muscle_mean_hu", sa.Float(), nullable=True),
        sa.Column("anthropometry_id", sa.Integer(), nullable=False),
        sa.Column("height_m", sa.Float(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("smi", sa.Float(), nullable=False),
        sa.Column("vfi", sa.Float(), nullable=False),
        sa.Column("sfi", sa.Float(), nullable=False),
        sa.Column("vsr", sa.Float(), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "status IN ('measured', 'reviewed', 'locked')", name=op.f("ck_body_composition_status_known")
        ),
        sa.CheckConstraint(
            "level_source IN ('manual', 'labels', 'given', 'middle')",
            name=op.f("ck_body_composition_level_source_known"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_body_composition_version_positive")),
        sa.CheckConstraint(
            "(version = 1 AND supersedes_id IS NULL) OR "
            "(version > 1 AND supersedes_id IS NOT NULL AND change_reason IS NOT NULL)",
            name=op.f("ck_body_composition_versions_chain"),
        ),
        sa.CheckConstraint(
            "status = 'measured' OR (reviewed_by IS NOT NULL AND reviewed_at IS NOT NULL "
            "AND reviewed_by <> assessor)",
            name=op.f("ck_body_composition_review_by_second_assessor"),
        ),
        sa.CheckConstraint(
            "status <> 'locked' OR (locked_by IS NOT NULL AND locked_at IS NOT NULL)",
            name=op.f("ck_body_composition_lock_recorded"),
        ),
        sa.CheckConstraint(
            "muscle_cm2 >= 0 AND visceral_fat_cm2 >= 0 AND subcutaneous_fat_cm2 >= 0",
            name=op.f("ck_body_composition_areas_non_negative"),
        ),
        sa.CheckConstraint("height_m > 0", name=op.f("ck_body_composition_height_positive")),
        sa.ForeignKeyConstraint(
            ["anthropometry_id"],
            ["patient_anthropometry.id"],
            name=op.f("fk_body_composition_anthropometry_id_patient_anthropometry"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_body_composition_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["series_id"], ["ct_series.id"], name=op.f("fk_body_composition_series_id_ct_series")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["body_composition.id"],
            name=op.f("fk_body_composition_supersedes_id_body_composition"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_body_composition")),
        sa.UniqueConstraint(
            "patient_id", "assessor", "version", name=op.f("uq_body_composition_patient_id_assessor_version")
        ),
    )
    op.create_index("ix_body_composition_patient", "body_composition", ["patient_id"], unique=False)

    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        if dialect == "sqlite":
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: "
                    "record a correction as a new version'); END"
                )
        elif dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION rushrater_append_only()"
            )


def downgrade() -> None:
    op.drop_index("ix_body_composition_patient", table_name="body_composition")
    op.drop_table("body_composition")
    op.drop_table("patient_anthropometry")
    op.drop_table("ct_series")
