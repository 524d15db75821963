"""``rushrater read`` (the reading workstation) and ``rushrater raters pin`` (a rater's PIN)."""

from __future__ import annotations

import argparse
import getpass
import sys

from ..domain.errors import RushRaterError, ValidationError
from ..services.reading import set_rater_pin
from ..services.study import open_study


def _cmd_read(args) -> int:
    try:
        from ..gui.workstation import run_workstation
    except ImportError as exc:  # the core runs without Qt; the workstation needs it
        raise RushRaterError(
            f"the reading workstation cannot start: {exc}",
            fix="install the GUI dependencies: pip install PySide6-Essentials pyqtgraph",
        ) from exc
    from .multisite import desktop_location  # a server URL opens through its local folder

    return run_workstation(desktop_location(args.study), rater=args.rater)


def _read_pin(confirm: bool) -> str:
    if not sys.stdin.isatty():  # scripted: one line on standard input
        return sys.stdin.readline().rstrip("\r\n")
    pin = getpass.getpass("New PIN: ")
    if confirm and getpass.getpass("Same PIN again: ") != pin:
        raise ValidationError("the two PINs differ", fix="run the command again and type the same PIN twice")
    return pin


def add_pin_arguments(parser) -> None:
    """``raters add``: the rater's PIN at enrolment (without one, they choose it at first login)."""
    parser.add_argument("--pin", action="store_true", help="ask for the rater's workstation PIN (typed twice)")
    parser.add_argument("--pin-stdin", action="store_true",
                        help="read the rater's PIN from standard input (after the --db-password-stdin line, if any)")


def pin_for_enrolment(args) -> str | None:
    if args.pin_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if args.pin:
        if not sys.stdin.isatty():
            raise ValidationError("the PIN must be typed on a terminal", fix="or pipe it in with --pin-stdin")
        return _read_pin(confirm=True)
    return None


def _cmd_pin(args) -> int:
    with open_study(args.study) as study:
        if args.clear:
            set_rater_pin(study, args.rater, None)
            print(f"Removed the PIN of {args.rater}: in a study with several raters they choose a new one at their next login")
        else:
            set_rater_pin(study, args.rater, _read_pin(confirm=True))
            print(f"Set a PIN for {args.rater}: the workstation asks for it at login")
    return 0


def _raters_actions(subparsers) -> argparse._SubParsersAction:
    """The ``raters`` command's sub-commands (defined in cli.main), to add ``pin`` to them."""
    raters = subparsers.choices["raters"]
    for action in raters._actions:  # argparse keeps sub-command tables only here
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise LookupError("the raters command has no sub-commands")


def register_read(subparsers) -> None:
    p = subparsers.add_parser("read", help="open the reading workstation (blinded scoring, keyboard first)")
    p.add_argument("study", metavar="STUDY", nargs="?", help="study folder (default: choose at login)")
    p.add_argument("--rater", metavar="CODE", help="your rater code or name (default: choose at login)")
    p.set_defaults(func=_cmd_read)


def register(subparsers) -> None:
    register_read(subparsers)

    p = _raters_actions(subparsers).add_parser("pin", help="set or remove a rater's workstation PIN")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("rater", metavar="RATER", help="rater code or name")
    p.add_argument("--clear", action="store_true", help="remove the PIN")
    p.set_defaults(func=_cmd_pin)
