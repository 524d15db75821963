"""``rushrater``: the command line. Every command is a thin call into a service.

Errors the user can fix print one message (what, where, and the fix) and exit with status 1;
usage errors exit with 2 (argparse). ``rushrater`` alone opens the desktop app.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..domain.errors import RushRaterError
from ..services import demo as demo_service
from ..services.planning import plan_reading
from ..services.raters import add_rater, list_raters, rater_credentials
from ..services.ratings import import_ratings
from ..services.status import study_status
from ..services.study import create_study, open_study
from .format import print_status

from . import reading as _reading_commands  # noqa: E402
from . import multisite as multisite_cli  # noqa: E402


def command_modules() -> tuple:
    """The modules that register commands, imported when the full command line is built.

    Not at import time: ``rushrater read`` (the workstation) needs none of the statistics stack
    (scipy.stats, statsmodels), whose import alone took seconds on a loaded 2-core machine before
    the first case could be on screen (issue 17, benchmark ``first_case_s``).
    """
    from . import agreement as agreement_cli
    from . import bodycomp as bodycomp_cli
    from . import clinical as clinical_cli
    from . import desktop as desktop_cli
    from . import drr as drr_cli
    from . import export as export_cli
    from . import imaging as imaging_cli
    from . import integrity as integrity_cli
    from . import outcomes as outcomes_cli
    from . import riskmodel as riskmodel_cli
    from . import stats as stats_cli
    from . import training as training_cli

    return (_reading_commands, agreement_cli, imaging_cli, export_cli, multisite_cli, bodycomp_cli, drr_cli, desktop_cli,
            stats_cli, integrity_cli, clinical_cli, outcomes_cli, riskmodel_cli, training_cli)


def _cmd_init(args) -> int:
    with create_study(args.study, args.title, args.timepoints) as study:
        print(f"Created study {study.title!r} in {study.location}")
        print("Next: rushrater raters add STUDY NAME --group GROUP; rushrater import STUDY SOURCE --manifest CSV")
    return 0


def _cmd_raters_add(args) -> int:
    with open_study(args.study) as study:
        login = multisite_cli.prepare_db_login(study, args)  # checked before anything is stored
        pin = _reading_commands.pin_for_enrolment(args)
        rater = add_rater(study, args.name, args.group, code=args.code, pin=pin)
        print(f"Enrolled {rater.name} as {rater.code} in group {rater.group}")
        if pin is None:
            print(f"{rater.name} has no PIN yet: the workstation asks them to choose one at their first login")
        multisite_cli.create_db_login(study, rater.code, login)
    return 0


def _cmd_raters_list(args) -> int:
    with open_study(args.study) as study:
        raters = list_raters(study)
        # Whether each rater can be told apart at the workstation (never the PIN: only its hash exists).
        credentials = {c.code: c for c in rater_credentials(study)}
    if args.json:
        rows = [{**r.__dict__, "has_pin": credentials[r.code].has_pin, "needs_pin": credentials[r.code].needs_pin,
                 "open_workstation": credentials[r.code].open_workstation} for r in raters]
        print(json.dumps(rows, indent=2))
    else:
        for r in raters:
            c = credentials[r.code]
            note = "  (no PIN yet)" if c.needs_pin else "  (open workstation: no PIN)" if c.open_workstation else ""
            print(f"{r.code:6} {r.group:12} {r.name}{note}")
    return 0


def _cmd_plan(args) -> int:
    with open_study(args.study) as study:
        result = plan_reading(
            study,
            seed=args.seed,
            replan=args.replan,
            reread_fraction=getattr(args, "reread_fraction", None),
            washout_days=getattr(args, "washout_days", None),
        )
    if result.new_plan:
        print(f"Planned {result.cases_planned} cases for {len(result.raters_planned)} raters with seed {result.seed}")
    elif result.changed:
        if result.raters_planned:
            print(f"Seed {result.seed}: new lists for {', '.join(result.raters_planned)}")
        for code, n in result.cases_appended.items():
            print(f"Seed {result.seed}: {n} new cases appended to {code}'s list")
    else:
        print(f"The plan (seed {result.seed}) already covers every rater and case; nothing changed")
    for code, n in result.rereads_added.items():
        print(f"Seed {result.seed}: {n} re-read(s) added to {code}'s list, available from {result.rereads_available_from[:16]}")
    if result.rereads_kept:
        print(f"Re-reads already planned (kept unchanged) for {', '.join(result.rereads_kept)}")
    if result.rereads_before_first_read:
        print(
            f"note: {result.rereads_before_first_read} re-read case(s) have no first read yet; each comes "
            f"{result.washout_days:g} days after its first read"
        )
    if result.incomplete_cases:
        print(
            f"Left out {len(result.incomplete_cases)} case(s) that lack an AP or lateral image: "
            + ", ".join(result.incomplete_cases[:10])
            + (" …" if len(result.incomplete_cases) > 10 else "")
        )
    return 0


def _cmd_ratings_import(args) -> int:
    with open_study(args.study) as study:
        stored = import_ratings(study, args.csv)
    print(f"Stored {stored} ratings from {args.csv}")
    return 0


def _cmd_status(args) -> int:
    with open_study(args.study) as study:
        status = study_status(study)
    if args.json:
        print(json.dumps(status, indent=2))
    else:
        print_status(status)
    return 0


def _cmd_demo(args) -> int:
    path = Path(args.study) if args.study else demo_service.default_demo_path()
    if not args.no_gui:
        # The window first: the build (half a minute or more the first time) shows its steps in it.
        return _launch_gui(None, demo=dict(path=path, fresh=args.fresh, patients=args.patients, echo=_stderr_progress))
    study = demo_service.build_or_open_demo(path, fresh=args.fresh, patients=args.patients, progress=_stderr_progress)
    with study:
        print_status(study_status(study))
        from ..services.agreement import TOTAL, agreement_report
        from . import agreement as agreement_cli

        report = agreement_report(study)
        print()
        agreement_cli.print_agreement(report, "ICC(2,1)", [TOTAL, *report.ratings.subtotals])
    return 0


def _stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _cmd_gui(args) -> int:
    return _launch_gui(multisite_cli.desktop_location(args.study))


def _launch_gui(study_path: Path | None, demo: dict | None = None) -> int:
    try:
        from ..gui.app import DemoRequest, run
    except ImportError as exc:  # the core runs without Qt; the desktop app needs it
        raise RushRaterError(
            f"the desktop app cannot start: {exc}",
            fix="install the GUI dependencies: pip install PySide6-Essentials pyqtgraph",
        ) from exc
    return run(study_path, demo=DemoRequest(**demo) if demo is not None else None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rushrater",
        description="Blinded multi-rater RUSH reading studies. Without a command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"rushrater {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="create a study folder")
    p.add_argument("study", metavar="STUDY", help="folder to create")
    p.add_argument("--title", required=True, help="study title")
    p.add_argument("--timepoints", default="day1,month1", help="comma-separated time points (default: day1,month1)")
    p.set_defaults(func=_cmd_init)

    raters = sub.add_parser("raters", help="enrol and list raters")
    raters_sub = raters.add_subparsers(dest="raters_command", metavar="ACTION", required=True)
    p = raters_sub.add_parser("add", help="enrol a rater into a group")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--group", required=True, help="rater group, e.g. resident or attending")
    p.add_argument("--code", help="rater code (default: next free R01, R02, …)")
    _reading_commands.add_pin_arguments(p)
    multisite_cli.add_db_arguments(p)
    p.set_defaults(func=_cmd_raters_add)
    p = raters_sub.add_parser("list", help="list enrolled raters")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_raters_list)

    p = sub.add_parser("plan", help="give every rater a random reading order (same seed, same order)")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--seed", type=int, help="random seed to record (default: a random one)")
    p.add_argument("--replan", action="store_true", help="discard the lists and plan again (only before any rating)")
    p.add_argument("--reread-fraction", type=float, metavar="SHARE",
                   help="add test-retest re-reads of this share of each rater's cases (e.g. 0.2)")
    p.add_argument("--washout-days", type=float, metavar="DAYS",
                   help="days before re-reads become available (default: the study's washout, 28)")
    p.set_defaults(func=_cmd_plan)

    ratings = sub.add_parser("ratings", help="ratings from paper or legacy systems")
    ratings_sub = ratings.add_subparsers(dest="ratings_command", metavar="ACTION", required=True)
    p = ratings_sub.add_parser("import", help="load ratings from a CSV, all or nothing")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("csv", metavar="CSV")
    p.set_defaults(func=_cmd_ratings_import)

    p = sub.add_parser("status", help="cases, images, raters, groups and per-rater progress")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_status)

    p = sub.add_parser("demo", help="build a demo study from synthetic radiographs and open it")
    p.add_argument("study", metavar="STUDY", nargs="?", help="where to build it (default: your user data folder)")
    p.add_argument("--no-gui", action="store_true", help="print a summary instead of opening the app")
    p.add_argument("--fresh", action="store_true", help="rebuild the demo study even if it exists")
    p.add_argument("--patients", type=int, default=demo_service.DEFAULT_PATIENTS, help=argparse.SUPPRESS)
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("gui", help="open the desktop app (optionally on a study)")
    p.add_argument("study", metavar="STUDY", nargs="?")
    p.set_defaults(func=_cmd_gui)

    # Each feature area keeps its commands in its own module: register(subparsers) adds them, and
    # each command's func(args) returns the exit code.
    for module in command_modules():
        module.register(sub)
    return parser


def _workstation_parser() -> argparse.ArgumentParser:
    """Only ``read``: the same arguments, without importing every other command's module."""
    parser = argparse.ArgumentParser(prog="rushrater")
    _reading_commands.register_read(parser.add_subparsers(dest="command", metavar="COMMAND"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _workstation_parser() if argv[:1] == ["read"] else build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return _launch_gui(None)
        return args.func(args)
    except RushRaterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        # A full disk, a read-only folder or a vanished file the services did not name themselves.
        from ..services.files import translate_os_error

        translated = translate_os_error(exc, exc.filename, "a file")
        if translated is None:
            translated = RushRaterError(f"cannot use {exc.filename or 'a file'}: {exc.strerror or exc}",
                                        fix="check the path, its permissions and the disk, then run the command again")
        print(f"error: {translated}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; nothing partial was stored", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
