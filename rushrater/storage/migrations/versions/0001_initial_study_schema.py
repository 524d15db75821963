"""Initial study schema: rubric, time points, raters, cases, images, plan, ratings, audit trail.

Ratings, their item scores and the audit trail are append-only, enforced by triggers so that no
client (ours, a script, psql) can overwrite a submitted score.

Revision ID: 0001
Revises: 
Create Date: 2026-11-21
"""

from alembic import op
import sqlalchemy as sa

APPEND_ONLY_TABLES = ("rating", "rating_score", "audit_event")


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('entity', sa.String(length=60), nullable=False),
    sa.Column('entity_id', sa.String(length=60), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_entity', ['entity', 'entity_id'], unique=False)

    op.create_table('patient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient')),
    sa.UniqueConstraint('code', name=op.f('uq_patient_code'))
    )
    op.create_table('rater_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rater_group')),
    sa.UniqueConstraint('name', name=op.f('uq_rater_group_name'))
    )
    op.create_table('reading_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reading_plan'))
    )
    op.create_table('rubric',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('citation', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric')),
    sa.UniqueConstraint('key', 'version', name=op.f('uq_rubric_key_version'))
    )
    op.create_table('timepoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('nominal_day', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timepoint')),
    sa.UniqueConstraint('key', name=op.f('uq_timepoint_key')),
    sa.UniqueConstraint('position', name=op.f('uq_timepoint_position'))
    )
    op.create_table('rater',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('pin_hash', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_rater_name_not_blank')),
    sa.ForeignKeyConstraint(['group_id'], ['rater_group.id'], name=op.f('fk_rater_group_id_rater_group')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rater')),
    sa.UniqueConstraint('code', name=op.f('uq_rater_code')),
    sa.UniqueConstraint('name_key', name=op.f('uq_rater_name_key'))
    )
    op.create_table('reading_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('timepoint_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_reading_case_patient_id_patient')),
    sa.ForeignKeyConstraint(['timepoint_id'], ['timepoint.id'], name=op.f('fk_reading_case_timepoint_id_timepoint')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reading_case')),
    sa.UniqueConstraint('code', name=op.f('uq_reading_case_code')),
    sa.UniqueConstraint('patient_id', 'timepoint_id', name=op.f('uq_reading_case_patient_id_timepoint_id'))
    )
    op.create_table('rubric_component',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubric.id'], name=op.f('fk_rubric_component_rubric_id_rubric')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric_component')),
    sa.UniqueConstraint('rubric_id', 'key', name=op.f('uq_rubric_component_rubric_id_key'))
    )
    op.create_table('study',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_with', sa.String(length=40), nullable=False),
    sa.CheckConstraint('length(trim(title)) > 0', name=op.f('ck_study_title_not_blank')),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubric.id'], name=op.f('fk_study_rubric_id_rubric')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study')),
    sa.UniqueConstraint('uid', name=op.f('uq_study_uid'))
    )
    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('read_number', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('available_from', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('position >= 1', name=op.f('ck_assignment_position_positive')),
    sa.CheckConstraint('read_number >= 1', name=op.f('ck_assignment_read_number_positive')),
    sa.ForeignKeyConstraint(['case_id'], ['reading_case.id'], name=op.f('fk_assignment_case_id_reading_case')),
    sa.ForeignKeyConstraint(['plan_id'], ['reading_plan.id'], name=op.f('fk_assignment_plan_id_reading_plan')),
    sa.ForeignKeyConstraint(['rater_id'], ['rater.id'], name=op.f('fk_assignment_rater_id_rater')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment')),
    sa.UniqueConstraint('rater_id', 'case_id', 'read_number', name=op.f('uq_assignment_rater_id_case_id_read_number')),
    sa.UniqueConstraint('rater_id', 'position', name=op.f('uq_assignment_rater_id_position'))
    )
    op.create_table('image',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('view', sa.String(length=3), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('bits_stored', sa.Integer(), nullable=False),
    sa.Column('photometric', sa.String(length=16), nullable=False),
    sa.Column('rescale_slope', sa.Float(), nullable=False),
    sa.Column('rescale_intercept', sa.Float(), nullable=False),
    sa.Column('window_center', sa.Float(), nullable=True),
    sa.Column('window_width', sa.Float(), nullable=True),
    sa.Column('pixel_spacing_mm', sa.Float(), nullable=True),
    sa.Column('source_format', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("photometric IN ('MONOCHROME1', 'MONOCHROME2')", name=op.f('ck_image_photometric_known')),
    sa.CheckConstraint("view IN ('AP', 'LAT')", name=op.f('ck_image_view_known')),
    sa.CheckConstraint('width > 0 AND height > 0', name=op.f('ck_image_size_positive')),
    sa.ForeignKeyConstraint(['case_id'], ['reading_case.id'], name=op.f('fk_image_case_id_reading_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_image')),
    sa.UniqueConstraint('case_id', 'view', name=op.f('uq_image_case_id_view')),
    sa.UniqueConstraint('content_sha256', name=op.f('uq_image_content_sha256')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_image_storage_key'))
    )
    op.create_table('rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('read_number', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('change_reason', sa.Text(), nullable=True),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('subtotals', sa.JSON(), nullable=True),
    sa.Column('unreadable_reason', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active_seconds', sa.Float(), nullable=True),
    sa.Column('viewer_state', sa.JSON(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.CheckConstraint("source IN ('workstation', 'import', 'demo', 'api')", name=op.f('ck_rating_source_known')),
    sa.CheckConstraint('(unreadable_reason IS NULL AND total IS NOT NULL) OR (unreadable_reason IS NOT NULL AND total IS NULL)', name=op.f('ck_rating_scored_or_unreadable')),
    sa.CheckConstraint('(version = 1 AND supersedes_id IS NULL) OR (version > 1 AND supersedes_id IS NOT NULL AND change_reason IS NOT NULL)', name=op.f('ck_rating_correction_has_reason')),
    sa.CheckConstraint('active_seconds IS NULL OR active_seconds >= 0', name=op.f('ck_rating_active_time_positive')),
    sa.CheckConstraint('read_number >= 1', name=op.f('ck_rating_read_number_positive')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_rating_version_positive')),
    sa.ForeignKeyConstraint(['case_id'], ['reading_case.id'], name=op.f('fk_rating_case_id_reading_case')),
    sa.ForeignKeyConstraint(['rater_id'], ['rater.id'], name=op.f('fk_rating_rater_id_rater')),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubric.id'], name=op.f('fk_rating_rubric_id_rubric')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['rating.id'], name=op.f('fk_rating_supersedes_id_rating')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating')),
    sa.UniqueConstraint('rater_id', 'case_id', 'read_number', 'version', name=op.f('uq_rating_rater_id_case_id_read_number_version')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_rating_submission_id'))
    )
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.create_index('ix_rating_case', ['case_id'], unique=False)

    op.create_table('rubric_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=False),
    sa.Column('view', sa.String(length=3), nullable=True),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("view IS NULL OR view IN ('AP', 'LAT')", name=op.f('ck_rubric_item_view_known')),
    sa.ForeignKeyConstraint(['component_id'], ['rubric_component.id'], name=op.f('fk_rubric_item_component_id_rubric_component')),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubric.id'], name=op.f('fk_rubric_item_rubric_id_rubric')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric_item')),
    sa.UniqueConstraint('rubric_id', 'key', name=op.f('uq_rubric_item_rubric_id_key'))
    )
    op.create_table('rubric_level',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('anchor', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['rubric_item.id'], name=op.f('fk_rubric_level_item_id_rubric_item')),
    sa.PrimaryKeyConstraint('item_id', 'value', name=op.f('pk_rubric_level'))
    )
    op.create_table('rating_score',
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id', 'value'], ['rubric_level.item_id', 'rubric_level.value'], name='fk_rating_score_level'),
    sa.ForeignKeyConstraint(['item_id'], ['rubric_item.id'], name=op.f('fk_rating_score_item_id_rubric_item')),
    sa.ForeignKeyConstraint(['rating_id'], ['rating.id'], name=op.f('fk_rating_score_rating_id_rating')),
    sa.PrimaryKeyConstraint('rating_id', 'item_id', name=op.f('pk_rating_score'))
    )


    _append_only_triggers()


def _append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: "
                    f"record a correction as a new version'); END"
                )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION rushrater_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% rows are append-only: record a correction as a new version', "
            "TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation'; END $$"
        )
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION rushrater_append_only()"
            )


def downgrade() -> None:
    op.drop_table('rating_score')
    op.drop_table('rubric_level')
    op.drop_table('rubric_item')
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_case')

    op.drop_table('rating')
    op.drop_table('image')
    op.drop_table('assignment')
    op.drop_table('study')
    op.drop_table('rubric_component')
    op.drop_table('reading_case')
    op.drop_table('rater')
    op.drop_table('timepoint')
    op.drop_table('rubric')
    op.drop_table('reading_plan')
    op.drop_table('rater_group')
    op.drop_table('patient')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_entity')

    op.drop_table('audit_event')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS rushrater_append_only()")
