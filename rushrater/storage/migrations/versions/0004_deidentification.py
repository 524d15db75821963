"""De-identification records per image, the staging table for images that need assignment, and
redaction templates.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "image_deidentification",
        sa.Column("image_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=200), nullable=False),
        sa.Column("patient_identity_removed", sa.String(length=3), nullable=False),
        sa.Column("study_day", sa.Integer(), nullable=True),
        sa.Column("device", sa.String(length=200), nullable=False),
        sa.Column("template", sa.String(length=300), nullable=False),
        sa.Column("redactions", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "patient_identity_removed = 'YES'", name=op.f("ck_image_deidentification_identity_removed")
        ),
        sa.ForeignKeyConstraint(["image_id"], ["image.id"], name=op.f("fk_image_deidentification_image_id_image")),
        sa.PrimaryKeyConstraint("image_id", name=op.f("pk_image_deidentification")),
    )
    op.create_table(
        "staged_image",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("image_fields", sa.JSON(), nullable=False),
        sa.Column("display", sa.JSON(), nullable=True),
        sa.Column("patient_code", sa.String(length=40), nullable=True),
        sa.Column("study_day", sa.Integer(), nullable=True),
        sa.Column("timepoint", sa.String(length=40), nullable=True),
        sa.Column("view", sa.String(length=3), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=200), nullable=False),
        sa.Column("device", sa.String(length=200), nullable=False),
        sa.Column("template", sa.String(length=300), nullable=False),
        sa.Column("redactions", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staged_image")),
        sa.UniqueConstraint("content_sha256", name=op.f("uq_staged_image_content_sha256")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_staged_image_storage_key")),
    )
    op.create_table(
        "redaction_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("rects", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redaction_template")),
        sa.UniqueConstraint("key", name=op.f("uq_redaction_template_key")),
    )


def downgrade() -> None:
    op.drop_table("redaction_template")
    op.drop_table("staged_image")
    op.drop_table("image_deidentification")
