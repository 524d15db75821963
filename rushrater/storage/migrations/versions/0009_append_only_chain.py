"""Append-only that holds: no key may be inserted twice (closing SQLite's INSERT OR REPLACE), and
the audit trail becomes a hash chain (``prev_hash``/``row_hash``, existing rows backfilled).

SQLite's ``INSERT OR REPLACE`` / ``REPLACE INTO`` resolves a key conflict by deleting the old row,
and that implicit delete fires no DELETE trigger unless ``PRAGMA recursive_triggers`` is on (it is
on every connection the product opens, but not on a plain ``sqlite3`` shell). A statement-level
conflict clause overrides a column-level one, so the only hold that works for every client is a
BEFORE INSERT trigger that refuses a row whose primary or unique key already exists. The keys are
read from the table itself, so every unique constraint of every append-only table is covered.
PostgreSQL has no REPLACE (``ON CONFLICT DO UPDATE`` fires the UPDATE triggers already there).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa

from rushrater.storage.audit_chain import hash_of_row

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = (
    "rating", "rating_score", "audit_event", "consensus", "patient_anthropometry", "body_composition",
)


def _keys(inspector, table: str) -> list[list[str]]:
    keys = [inspector.get_pk_constraint(table)["constrained_columns"]]
    keys += [uq["column_names"] for uq in inspector.get_unique_constraints(table)]
    return [k for k in keys if k]


def _no_duplicate_key_trigger(table: str, keys: list[list[str]]) -> str:
    # NEW.id of an INTEGER PRIMARY KEY the database assigns is -1/NULL here: no row matches it.
    conditions = " OR ".join(
        "EXISTS (SELECT 1 FROM {t} WHERE {match})".format(
            t=table, match=" AND ".join(f"{c} = NEW.{c}" for c in key)
        )
        for key in keys
    )
    return (
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN {conditions} "
        f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: a row with this key (UNIQUE) already "
        "exists; record a correction as a new version'); END"
    )


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    op.add_column("audit_event", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_event", sa.Column("row_hash", sa.String(length=64), nullable=True))
    op.create_index("ix_audit_event_actor", "audit_event", ["actor", "id"], unique=False)
    if dialect == "sqlite":
        inspector = sa.inspect(bind)
        for table in APPEND_ONLY_TABLES:
            op.execute(_no_duplicate_key_trigger(table, _keys(inspector, table)))
    _backfill_chain(dialect)


def _backfill_chain(dialect: str) -> None:
    """Hash the rows already there, per actor in insertion order (the UPDATE hold is lifted for it)."""
    audit = sa.table(
        "audit_event",
        sa.column("id", sa.Integer), sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor", sa.String), sa.column("action", sa.String), sa.column("entity", sa.String),
        sa.column("entity_id", sa.String), sa.column("before", sa.JSON), sa.column("after", sa.JSON),
        sa.column("reason", sa.Text), sa.column("prev_hash", sa.String), sa.column("row_hash", sa.String),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(audit).order_by(audit.c.id)).fetchall()
    if not rows:
        return
    if dialect == "sqlite":
        op.execute("DROP TRIGGER audit_event_no_update")
    else:
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
    last: dict[str, str] = {}
    for row in rows:
        prev = last.get(row.actor)
        digest = hash_of_row(row, prev)
        bind.execute(
            audit.update().where(audit.c.id == row.id).values(prev_hash=prev, row_hash=digest)
        )
        last[row.actor] = digest
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'audit_event rows are append-only: "
            "record a correction as a new version'); END"
        )
    else:
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
    op.drop_index("ix_audit_event_actor", table_name="audit_event")
    op.drop_column("audit_event", "row_hash")
    op.drop_column("audit_event", "prev_hash")
