"""Opening a study database: engine, pragmas, schema version, and one transaction per write.

SQLite is opened in WAL mode (readers never block the writer), with foreign keys on, a busy timeout
so a second workstation process waits instead of failing, and ``synchronous=FULL`` so a rating whose
submit returned survives a power cut or a killed process. Writes start with ``BEGIN IMMEDIATE`` to
take the write lock up front: a deferred transaction that later needs the lock can fail with
"database is locked" no matter the timeout.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..domain.errors import NotAStudyError, StudyVersionError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 30_000


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def is_sqlite_url(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


#: The newest migration. Opening a study that is already at this revision needs no Alembic at all
#: (importing it costs about 0.3 s of every start-up); a test checks it equals Alembic's head.
SCHEMA_HEAD = "0004"


def alembic_config(url: str):
    """Alembic configured in code, so an installed app needs no alembic.ini on disk."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest revision among the migration scripts (reads them: slow, for upgrades and tests)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def _set_sqlite_pragmas(dbapi_connection, _record) -> None:
    # Autocommit at the driver level; SQLAlchemy's "begin" hook below issues BEGIN itself
    # (the pysqlite recipe from the SQLAlchemy documentation).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


def _begin_sqlite(connection) -> None:
    immediate = connection.get_execution_options().get("rushrater_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    if is_sqlite_url(url):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _set_sqlite_pragmas)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """A study database. ``write()`` and ``read()`` each give a session in one transaction."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction, committed (and, on SQLite, synced to disk) when the block ends."""
        with self.engine.connect() as connection:
            connection.execution_options(rushrater_write=True)
            with Session(bind=connection, expire_on_commit=False) as session:
                with session.begin():
                    yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    # --- schema -------------------------------------------------------------------------------

    def create_schema(self) -> None:
        """Create the schema through the migrations, exactly as an upgrade would."""
        from alembic import command

        with self.engine.begin() as connection:
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def current_revision(self) -> str | None:
        with self.engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).fetchall()
        return rows[0][0] if rows else None

    def check_is_study(self, where: str) -> None:
        try:
            tables = set(inspect(self.engine).get_table_names())
        except (DatabaseError, OperationalError) as exc:
            raise NotAStudyError(
                f"cannot read the study database ({exc.orig})",
                where=where,
                fix="check the path; if the file is damaged, restore it from the study's backups/ folder",
            ) from exc
        if "alembic_version" not in tables or "study" not in tables:
            raise NotAStudyError(
                "this database is not a RUSH Rater study (no study tables)",
                where=where,
                fix="point to a folder made by `rushrater init`, or create one with `rushrater init`",
            )

    def upgrade_if_needed(self, where: str, backup_dir: Path | None) -> Path | None:
        """Bring an older study to the current schema, after a backup. Returns the backup path."""
        current = self.current_revision()
        if current == SCHEMA_HEAD:
            return None
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(alembic_config(self.url))
        known = {rev.revision for rev in script.walk_revisions()}
        if current not in known:
            raise StudyVersionError(
                f"the study's schema ({current}) is newer than this RUSH Rater understands",
                where=where,
                fix="install the newer RUSH Rater release the study was last opened with",
            )
        backup = None
        if backup_dir is not None and is_sqlite_url(self.url):
            backup = self.backup(backup_dir, label=f"before-upgrade-from-{current}")
        self.create_schema()
        return backup

    def backup(self, backup_dir: Path, label: str) -> Path:
        """A consistent copy of a live SQLite database (the sqlite3 online backup API)."""
        backup_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        target = backup_dir / f"study-{stamp}-{label}.db"
        source_path = make_url(self.url).database
        tmp = target.with_suffix(".db.partial")
        with sqlite3.connect(source_path) as source, sqlite3.connect(tmp) as dest:
            source.backup(dest)
        shutil.move(tmp, target)
        return target
