"""Opening a study database: engine, pragmas, schema version, and one transaction per write.

SQLite is opened in WAL mode (readers never block the writer), with foreign keys on, a busy timeout
so a second workstation process waits instead of failing, and ``synchronous=FULL`` so a rating whose
submit returned survives a power cut or a killed process. Writes start with ``BEGIN IMMEDIATE`` to
take the write lock up front: a deferred transaction that later needs the lock can fail with
"database is locked" no matter the timeout.

PostgreSQL (``postgresql+psycopg://user@host/db``) is opened with a short connect timeout and a
liveness check of pooled connections; every failure to reach it is translated into a message that
names the cause (refused, wrong password, unknown database), and a connection lost inside a write
becomes ``TransientDatabaseError`` so the services can retry with the same idempotency key.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, DatabaseError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from .changes import track_changes
from ..domain.errors import NotAStudyError, RushRaterError, StudyVersionError
from ..domain.files import atomic_path

CONNECT_TIMEOUT_S = 5


class DatabaseConnectError(RushRaterError):
    """The database server cannot be reached or refuses the login."""


class DatabasePermissionError(RushRaterError):
    """The server login lacks a right the operation needs (e.g. CREATEROLE to set up a study)."""


class TransientDatabaseError(RushRaterError):
    """The connection broke (or the server asked to retry) during a transaction: nothing committed
    that the caller can rely on; retrying the same idempotent operation is safe."""

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 30_000


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def is_sqlite_url(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def is_database_url(text: str | Path) -> bool:
    """True for a server URL (``postgresql+psycopg://...``), false for a folder or file path."""
    return isinstance(text, str) and text.startswith(("postgresql://", "postgresql+psycopg://", "postgres://"))


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver whatever PostgreSQL spelling the user typed."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


#: Passwords typed in this process (the desktop app's open dialog), by URL without password, so a
#: study reopened from its local folder (which never stores a password) can log in again.
#: Memory only; otherwise libpq's PGPASSWORD or ~/.pgpass supply it.
_PASSWORDS: dict[str, str] = {}


def url_without_password(url: str) -> str:
    # URL.set() skips None values: _replace (URL is a named tuple) really drops the password.
    return make_url(normalise_url(url))._replace(password=None).render_as_string(hide_password=False)


def with_password(url: str, password: str) -> str:
    """The URL with this password (URL-quoted by SQLAlchemy), for a password typed in a dialog."""
    return make_url(normalise_url(url))._replace(password=password or None).render_as_string(hide_password=False)


def remember_password(url: str) -> None:
    password = make_url(normalise_url(url)).password
    if password:
        _PASSWORDS[url_without_password(url)] = password


def _with_remembered_password(url: str) -> str:
    parsed = make_url(url)
    if parsed.password or is_sqlite_url(url):
        return url
    password = _PASSWORDS.get(url_without_password(url))
    return parsed.set(password=password).render_as_string(hide_password=False) if password else url


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a malformed URL: show nothing of it rather than a password
        return "the database URL"


def connect_error(exc: BaseException, url: str) -> DatabaseConnectError:
    """One clear message per reason a server connection fails."""
    text = str(getattr(exc, "orig", exc) or exc).strip()
    parsed = make_url(url)
    where = safe_url(url)
    server = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return DatabaseConnectError(
            f"the server refused the login of {parsed.username!r}: wrong password",
            where=where,
            fix="check the user name and password (ask the study coordinator to reset it)",
        )
    if "does not exist" in lowered and "database" in lowered:
        return DatabaseConnectError(
            f"there is no database {parsed.database!r} on {server}",
            where=where,
            fix="check the database name in the URL, or create the study with `rushrater init URL`",
        )
    if "role" in lowered and "does not exist" in lowered:
        return DatabaseConnectError(
            f"the server has no user {parsed.username!r}",
            where=where,
            fix="check the user name (the coordinator creates rater logins with `rushrater raters add --db-role`)",
        )
    if "permission denied for database" in lowered or "not permitted to log in" in lowered:
        return DatabaseConnectError(
            f"{parsed.username!r} may not connect to {parsed.database!r}",
            where=where,
            fix="ask the study coordinator to enrol this login (`rushrater raters add --db-role`)",
        )
    if "refused" in lowered or "timeout" in lowered or "timed out" in lowered or "could not translate host" in lowered:
        return DatabaseConnectError(
            f"cannot reach the database server at {server} ({text.splitlines()[0] if text else 'no answer'})",
            where=where,
            fix="check that the server is running and the host and port are right, and the network to it",
        )
    return DatabaseConnectError(f"cannot connect to the database server at {server}: {text.splitlines()[0] if text else exc}",
                                where=where, fix="check the URL, the server and your login")


#: The newest migration. Opening a study that is already at this revision needs no Alembic at all
#: (importing it costs about 0.3 s of every start-up); a test checks it equals Alembic's head.
SCHEMA_HEAD = "0012"


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
    # REPLACE's implicit delete then fires the append-only DELETE triggers (revision 0009 also
    # refuses a duplicate key before insert, for clients that do not set this pragma).
    cursor.execute("PRAGMA recursive_triggers = ON")
    cursor.close()


class DatabaseFullError(RushRaterError):
    """SQLite could not grow the study database: the disk (or quota) is full."""


class DatabaseLockedError(RushRaterError):
    """Another program holds the SQLite study database's write lock for longer than we wait."""


#: After this long waiting for the write lock, say so (and who holds it) instead of waiting silently.
LOCK_NOTICE_MS = 2_000
_log = logging.getLogger("rushrater")


def _begin_sqlite(connection) -> None:
    immediate = connection.get_execution_options().get("rushrater_write", False)
    if not immediate:
        connection.exec_driver_sql("BEGIN")
        return
    # A first short wait, then a notice naming who holds the lock, then the rest of the timeout.
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {min(LOCK_NOTICE_MS, BUSY_TIMEOUT_MS)}")
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    except OperationalError as exc:
        if "locked" not in str(exc.orig).lower() and "busy" not in str(exc.orig).lower():
            raise
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    path = connection.engine.url.database or ""
    holders = lock_holders(path)
    _log.warning(
        "the study database is being written by %s; waiting up to %d s for it to finish",
        ", ".join(holders) or "another program", max(0, BUSY_TIMEOUT_MS - LOCK_NOTICE_MS) // 1000,
    )
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {max(0, BUSY_TIMEOUT_MS - LOCK_NOTICE_MS)}")
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError as exc:
        if "locked" not in str(exc.orig).lower() and "busy" not in str(exc.orig).lower():
            raise
        holders = lock_holders(path) or holders
        raise DatabaseLockedError(
            f"the study database is locked by {', '.join(holders) or 'another program'} "
            f"(waited {BUSY_TIMEOUT_MS // 1000} s)",
            where=path,
            fix="close the other program or save its changes (e.g. DB Browser for SQLite: Write Changes, then "
            "Close Database), or let the other rushrater command finish, then try again",
        ) from exc
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def lock_holders(database_path: str) -> list[str]:
    """Other processes with the database (or its WAL) open, as "name (pid N)" (Linux /proc; empty
    elsewhere). Who holds the write lock itself is not recorded anywhere SQLite exposes."""
    if not database_path or not Path("/proc/self/fd").is_dir():
        return []
    targets = {str(Path(database_path).resolve()), str(Path(database_path).resolve()) + "-wal"}
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if any(os.readlink(fd) in targets for fd in (proc / "fd").iterdir()):
                name = (proc / "comm").read_text().strip()
                found.append(f"{name} (pid {proc.name})")
        except OSError:  # another user's process, or it just ended
            continue
    return sorted(found)


def make_engine(url: str) -> Engine:
    if is_sqlite_url(url):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _set_sqlite_pragmas)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "rushrater"},
    )


