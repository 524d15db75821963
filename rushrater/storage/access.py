"""Rater logins on a PostgreSQL study: one LOGIN role per rater, member of the study's rater group.

The group role, its grants, the views a rater reads and the row-level security policies are made
by migrations 0006 and 0008; the group's name is random per study (``rushrater_g_<hex>``, read
back from the function ``rushrater_rater_group()``), so two studies never share raters. This
module creates a rater's login (never adopting a role that already exists on the server: that
could be anyone's, the coordinator's included), puts it in the group, points its ``search_path``
at the rater views, and records which rater it is (``rater_db_role``), which is what the policies
read. A password is changed only by :func:`reset_rater_password`, for this study's own logins.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..domain.errors import DuplicateError, RushRaterError, ValidationError
from . import models

ROLE_PATTERN = re.compile(r"[a-z_][a-z0-9_]{0,62}")
#: The schema of views a rater login reads instead of the study's tables (migration 0008).
RATER_VIEWS_SCHEMA = "rushrater_rater"


def new_group_role_name() -> str:
    """A study's rater group: 96 random bits, so no two studies on a server can share it."""
    return f"rushrater_g_{secrets.token_hex(12)}"


def group_role(session: Session) -> str:
    return session.execute(text("SELECT rushrater_rater_group()")).scalar_one()


def check_role_name(role: str) -> str:
    role = (role or "").strip()
    if not ROLE_PATTERN.fullmatch(role):
        raise ValidationError(
            f"database role name {role!r} is not valid",
            fix="use 1 to 63 lower-case letters, digits or _, starting with a letter (e.g. rater_lee)",
        )
    if role.startswith("pg_") or role in ("postgres", "public"):
        raise ValidationError(f"{role!r} is reserved by PostgreSQL", fix="choose another role name")
    if role.startswith("rushrater_"):
        raise ValidationError(f"{role!r}: names starting rushrater_ are kept for the studies' rater groups",
                              fix="choose another role name (e.g. rater_lee)")
    return role


def role_exists(session: Session, role: str) -> bool:
    return session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first() is not None


def _require_server(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        raise ValidationError(
            "database logins exist only for studies on a PostgreSQL server",
            fix="move the study to a server first: rushrater migrate STUDY postgresql+psycopg://…",
        )


def _driver(session: Session):
    # The psycopg connection under this session's transaction: its sql module quotes the role
    # name and password correctly (CREATE ROLE takes no bind parameters).
    return session.connection().connection.driver_connection


def grant_rater_login(session: Session, rater_id: int, role: str, password: str | None, now) -> bool:
    """Create a new LOGIN role for the rater, in this study's group only. Returns True (created).

    An existing role is refused whoever it belongs to: adopting it would hand a stranger's (or the
    coordinator's own) login to a rater, or silently change its password.
    """
    from psycopg import sql

    _require_server(session)
    mapped = session.scalar(select(models.RaterDbRole).where(models.RaterDbRole.role_name == role))
    if mapped is not None and mapped.rater_id != rater_id:
        raise DuplicateError(f"database role {role} already belongs to another rater of this study", fix="choose another --db-role")
    current = session.get(models.RaterDbRole, rater_id)
    if current is not None:
        if _is_study_login(session, current.role_name):
            raise DuplicateError(
                f"this rater already has the database login {current.role_name}",
                fix="keep it; to give it a new password: rushrater server login STUDY RATER --reset-password",
            )
        # A mapping that came with the rows (a study migrated from another server or database):
        # that login is not this study's, so the new one replaces it.
        session.delete(current)
        session.flush()
    check_new_role(session, role)
    if not password:
        raise ValidationError("a new database login needs a password", fix="type it when asked, or pipe it with --db-password-stdin")
    raw = _driver(session)
    group = group_role(session)
    database = session.execute(text("SELECT current_database()")).scalar_one()
    raw.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
    raw.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(role)))
    # The rater's unchanged queries then read the rater views (own rows, no secrets) by name.
    raw.execute(sql.SQL("ALTER ROLE {} IN DATABASE {} SET search_path = {}, public").format(
        sql.Identifier(role), sql.Identifier(database), sql.Identifier(RATER_VIEWS_SCHEMA)))
    session.add(models.RaterDbRole(rater_id=rater_id, role_name=role, created_at=now))
    session.flush()
    return True


