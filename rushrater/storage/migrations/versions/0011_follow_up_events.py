"""Follow-up events (issue 15): per patient and event type, the time of the event or of censoring.

A row holds the study-relative day (days after surgery, day 0) and whether the event happened
(status 1) or follow-up ended without it (status 0, censored). The calendar dates of the sheet
never enter the study: the import turns them into days and drops them. Append-only like the
clinical values (triggers below, on SQLite and PostgreSQL): a corrected record is a new version
that points at the one it supersedes.

Revision ID: 0011
Revises: 0010 (clinical data)
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLE = "follow_up_event"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Float(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN (0, 1)", name=op.f("ck_follow_up_event_status_known")),
        sa.CheckConstraint("day >= 0", name=op.f("ck_follow_up_event_day_not_before_surgery")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_follow_up_event_version_positive")),
        sa.CheckConstraint(
            "(version = 1 AND supersedes_id IS NULL) OR "
            "(version > 1 AND supersedes_id IS NOT NULL AND change_reason IS NOT NULL)",
            name=op.f("ck_follow_up_event_versions_chain"),
        ),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_follow_up_event_patient_id_patient")),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], [f"{TABLE}.id"], name=op.f("fk_follow_up_event_supersedes_id_follow_up_event")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_event")),
        sa.UniqueConstraint(
            "patient_id", "event_type", "version", name=op.f("uq_follow_up_event_patient_id_event_type_version")
        ),
    )
    op.create_index("ix_follow_up_event_patient", TABLE, ["patient_id"], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{TABLE} rows are append-only: "
                "record a correction as a new version'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION rushrater_append_only()"
        )


def downgrade() -> None:
    op.drop_index("ix_follow_up_event_patient", table_name=TABLE)
    op.drop_table(TABLE)
