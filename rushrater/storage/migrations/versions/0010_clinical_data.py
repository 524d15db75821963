"""Clinical data (issue 14): a per-study codebook and per-patient clinical values.

Both tables are append-only like ratings: a corrected codebook entry or value is a new version
that points at the one it supersedes (triggers below, on SQLite and PostgreSQL). No hospital
identifier is stored: rows of a clinical sheet are mapped to patient codes through the key file
before anything reaches the study, and the identifier column is dropped.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

APPEND_ONLY = ("clinical_variable", "clinical_value")


def upgrade() -> None:
    op.create_table(
        "clinical_variable",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=True),
        sa.Column("min_value", sa.Float(), nullable=True),
        sa.Column("max_value", sa.Float(), nullable=True),
        sa.Column("levels", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('continuous', 'binary', 'categorical')", name=op.f("ck_clinical_variable_kind_known")
        ),
        sa.CheckConstraint("source IN ('codebook', 'inferred')", name=op.f("ck_clinical_variable_source_known")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_clinical_variable_version_positive")),
        sa.CheckConstraint(
            "(version = 1 AND supersedes_id IS NULL) OR (version > 1 AND supersedes_id IS NOT NULL)",
            name=op.f("ck_clinical_variable_versions_chain"),
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["clinical_variable.id"],
            name=op.f("fk_clinical_variable_supersedes_id_clinical_variable"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinical_variable")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_clinical_variable_name_version")),
    )
    op.create_table(
        "clinical_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("variable", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.String(length=200), nullable=True),
        sa.Column("number", sa.Float(), nullable=True),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("version >= 1", name=op.f("ck_clinical_value_version_positive")),
        sa.CheckConstraint(
            "(version = 1 AND supersedes_id IS NULL) OR "
            "(version > 1 AND supersedes_id IS NOT NULL AND change_reason IS NOT NULL)",
            name=op.f("ck_clinical_value_versions_chain"),
        ),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_clinical_value_patient_id_patient")),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["clinical_value.id"], name=op.f("fk_clinical_value_supersedes_id_clinical_value")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinical_value")),
        sa.UniqueConstraint(
            "patient_id", "variable", "version", name=op.f("uq_clinical_value_patient_id_variable_version")
        ),
    )
    op.create_index("ix_clinical_value_patient", "clinical_value", ["patient_id"], unique=False)

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
            # TRUNCATE refused like the other append-only tables once revision 0008 (PostgreSQL
            # isolation) has made its function; written so that either chain order works.
            op.execute(
                "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'rushrater_no_truncate') THEN "
                f"EXECUTE 'CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION rushrater_no_truncate()'; END IF; END $$"
            )


def downgrade() -> None:
    op.drop_index("ix_clinical_value_patient", table_name="clinical_value")
    op.drop_table("clinical_value")
    op.drop_table("clinical_variable")
