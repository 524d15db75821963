"""Throwaway PostgreSQL databases for tests, on the machine's own server (127.0.0.1:5432).

``RUSHRATER_TEST_PG`` overrides the admin URL. Each database (and each login role a test makes)
is named with this process's token (each pytest-xdist worker has its own, so workers never share
a name) and dropped at the end of the run (``pytest_sessionfinish`` in conftest.py).
"""

from __future__ import annotations

import atexit
import os
import secrets

ADMIN_URL = os.environ.get("RUSHRATER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKEND = os.environ.get("RUSHRATER_TEST_BACKEND", "sqlite").strip().lower()
TOKEN = f"{os.getpid()}_{secrets.token_hex(3)}"
PREFIX = f"rrt_{TOKEN}_"

_databases: list[str] = []
_roles: list[str] = []
_problem: list[str | None] = []


def _connect(dbname: str | None = None):
    import psycopg
    from psycopg.conninfo import make_conninfo

    info = make_conninfo(ADMIN_URL, connect_timeout=3, **({"dbname": dbname} if dbname else {}))
    return psycopg.connect(info, autocommit=True)


def server_problem() -> str | None:
    """Why the test server cannot be used (None when it can)."""
    if not _problem:
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:
            _problem.append(f"psycopg is not installed ({exc})")
        else:
            try:
                with _connect() as conn:
                    conn.execute("SELECT 1")
                _problem.append(None)
            except Exception as exc:  # any reason: the tests say it and skip
                _problem.append(f"PostgreSQL test server unreachable at {ADMIN_URL.split('@')[-1]}: {str(exc).strip()[:200]}")
    return _problem[0]


def url_for(dbname: str, user: str = "", password: str = "") -> str:
    from sqlalchemy.engine import make_url

    url = make_url(ADMIN_URL).set(drivername="postgresql+psycopg", database=dbname)
    if user:
        url = url.set(username=user, password=password or None)
    return url.render_as_string(hide_password=False)


def create_database() -> str:
    """A new empty database; returns its SQLAlchemy URL (as the admin user)."""
    name = f"{PREFIX}{len(_databases)}"
    with _connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    _databases.append(name)
    return url_for(name)


def role_name(label: str) -> str:
    name = f"{PREFIX}{label}"[:63]
    _roles.append(name)
    return name


def group_role(dbname: str) -> str:
    """The rater group of migration 0006, named after the database (retired by 0008)."""
    return f"rushrater_raters_{dbname}"[:63]


def study_group_role(name: str) -> str | None:
    """The rater group a study database made for itself (migration 0008), if it is a study."""
    try:
        with _connect(name) as conn:
            return conn.execute("SELECT rushrater_rater_group()").fetchone()[0]
    except Exception:  # no such database, or not (yet) a study
        return None


def drop_database(name: str) -> None:
    group = study_group_role(name)
    with _connect() as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'DROP ROLE IF EXISTS "{group_role(name)}"')
        if group:
            conn.execute(f'DROP ROLE IF EXISTS "{group}"')


def drop_all() -> None:
    if not _databases and not _roles:
        return
    for name in list(_databases):
        try:
            drop_database(name)
        except Exception:
            pass
    _databases.clear()
    with _connect() as conn:
        for role in _roles:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')
    _roles.clear()


atexit.register(drop_all)
