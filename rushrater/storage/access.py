"""Rater logins on a PostgreSQL study: one LOGIN role per rater, member of the study's rater group.

The group role, its grants and the row-level security policies are made by migration 0006; this
module only creates (or reuses) a rater's login, puts it in the group and records which rater it
is (``rater_db_role``), which is what the policies read.
"""

from __future__ import annotations

import re

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..domain.errors import DuplicateError, ValidationError
from . import models

ROLE_PATTERN = re.compile(r"[a-z_][a-z0-9_]{0,62}")
GROUP_ROLE_SQL = "left('rushrater_raters_' || current_database(), 63)"


def group_role(session: Session) -> str:
    return session.execute(text(f"SELECT {GROUP_ROLE_SQL}")).scalar_one()


def check_role_name(role: str) -> str:
    role = (role or "").strip()
    if not ROLE_PATTERN.fullmatch(role):
        raise ValidationError(
            f"database role name {role!r} is not valid",
            fix="use 1 to 63 lower-case letters, digits or _, starting with a letter (e.g. rater_lee)",
        )
    if role.startswith("pg_") or role in ("postgres", "public"):
        raise ValidationError(f"{role!r} is reserved by PostgreSQL", fix="choose another role name")
    return role


def role_exists(session: Session, role: str) -> bool:
    return session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first() is not None


def grant_rater_login(session: Session, rater_id: int, role: str, password: str | None, now) -> bool:
    """Create the LOGIN role (or reuse an existing one) and map it to the rater. True if created."""
    from psycopg import sql

    if session.get_bind().dialect.name != "postgresql":
        raise ValidationError(
            "database logins exist only for studies on a PostgreSQL server",
            fix="move the study to a server first: rushrater migrate STUDY postgresql+psycopg://…",
        )
    mapped = session.scalar(select(models.RaterDbRole).where(models.RaterDbRole.role_name == role))
    if mapped is not None and mapped.rater_id != rater_id:
        raise DuplicateError(f"database role {role} already belongs to another rater of this study", fix="choose another --db-role")
    if session.get(models.RaterDbRole, rater_id) is not None:
        raise DuplicateError("this rater already has a database login", fix="keep it, or enrol the person under a new rater")
    created = not role_exists(session, role)
    if created and not password:
        raise ValidationError("a new database login needs a password", fix="type it when asked, or pipe it with --db-password-stdin")
    # The psycopg connection under this session's transaction: its sql module quotes the role
    # name and password correctly (CREATE ROLE takes no bind parameters).
    raw = session.connection().connection.driver_connection
    group = group_role(session)
    if created:
        raw.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
    elif password:
        raw.execute(sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
    raw.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(role)))
    session.add(models.RaterDbRole(rater_id=rater_id, role_name=role, created_at=now))
    session.flush()
    return created
