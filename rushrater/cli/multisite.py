"""Commands for studies shared over a PostgreSQL server: ``migrate``, and rater database logins.

``rushrater raters add URL NAME --group G --db-role rater_lee`` (the options are added to the
``raters add`` parser in cli.main) enrols the rater and creates its login; the password is asked
twice on the terminal or read from standard input with ``--db-password-stdin``.
"""

from __future__ import annotations

import getpass
import sys

from ..domain.errors import ValidationError
from ..services.multisite import check_role_name, enrol_db_login, migrate_study
from ..services.study import Study, open_study, study_display_location, study_location, study_url
from ..storage import DatabaseConnectError


def add_db_arguments(parser) -> None:
    parser.add_argument("--db-role", metavar="ROLE",
                        help="(server studies) also create the rater's own PostgreSQL login ROLE")
    parser.add_argument("--db-password-stdin", action="store_true",
                        help="read the new login's password from standard input instead of asking")


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        if not sys.stdin.isatty():
            raise ValidationError(
                "the login's password must be typed on a terminal", fix="or pipe it in with --db-password-stdin"
            )
        password = getpass.getpass("Password for the new database login: ")
        if getpass.getpass("Again: ") != password:
            raise ValidationError("the two passwords differ", fix="run the command again")
    if len(password) < 8:
        raise ValidationError("the password is shorter than 8 characters", fix="choose a longer password")
    return password


def prepare_db_login(study: Study, args) -> tuple[str, str] | None:
    """Before ``raters add`` stores anything: the role name, the password and the backend are checked."""
    if not getattr(args, "db_role", None):
        return None
    role = check_role_name(args.db_role)
    if study.url is None:
        raise ValidationError(
            "database logins exist only for studies on a PostgreSQL server",
            where=study.location,
            fix="move the study to a server first: rushrater migrate STUDY postgresql+psycopg://…",
        )
    return role, read_password(args.db_password_stdin)


def create_db_login(study: Study, rater_code: str, prepared: tuple[str, str] | None) -> None:
    """After ``raters add``: the rater's own login, when --db-role was given."""
    if prepared is None:
        return
    role, password = prepared
    login = enrol_db_login(study, rater_code, role, password)
    verb = "Created" if login.created else "Granted existing"
    print(f"{verb} database login {login.role} for {login.rater}: it reads cases and images and only its own ratings")


def desktop_location(text: str | None):
    """A STUDY argument for the desktop app and the workstation, which open study folders.

    A server URL is opened here once (asking for the password on a terminal when the server wants
    one); the app then opens the study's local folder, which points at the server and reuses the
    password for this process only.
    """
    from pathlib import Path

    if not text:
        return None
    location = study_location(text)
    if isinstance(location, Path):
        return location
    try:
        study = open_study(location)
    except DatabaseConnectError as exc:
        if "password" not in exc.message or not sys.stdin.isatty():
            raise
        study = open_study(study_url(location, getpass.getpass(f"Password for {study_display_location(location)}: ")))
    with study:
        return study.root


def _cmd_migrate(args) -> int:
    result = migrate_study(
        study_location(args.source),
        study_location(args.destination),
        progress=lambda message: print(f"  {message}", file=sys.stderr, flush=True),
    )
    tables = result.report.tables
    rows = sum(check.rows for check in tables.values())
    print(f"Copied {result.source} -> {result.destination}")
    print(f"{len(tables)} tables, {rows} rows and {result.report.images} images, counts and SHA-256 verified")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "migrate",
        help="copy a study between a folder and a PostgreSQL server (either way), verified",
        description="Copy every table and image of a study into an empty folder or an empty PostgreSQL "
                    "database (postgresql+psycopg://user@host/db). Row counts and SHA-256 hashes of every "
                    "table and image are checked before the copy commits; the source is left unchanged.",
    )
    p.add_argument("source", metavar="SRC", help="study folder or database URL")
    p.add_argument("destination", metavar="DEST", help="new empty folder, or URL of an empty database")
    p.set_defaults(func=_cmd_migrate)
