"""Rater training and calibration (issue 17): training cases with reference scores, training reads.

``training_case``: a case (imported like any other) that the coordinator marked for training, with
its reference item scores (an expert panel, a published atlas). A changed reference is a new
version. ``training_read``: a rater's scores of a training case, kept apart from ``rating`` so they
never enter the study's agreement, exports, consensus or outcome analyses. Both append-only
(triggers below, on SQLite and PostgreSQL).

PostgreSQL rater logins (revision 0008): a rater inserts and reads only their own training reads
(row-level security, like ``rating``) and reads the references of training cases (shown after
each submit); the training case's images are readable through the 0008 views only for cases in
the rater's list, so a server study's training reads run with the coordinator's connection
(documented in services/training.py).

Revision ID: 0012
Revises: 0011 (follow-up events)
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

APPEND_ONLY = ("training_case", "training_read")
ME = "(SELECT rushrater_rater_of(current_user))"


def upgrade() -> None:
    op.create_table(
        "training_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.JSON(), nullable=False),
        sa.Column("reference_total", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=True),
        sa.Column("defined_by", sa.String(length=200), nullable=False),
        sa.Column("defined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("source IN ('csv', 'console', 'cli')", name=op.f("ck_training_case_source_known")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_training_case_version_positive")),
        sa.CheckConstraint(
            "(version = 1 AND supersedes_id IS NULL) OR "
            "(version > 1 AND supersedes_id IS NOT NULL AND change_reason IS NOT NULL)",
            name=op.f("ck_training_case_versions_chain"),
        ),
        sa.ForeignKeyConstraint(["case_id"], ["reading_case.id"], name=op.f("fk_training_case_case_id_reading_case")),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["training_case.id"], name=op.f("fk_training_case_supersedes_id_training_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_case")),
        sa.UniqueConstraint("case_id", "version", name=op.f("uq_training_case_case_id_version")),
    )
    op.create_table(
        "training_read",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("rater_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("training_case_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("rubric_id", sa.Integer(), nullable=False),
        sa.Column("item_values", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active_seconds", sa.Float(), nullable=True),
        sa.CheckConstraint("round >= 1", name=op.f("ck_training_read_round_positive")),
        sa.CheckConstraint(
            "active_seconds IS NULL OR active_seconds >= 0", name=op.f("ck_training_read_active_time_positive")
        ),
        sa.ForeignKeyConstraint(["rater_id"], ["rater.id"], name=op.f("fk_training_read_rater_id_rater")),
        sa.ForeignKeyConstraint(["case_id"], ["reading_case.id"], name=op.f("fk_training_read_case_id_reading_case")),
        sa.ForeignKeyConstraint(
            ["training_case_id"], ["training_case.id"], name=op.f("fk_training_read_training_case_id_training_case")
        ),
        sa.ForeignKeyConstraint(["rubric_id"], ["rubric.id"], name=op.f("fk_training_read_rubric_id_rubric")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_read")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_training_read_submission_id")),
        sa.UniqueConstraint("rater_id", "case_id", "round", name=op.f("uq_training_read_rater_id_case_id_round")),
    )
    op.create_index("ix_training_read_rater", "training_read", ["rater_id"], unique=False)

    bind = op.get_bind()
    dialect = bind.dialect.name
    for table in APPEND_ONLY:
        if dialect == "sqlite":
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: "
                    "record a correction as a new version'); END"
                )
            # INSERT OR REPLACE would delete the old row without firing the DELETE trigger (0009).
            keys = {"training_case": ("case_id", "version"), "training_read": ("rater_id", "case_id", "round")}[table]
            match = " AND ".join(f"{c} = NEW.{c}" for c in keys)
            extra = " OR EXISTS (SELECT 1 FROM training_read WHERE submission_id = NEW.submission_id)" \
                if table == "training_read" else ""
            op.execute(
                f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
                f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {match}){extra} "
                f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: a row with this key (UNIQUE) "
                "already exists; record a correction as a new version'); END"
            )
        elif dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION rushrater_append_only()"
            )
            op.execute(
                "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'rushrater_no_truncate') THEN "
                f"EXECUTE 'CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION rushrater_no_truncate()'; END IF; END $$"
            )
    if dialect == "postgresql":
        _rater_access()


def _rater_access() -> None:
    """Rater logins (0008's group, when there is one): their own training reads, and references."""
    op.execute(
        f"""
        DO $$ DECLARE grp name; BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'rushrater_rater_group') THEN RETURN; END IF;
          EXECUTE 'SELECT rushrater_rater_group()' INTO grp;
          IF grp IS NULL OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grp) THEN RETURN; END IF;
          EXECUTE format('GRANT SELECT ON training_case TO %I', grp);
          EXECUTE format('GRANT SELECT, INSERT ON training_read TO %I', grp);
          EXECUTE format('GRANT USAGE ON SEQUENCE training_read_id_seq TO %I', grp);
          -- The coordinator owns the table, so row-level security binds only the rater logins.
          ALTER TABLE training_read ENABLE ROW LEVEL SECURITY;
          EXECUTE format('CREATE POLICY rater_own ON training_read TO %I USING (rater_id = {ME}) '
                         'WITH CHECK (rater_id = {ME})', grp);
        END $$
        """
    )


def downgrade() -> None:
    op.drop_index("ix_training_read_rater", table_name="training_read")
    op.drop_table("training_read")
    op.drop_table("training_case")