class Database:
    """A study database. ``write()`` and ``read()`` each give a session in one transaction."""

    def __init__(self, url: str):
        self.url = _with_remembered_password(normalise_url(url))
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        #: For database studies: the local folder new image files are written to before the write
        #: transaction that records them copies their bytes into ``image_blob`` (storage.images).
        self.image_spool: Path | None = None

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite_url(self.url)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction, committed (and, on SQLite, synced to disk) when the block ends."""
        with self._translated():
            with self.engine.connect() as connection:
                connection.execution_options(rushrater_write=True)
                with Session(bind=connection, expire_on_commit=False) as session:
                    track_changes(session)
                    if self.image_spool is not None:
                        from .images import copy_new_images_on_flush

                        copy_new_images_on_flush(session, self.image_spool)
                    with session.begin():
                        yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._translated():
            with self._sessions() as session:
                yield session

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """On a server, a broken connection is a TransientDatabaseError (the caller may retry)."""
        if self.is_sqlite:
            try:
                yield
            except OperationalError as exc:
                if "disk is full" not in str(exc.orig).lower():
                    raise
                raise DatabaseFullError(
                    "the disk is full: the study database could not store this change, and nothing of it was kept",
                    where=make_url(self.url).database,
                    fix="free some space on the disk that holds the study folder, then run the command again",
                ) from exc
            return
        try:
            yield
        except (OperationalError, InterfaceError) as exc:
            # OperationalError covers a lost or refused connection, serialization failures and
            # deadlocks. After a lost connection the caller cannot know whether its commit got
            # through: only an idempotent operation (a submit with its submission_id) may retry.
            detail = (str(exc.orig or exc).strip().splitlines() or ["no detail"])[0]
            raise TransientDatabaseError(
                f"the connection to the database server was interrupted ({detail})",
                where=safe_url(self.url),
                fix="check the network and the database server, then try again (a rating is never saved twice)",
            ) from exc
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise TransientDatabaseError(
                    "the connection to the database server was lost", where=safe_url(self.url),
                    fix="check the network and try again",
                ) from exc
            if getattr(exc.orig, "sqlstate", None) == "42501":  # insufficient_privilege
                detail = (str(exc.orig).strip().splitlines() or ["permission denied"])[0]
                raise DatabasePermissionError(
                    f"the login {make_url(self.url).username!r} may not do this in the study ({detail})",
                    where=safe_url(self.url),
                    fix="a rater login reads only its own reading list and stores only its own ratings; "
                    "run coordinator commands as the study's coordinator",
                ) from exc
            raise

    def check_connection(self) -> None:
        """Connect once, turning every failure into a message that names its cause."""
        if self.is_sqlite:
            return
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except DBAPIError as exc:
            raise connect_error(exc, self.url) from exc

    def dispose(self) -> None:
        self.engine.dispose()

    # --- schema -------------------------------------------------------------------------------

    def create_schema(self, then: Callable[[Session], None] | None = None) -> None:
        """Create the schema through the migrations, exactly as an upgrade would.

        ``then`` (a new study's first rows) runs in the same transaction: a failure leaves no
        half-built study behind.
        """
        from alembic import command

        try:
            with self.engine.begin() as connection:
                config = alembic_config(self.url)
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                if then is not None:
                    with Session(bind=connection, expire_on_commit=False) as session:
                        then(session)
                        session.flush()
        except DBAPIError as exc:
            if self.is_sqlite or "permission denied" not in str(exc.orig).lower():
                raise
            # Rolled back whole (PostgreSQL DDL is transactional): nothing was created.
            user = make_url(self.url).username
            raise DatabasePermissionError(
                f"the login {user!r} may not set up the study here "
                f"({(str(exc.orig).strip().splitlines() or ['permission denied'])[0]})",
                where=safe_url(self.url),
                fix="create and upgrade the study as the coordinator: a role with CREATEROLE that owns the database "
                "(CREATE ROLE coordinator LOGIN CREATEROLE; CREATE DATABASE study OWNER coordinator)",
            ) from exc

    def current_revision(self) -> str | None:
        with self.engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).fetchall()
        return rows[0][0] if rows else None

    def check_is_study(self, where: str) -> None:
        self.check_connection()
        try:
            inspector = inspect(self.engine)
            tables = set(inspector.get_table_names())
            if not self.is_sqlite:
                # A rater login's search_path starts with the rater views (migration 0008).
                tables |= set(inspector.get_view_names())
        except (DatabaseError, OperationalError) as exc:
            if not self.is_sqlite:
                raise connect_error(exc, self.url) from exc
            raise NotAStudyError(
                f"cannot read the study database ({exc.orig})",
                where=where,
                fix="check the path; if the file is damaged, restore it from the study's backups/ folder",
            ) from exc
        if "alembic_version" not in tables or "study" not in tables:
            if self.is_sqlite:
                fix = "point to a folder made by `rushrater init`, or create one with `rushrater init`"
            else:
                fix = "check the database name in the URL; create a study in an empty database with `rushrater init URL`"
            raise NotAStudyError(
                "this database is not a RUSH Rater study (no study tables"
                + (f"; it holds {len(tables)} other table(s) of another application)" if tables else ")"),
                where=where,
                fix=fix,
            )

    def table_names(self) -> list[str]:
        return sorted(inspect(self.engine).get_table_names())

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
        # Both connections are closed before atomic_path fsyncs the copy and renames it into place.
        with atomic_path(target) as tmp, closing(sqlite3.connect(source_path)) as source, \
                closing(sqlite3.connect(tmp)) as dest:
            source.backup(dest)
        return target
