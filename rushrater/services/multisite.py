"""Multi-site studies: rater database logins, and moving a study between a folder and a server."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..domain.changes import NO_CHANGES, Changes, Entity
from ..domain.errors import NotFoundError, StudyExistsError, ValidationError
from ..storage import Database, is_database_url, queries, safe_url, sqlite_url
from ..storage.access import (
    check_new_role,
    check_role_name,
    drop_study_database,
    grant_rater_login,
    reset_rater_password,
    study_roles,
)
from ..storage.transfer import TransferReport, copy_study, destination_tables
from . import audit
from .study import DATABASE_NAME, Study, open_study
from .unit_of_work import unit_of_work


@dataclass(frozen=True)
class DbLogin:
    rater: str
    role: str
    created: bool
    changes: Changes = field(default=NO_CHANGES, compare=False, repr=False)


def enrol_db_login(study: Study, rater: str, role: str, password: str | None, *, actor: str | None = None) -> DbLogin:
    """Give a rater its own database login: it may then read cases and images and only its own ratings."""
    role = check_role_name(role)
    with unit_of_work(study, actor) as uow:
        row = queries.rater_by_code_or_name(uow.session, rater)
        if row is None:
            raise NotFoundError(f"no rater {rater!r} in this study", fix="see `rushrater raters list STUDY`")
        created = grant_rater_login(uow.session, row.id, role, password, audit.now())
        # The audit trail records which login, never the password.
        uow.record("rater.db_role", "rater", row.id, after={"role": role, "created": created})
        login = DbLogin(row.code, role, created)
    return replace(login, changes=uow.changes)


def check_db_login_available(study: Study, role: str) -> str:
    """The role name is valid and no role of that name exists on the server (checked before enrolling)."""
    role = check_role_name(role)
    with study.db.read() as session:
        check_new_role(session, role)
    return role


def reset_db_password(study: Study, rater: str, password: str, *, actor: str | None = None) -> DbLogin:
    """A new password for a rater's own login of this study (never for any other role)."""
    with unit_of_work(study, actor) as uow:
        row = queries.rater_by_code_or_name(uow.session, rater)
        if row is None:
            raise NotFoundError(f"no rater {rater!r} in this study", fix="see `rushrater raters list STUDY`")
        role = reset_rater_password(uow.session, row.id, password)
        uow.touch(Entity.RATERS)  # the server role's password: no study table changes
        uow.record("rater.db_password", "rater", row.id, after={"role": role, "reset": True})
        login = DbLogin(row.code, role, False)
    return replace(login, changes=uow.changes)


@dataclass(frozen=True)
class ServerStudy:
    """What dropping a server study removes: its database, its rater group and its rater logins."""

    database: str
    group: str
    logins: tuple[str, ...]
    #: Logins kept because they are also members of another role (not made for this study alone).
    kept: tuple[str, ...] = ()


def server_study_roles(url: str) -> ServerStudy:
    db = Database(url)
    try:
        db.check_is_study(safe_url(db.url))
        if db.is_sqlite:
            raise ValidationError("this is a study folder, not a server study", fix="delete the folder instead")
        with db.read() as session:
            database, group, logins = study_roles(session)
    finally:
        db.dispose()
    return ServerStudy(database, group, tuple(logins))


def drop_server_study(url: str) -> ServerStudy:
    """Drop a server study's database, then its rater group and rater logins (revoked with it).

    Run as the coordinator who owns the database (and has CREATEROLE).
    """
    plan = server_study_roles(url)
    db = Database(url)  # the URL as the study was opened (with a password typed in this process)
    db.dispose()
    kept = drop_study_database(db.url, plan.database, plan.group, plan.logins)
    return ServerStudy(plan.database, plan.group, tuple(x for x in plan.logins if x not in kept), tuple(kept))


@dataclass
class MigrationResult:
    source: str
    destination: str
    report: TransferReport


def migrate_study(
    source: str | Path,
    destination: str | Path,
    *,
    actor: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> MigrationResult:
    """Copy a whole study (rows and images) to an empty folder or an empty server database.

    Counts and hashes of every table and every image are checked before the copy commits; the
    source is not changed.
    """
    actor = actor or audit.coordinator_actor()
    dest_is_url = isinstance(destination, str) and is_database_url(destination.strip())
    dest_root: Path | None = None
    if dest_is_url:
        dest_db = Database(destination.strip())
        dest_where = safe_url(dest_db.url)
    else:
        dest_root = Path(destination).expanduser()
        if dest_root.exists() and (not dest_root.is_dir() or any(dest_root.iterdir())):
            raise StudyExistsError(
                "the destination folder is not empty", where=str(dest_root), fix="give a new or empty folder"
            )
        dest_db = None
        dest_where = str(dest_root)
    with open_study(source) as study:
        src_where = study.location
        if (study.url is None) and (not dest_is_url):
            raise ValidationError("both are folders: copy the folder instead", fix="give a postgresql+psycopg:// URL as one side")
        if dest_is_url:
            with study.db.read() as session:
                non_finite = queries.non_finite_json(session)
            if non_finite:
                raise ValidationError(
                    f"{len(non_finite)} stored value(s) hold NaN or infinity, which PostgreSQL cannot store: "
                    + "; ".join(non_finite[:10]),
                    where=src_where,
                    fix="discard or re-import those images with this version (it rejects such headers), then migrate again",
                )
        try:
            if dest_is_url:
                tables = destination_tables(dest_db)
                if tables:
                    raise StudyExistsError(
                        f"the destination database is not empty ({len(tables)} tables)",
                        where=dest_where,
                        fix="migrate into a new, empty database (CREATE DATABASE … OWNER coordinator)",
                    )
            else:
                for sub in ("images", "backups", "reports"):
                    (dest_root / sub).mkdir(parents=True, exist_ok=True)
                dest_db = Database(sqlite_url(dest_root / DATABASE_NAME))

            def record(connection) -> None:
                from ..storage import models

                connection.execute(
                    models.AuditEvent.__table__.insert(),
                    [{"at": audit.now(), "actor": actor, "action": "study.migrate", "entity": "study",
                      "entity_id": study.uid, "before": {"from": src_where}, "after": {"to": dest_where}, "reason": None}],
                )

            report = copy_study(
                study.db,
                dest_db,
                source_files=None if study.url else study.root / "images",
                dest_files=dest_root / "images" if dest_root is not None else None,
                progress=progress,
                after_copy=record,
            )
        except BaseException:
            if dest_db is not None:
                dest_db.dispose()
            if dest_root is not None and not dest_is_url:
                shutil.rmtree(dest_root, ignore_errors=True)
            raise
    dest_db.dispose()
    return MigrationResult(src_where, dest_where, report)
