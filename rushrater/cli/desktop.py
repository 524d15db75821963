"""Desktop integration commands: study links for double-click, and the user's preferences."""

from __future__ import annotations

from pathlib import Path

from ..services.preferences import LANGUAGES, PreferenceStore
from ..services.study_link import write_study_link


def _cmd_link(args) -> int:
    link = write_study_link(args.study, Path(args.output) if args.output else None)
    print(f"Wrote {link}: double-click it (or run rushrater gui {link}) to open the study")
    return 0


def _cmd_preferences(args) -> int:
    store = PreferenceStore()
    if args.language is not None:
        store.set_language("" if args.language == "system" else args.language)
    prefs = store.load()
    print(f"Preferences file: {store.path}")
    print(f"Language: {LANGUAGES[prefs.language]} ({prefs.language or 'follows the operating system'})")
    print(f"Recent studies: {len(prefs.recent_studies)}")
    for entry in prefs.recent_studies:
        print(f"  {entry.title}  {entry.path}")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("link", help="write a .rushrater file that opens the study when double-clicked")
    p.add_argument("study", metavar="STUDY", help="study folder")
    p.add_argument("--output", metavar="FILE", help="where to write the link (default: STUDY.rushrater beside the folder)")
    p.set_defaults(func=_cmd_link)

    p = subparsers.add_parser("preferences", help="show your preferences; --language sets the interface language")
    choices = ["system", *[k for k in LANGUAGES if k]]
    p.add_argument("--language", choices=choices, help="interface language (system: follow the operating system)")
    p.set_defaults(func=_cmd_preferences)
