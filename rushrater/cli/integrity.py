"""Integrity commands: ``verify`` (was anything changed outside the product?) and ``gc`` (image
files no row refers to)."""

from __future__ import annotations

import json

from ..services.study import open_study
from ..services.verify import verify_study


def _cmd_verify(args) -> int:
    with open_study(args.study) as study:
        report = verify_study(study)
    if args.json:
        print(json.dumps({"ok": report.ok, "checked": report.checked,
                          "findings": [f.as_dict() for f in report.findings]}, indent=2))
    elif report.ok:
        print(f"Intact: {report.checked['rating']} rating(s) and {report.checked['audit_event']} audit row(s) "
              "checked; totals, version chains, audit hash chain and append-only triggers are as the product wrote them")
    else:
        print(f"{len(report.findings)} problem(s): rows changed outside the product")
        for finding in report.findings:
            print(f"  {finding}")
        print("  fix: nothing was repaired; compare with the study's backups/ and find who had write access to the database")
    return 0 if report.ok else 1


def register(subparsers) -> None:
    p = subparsers.add_parser("verify", help="check totals, version chains and the audit hash chain for tampering")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_verify)
    register_gc(subparsers)


def _cmd_gc(args) -> int:
    from ..services.gc import collect_garbage

    dry_run = not args.delete
    with open_study(args.study) as study:
        report = collect_garbage(study, dry_run=dry_run)
    mode = "dry run, nothing removed (add --delete to remove them)" if dry_run else "removed"
    print(f"{len(report.unreferenced)} unreferenced image file(s), {report.bytes / 1e6:.1f} MB: {mode}")
    for key in report.unreferenced[:50]:
        print(f"  images/{key}")
    if len(report.unreferenced) > 50:
        print(f"  … and {len(report.unreferenced) - 50} more")
    return 0


def register_gc(subparsers) -> None:
    p = subparsers.add_parser("gc", help="report (and with --delete remove) image files no row refers to")
    p.add_argument("study", metavar="STUDY")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="only report (the default)")
    mode.add_argument("--delete", action="store_true", help="remove the unreferenced files")
    p.set_defaults(func=_cmd_gc)
