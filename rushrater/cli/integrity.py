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