def check_new_role(session: Session, role: str) -> None:
    """Refuse a role name the server already has (before anything of the enrolment is stored)."""
    if role_exists(session, role):
        raise DuplicateError(
            f"a database role {role} already exists on this server; RUSH Rater will not take over or "
            "change an existing login",
            fix="choose a new --db-role name (RUSH Rater creates the login); to give one of this study's "
                "rater logins a new password: rushrater server login STUDY RATER --reset-password",
        )


def _is_study_login(session: Session, role: str) -> bool:
    """The role exists on this server and is a member of this study's rater group."""
    return bool(session.execute(
        text("SELECT pg_has_role(rolname, rushrater_rater_group(), 'MEMBER') FROM pg_roles WHERE rolname = :role"),
        {"role": role},
    ).scalar())


def reset_rater_password(session: Session, rater_id: int, password: str) -> str:
    """A new password for this study's own login of this rater. Returns the role name."""
    from psycopg import sql

    _require_server(session)
    mapped = session.get(models.RaterDbRole, rater_id)
    if mapped is None:
        raise ValidationError("this rater has no database login of this study",
                              fix="create one: rushrater server login STUDY RATER --db-role ROLE")
    if not _is_study_login(session, mapped.role_name):
        raise ValidationError(
            f"the login {mapped.role_name} is not (or no longer) a rater login of this study on this server",
            fix="ask the server administrator; RUSH Rater changes only its own studies' rater logins",
        )
    if not password:
        raise ValidationError("the new password is empty", fix="type it when asked, or pipe it with --db-password-stdin")
    _driver(session).execute(
        sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(mapped.role_name), sql.Literal(password)))
    return mapped.role_name


def study_roles(session: Session) -> tuple[str, str, list[str]]:
    """(database, rater group, rater logins that exist on the server) of this study, for dropping it."""
    database = session.execute(text("SELECT current_database()")).scalar_one()
    logins = list(session.scalars(text(
        "SELECT m.role_name FROM rater_db_role m JOIN pg_roles r ON r.rolname = m.role_name ORDER BY 1")))
    return database, group_role(session), logins


def drop_study_database(url: str, database: str, group: str, logins: tuple[str, ...]) -> list[str]:
    """DROP DATABASE, then the study's rater logins and its group. Returns the logins kept.

    The connection goes to the server's ``postgres`` database: a database cannot be dropped from
    inside itself. A login that is also a member of another role was not made for this study alone:
    it only leaves this study's group.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from .database import CONNECT_TIMEOUT_S, connect_error, safe_url

    maintenance = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    engine = create_engine(maintenance, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": CONNECT_TIMEOUT_S})
    kept: list[str] = []
    try:
        try:
            connection = engine.connect()
        except DBAPIError as exc:
            raise connect_error(exc, maintenance) from exc
        with connection as conn:
            quote = conn.dialect.identifier_preparer.quote_identifier
            try:
                # FORCE: workstations still connected are disconnected (a submit either committed or not).
                conn.execute(text(f"DROP DATABASE {quote(database)} WITH (FORCE)"))
            except DBAPIError as exc:
                raise RushRaterError(
                    f"the server refused to drop database {database} "
                    f"({(str(exc.orig).strip().splitlines() or ['no detail'])[0]})",
                    where=safe_url(url),
                    fix="run it as the coordinator who owns the database, with the raters' workstations closed",
                ) from exc
            for login in logins:
                others = conn.execute(text(
                    "SELECT count(*) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                    "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :login AND g.rolname <> :group"),
                    {"login": login, "group": group}).scalar_one()
                if others:
                    kept.append(login)
                    conn.execute(text(f"REVOKE {quote(group)} FROM {quote(login)}"))
                else:
                    conn.execute(text(f"DROP ROLE IF EXISTS {quote(login)}"))
            conn.execute(text(f"DROP ROLE IF EXISTS {quote(group)}"))
    finally:
        engine.dispose()
    return kept
