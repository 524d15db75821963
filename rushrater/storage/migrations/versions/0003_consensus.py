"""Consensus scores per case (overall and per rater group), append-only like ratings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consensus",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("item_values", sa.JSON(), nullable=True),
        sa.Column("slow_healing", sa.Boolean(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("method IN ('mean', 'median', 'adjudicated', 'panel')", name=op.f("ck_consensus_method_known")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_consensus_version_positive")),
        sa.CheckConstraint(
            "(version = 1 AND supersedes_id IS NULL) OR (version > 1 AND supersedes_id IS NOT NULL)",
            name=op.f("ck_consensus_versions_chain"),
        ),
        sa.ForeignKeyConstraint(["case_id"], ["reading_case.id"], name=op.f("fk_consensus_case_id_reading_case")),
        sa.ForeignKeyConstraint(["supersedes_id"], ["consensus.id"], name=op.f("fk_consensus_supersedes_id_consensus")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consensus")),
        sa.UniqueConstraint("case_id", "scope", "version", name=op.f("uq_consensus_case_id_scope_version")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER consensus_no_{verb.lower()} BEFORE {verb} ON consensus "
                "BEGIN SELECT RAISE(ABORT, 'consensus rows are append-only: "
                "record a correction as a new version'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE TRIGGER consensus_append_only BEFORE UPDATE OR DELETE ON consensus "
            "FOR EACH ROW EXECUTE FUNCTION rushrater_append_only()"
        )


def downgrade() -> None:
    op.drop_table("consensus")
