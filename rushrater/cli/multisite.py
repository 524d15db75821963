"""Commands for studies shared over a PostgreSQL server: ``migrate``, rater database logins, ``server``.

``rushrater raters add URL NAME --group G --db-role rater_lee`` (the options are added to the
``raters add`` parser in cli.main) enrols the rater and creates its login; the password is asked
twice on the terminal or read from standard input with ``--db-password-stdin``. An existing role is
never taken over. ``rushrater server login URL RATER`` gives an enrolled rater a login, or with
``--reset-password`` a new password for its own login of this study; ``rushrater server drop URL
--confirm`` drops the study's database with its rater group and rater logins.
"""

from __future__ import annotations

import getpass
import sys

from ..domain.errors import ValidationError
from ..services.multisite import (
    check_db_login_available,
    drop_server_study,
    enrol_db_login,
    migrate_study,
    reset_db_password,
    server_study_roles,
)
from ..services.study import Study, open_study, study_display_location, study_location, study_url
from ..storage import DatabaseConnectError


class UsageError(ValidationError):
    """Options that do not go together (a usage error: exit 2)."""

    exit_code = 2


def add_db_arguments(parser) -> None:
    parser.add_argument("--db-role", metavar="ROLE",
                        help="(server studies) also create the rater's own PostgreSQL login ROLE")
    parser.add_argument("--db-password-stdin", action="store_true",
                        help="read the new login's password from standard input instead of asking")


def read_password(from_stdin: bool, prompt: str = "Password for the new database login: ") -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        if not sys.stdin.isatty():
            raise ValidationError(
                "the login's password must be typed on a terminal", fix="or pipe it in with --db-password-stdin"
            )
        password = getpass.getpass(prompt)
        if getpass.getpass("Again: ") != password:
            raise ValidationError("the two passwords differ", fix="run the command again")
    if len(password) < 8:
        raise ValidationError("the password is shorter than 8 characters", fix="choose a longer password")
    return password


def prepare_db_login(study: Study, args) -> tuple[str, str] | None:
    """Before ``raters add`` stores anything: the role name, the password and the backend are checked."""
    if not getattr(args, "db_role", None):
        return None
    if study.url is None:
        raise ValidationError(
            "database logins exist only for studies on a PostgreSQL server",
            where=study.location,
            fix="move the study to a server first: rushrater migrate STUDY postgresql+psycopg://…",
        )
    role = check_db_login_available(study, args.db_role)
    return role, read_password(args.db_password_stdin)


def create_db_login(study: Study, rater_code: str, prepared: tuple[str, str] | None) -> None:
    """After ``raters add``: the rater's own login, when --db-role was given."""
    if prepared is None:
        return
    role, password = prepared
    login = enrol_db_login(study, rater_code, role, password)
    print(f"Created database login {login.role} for {login.rater}: it reads its own reading list, "
          "the images of those cases and only its own ratings")


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


def _cmd_server_login(args) -> int:
    with open_study(study_location(args.study)) as study:
        if study.url is None:
            raise ValidationError("database logins exist only for studies on a PostgreSQL server", where=study.location,
                                  fix="move the study to a server first: rushrater migrate STUDY postgresql+psycopg://…")
        if args.reset_password:
            if args.db_role:
                raise UsageError("--reset-password changes the rater's existing login: leave out --db-role")
            password = read_password(args.db_password_stdin, "New password for the rater's database login: ")
            login = reset_db_password(study, args.rater, password)
            print(f"Reset the password of database login {login.role} for {login.rater}")
            return 0
        if not args.db_role:
            raise UsageError("give --db-role ROLE (a new login), or --reset-password for the rater's existing login")
        create_db_login(study, args.rater, prepare_db_login(study, args))
    return 0


def _cmd_server_drop(args) -> int:
    url = study_url(args.study)
    plan = server_study_roles(url)
    logins = ", ".join(plan.logins) or "none"
    if not args.confirm:
        print(f"Would drop database {plan.database}, its rater group {plan.group} and its rater logins ({logins}); "
              "every rating in it is lost unless you kept a copy (rushrater migrate URL FOLDER)", file=sys.stderr)
        print("Nothing was dropped: add --confirm to drop it", file=sys.stderr)
        return 2
    done = drop_server_study(url)
    print(f"Dropped database {done.database}, rater group {done.group} and rater logins: {', '.join(done.logins) or 'none'}")
    if done.kept:
        print(f"Kept (also members of other roles; removed from this study's group): {', '.join(done.kept)}")
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

    server = subparsers.add_parser("server", help="server studies: rater logins, dropping a study with its roles")
    server_sub = server.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    p = server_sub.add_parser(
        "login",
        help="give an enrolled rater its own database login, or reset that login's password",
        description="Create a new PostgreSQL login for a rater of this study (--db-role; an existing role is "
                    "never taken over), or with --reset-password set a new password on the rater's own login "
                    "of this study. Nothing else on the server is touched.",
    )
    p.add_argument("study", metavar="URL", help="the study's database URL (as the coordinator)")
    p.add_argument("rater", metavar="RATER", help="rater code or name")
    add_db_arguments(p)
    p.add_argument("--reset-password", action="store_true",
                   help="set a new password on this rater's existing login of this study")
    p.set_defaults(func=_cmd_server_login)
    p = server_sub.add_parser(
        "drop",
        help="drop a server study: its database, its rater group and its rater logins",
        description="Drop the study's database (disconnecting workstations), then its rater group role and the "
                    "rater logins made for it. Without --confirm, only says what would be dropped.",
    )
    p.add_argument("study", metavar="URL", help="the study's database URL (as the coordinator who owns it)")
    p.add_argument("--confirm", action="store_true", help="really drop it")
    p.set_defaults(func=_cmd_server_drop)
