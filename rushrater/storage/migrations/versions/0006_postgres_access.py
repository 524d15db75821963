"""Studies on a PostgreSQL server: image bytes in the database, rater logins, row-level security.

All dialects: ``image_blob`` (an image's stored bytes and SHA-256, for studies every workstation
reaches over the network; folder studies leave it empty) and ``rater_db_role`` (which database
login is which rater).

PostgreSQL only: the role that runs the migration (the coordinator) owns every table and, as owner,
sees everything. Raters log in with their own roles, members of one group role per study database
(``rushrater_raters_<database>``), which may read the study, its rubric, cases, images and plan,
and may insert ratings, item scores and audit events; row-level security lets each rater insert
and read only rows of its own (a rater who opens psql sees no other rater's scores). The database
is closed to PUBLIC: only the coordinator and enrolled raters may connect. The re-identification
key never enters any database (it is a file the coordinator keeps; see services.blinding).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# What a rater's workstation reads (no consensus, staging, de-identification details or audit
# trail of others).
RATER_READS = (
    "alembic_version", "study", "rubric", "rubric_component", "rubric_item", "rubric_level", "timepoint",
    "rater_group", "rater", "patient", "reading_case", "image", "image_blob", "reading_plan", "assignment",
)
OWN_ROWS = ("rating", "rating_score", "audit_event")

GROUP_ROLE_SQL = "left('rushrater_raters_' || current_database(), 63)"


def upgrade() -> None:
    op.create_table(
        "image_blob",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size >= 0", name=op.f("ck_image_blob_size_not_negative")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_image_blob")),
    )
    op.create_table(
        "rater_db_role",
        sa.Column("rater_id", sa.Integer(), nullable=False),
        sa.Column("role_name", sa.String(length=63), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["rater_id"], ["rater.id"], name=op.f("fk_rater_db_role_rater_id_rater")),
        sa.PrimaryKeyConstraint("rater_id", name=op.f("pk_rater_db_role")),
        sa.UniqueConstraint("role_name", name=op.f("uq_rater_db_role_role_name")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    # Image bytes are already compressed TIFF: skip TOAST's second compression attempt.
    op.execute("ALTER TABLE image_blob ALTER COLUMN data SET STORAGE EXTERNAL")
    # Which rater a login is. SECURITY DEFINER so a rater needs no access to the mapping table
    # itself (inside it current_user is the definer, hence the login is passed in by the policy);
    # a fixed search_path so nobody can slip in a lookalike table.
    op.execute(
        "CREATE FUNCTION rushrater_rater_of(login name) RETURNS integer LANGUAGE sql STABLE SECURITY DEFINER "
        "SET search_path = public, pg_temp AS "
        "$$ SELECT rater_id FROM rater_db_role WHERE role_name = login $$"
    )
    op.execute("REVOKE ALL ON FUNCTION rushrater_rater_of(name) FROM PUBLIC")
    reads = ", ".join(RATER_READS)
    own = ", ".join(OWN_ROWS)
    op.execute(
        f"""
        DO $$
        DECLARE grp text := {GROUP_ROLE_SQL};
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grp) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', grp);
          END IF;
          EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
          EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), grp);
          EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', grp);
          EXECUTE format('GRANT SELECT ON {reads} TO %I', grp);
          EXECUTE format('GRANT SELECT, INSERT ON {own} TO %I', grp);
          EXECUTE format('GRANT USAGE ON SEQUENCE rating_id_seq, audit_event_id_seq TO %I', grp);
          EXECUTE format('GRANT EXECUTE ON FUNCTION rushrater_rater_of(name) TO %I', grp);
          EXECUTE format('CREATE POLICY rater_own ON rating TO %I '
                         'USING (rater_id = rushrater_rater_of(current_user)) '
                         'WITH CHECK (rater_id = rushrater_rater_of(current_user))', grp);
          EXECUTE format('CREATE POLICY rater_own ON rating_score TO %I '
                         'USING (rating_id IN (SELECT id FROM rating WHERE rater_id = rushrater_rater_of(current_user))) '
                         'WITH CHECK (rating_id IN (SELECT id FROM rating WHERE rater_id = rushrater_rater_of(current_user)))',
                         grp);
          EXECUTE format('CREATE POLICY rater_own ON audit_event TO %I '
                         'USING (actor = (SELECT ''rater:'' || code FROM rater WHERE id = rushrater_rater_of(current_user))) '
                         'WITH CHECK (actor = (SELECT ''rater:'' || code FROM rater WHERE id = rushrater_rater_of(current_user)))',
                         grp);
        END $$
        """
    )
    for table in OWN_ROWS:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in OWN_ROWS:
            op.execute(f"DROP POLICY IF EXISTS rater_own ON {table}")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute("DROP FUNCTION IF EXISTS rushrater_rater_of(name)")
    op.drop_table("rater_db_role")
    op.drop_table("image_blob")
