"""``rushrater clinical events STUDY CSV``: follow-up events (time to event or censoring) per patient."""

from __future__ import annotations

import json

from ..services import followup
from ..services.study import open_study


def _cmd_events(args) -> int:
    with open_study(args.study) as study:
        result = followup.import_events(study, args.csv, key_file=args.key_file, id_column=args.id_column,
                                        code_column=args.code_column, data_lock=args.data_lock,
                                        time_unit=args.time_unit)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return 0
    kinds = ", ".join(f"{t} ({n} event(s))" for t, n in sorted(result.event_types.items()))
    print(f"Imported {result.records} follow-up record(s) of {result.patients} patient(s) from {args.csv}: "
          f"{result.added} added, {len(result.changes)} changed, {result.unchanged} unchanged; {kinds}")
    for change in result.changes:
        print(f"  changed: {change}")
    return 0


def _cmd_events_show(args) -> int:
    with open_study(args.study) as study:
        table = followup.events_table(study)
    if args.json:
        print(json.dumps(json.loads(table.to_json(orient="records")), indent=2))
    else:
        print(table.to_string(index=False) if not table.empty else "no follow-up records")
    return 0


def register_events(sub) -> None:
    """Add ``events`` and ``events-show`` to the ``clinical`` command's subcommands."""
    q = sub.add_parser(
        "events", help="import follow-up events (event or censoring per patient and event type), all rows or none",
        description="Columns: the patient column, event (type, e.g. poor_rehabilitation), status (1 event, 0 "
        "censored) and either date + surgery_date (calendar dates: only the days after surgery are stored) or "
        "day (days after surgery; or time with --time-unit). Events before surgery, dates after --data-lock, "
        "two records of one event type for a patient and missing times are listed per row and nothing is stored.",
    )
    q.add_argument("study", metavar="STUDY")
    q.add_argument("csv", metavar="CSV")
    q.add_argument("--key-file", metavar="KEY", help="the key file (identifier -> patient code), kept outside the study")
    how = q.add_mutually_exclusive_group(required=True)
    how.add_argument("--id-column", metavar="COL", help="column with the hospital identifier (mapped through --key-file, then dropped)")
    how.add_argument("--code-column", metavar="COL", help="column with the study's patient codes")
    q.add_argument("--data-lock", metavar="DATE", help="no record may be dated after this date (e.g. 2025-06-30)")
    q.add_argument("--time-unit", choices=tuple(followup.UNIT_DAYS), default="days",
                   help="unit of a time column (default days)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_cmd_events)
    q = sub.add_parser("events-show", help="the current follow-up record of every patient and event type")
    q.add_argument("study", metavar="STUDY")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_cmd_events_show)
