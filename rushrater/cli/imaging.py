"""Commands for getting images into a study: import, pending, assign, discard, redact, check-blinding."""

from __future__ import annotations

import json
import sys
import time

from ..services.blinding import check_blinding
from ..services.imports import NEEDS_ASSIGNMENT, REJECTED, import_images
from ..services.redaction import redact_image, redact_staged, set_template
from ..services.staging import Assignment, assign, assign_from_csv, discard, list_staged
from ..services.study import open_study
from .format import table


class ProgressBar:
    """A one-line progress bar on stderr (only when stderr is a terminal, so logs stay clean).

    Hand-written because it is twenty lines; tqdm would be one more dependency for the same bar.
    """

    def __init__(self, label: str, stream=None, width: int = 30):
        self.label, self.stream, self.width = label, stream or sys.stderr, width
        self.start = time.monotonic()
        self.enabled = self.stream.isatty()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        fraction = done / total if total else 1.0
        filled = int(self.width * fraction)
        rate = done / max(now - self.start, 1e-6)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total} ({rate:.1f}/s)")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def print_report(report) -> None:
    rows = [
        (r.item, r.file, r.status, r.patient or "", r.timepoint or "", r.view or "", r.case or (f"item {r.staged}" if r.staged else ""), r.reason)
        for r in report.rows
    ]
    print(table(("#", "File", "Result", "Patient", "Timepoint", "View", "Case", "Reason"), rows, "rlllllll"))
    print(
        f"\n{report.imported} image(s) imported, {report.needs_assignment} need assignment, "
        f"{report.skipped} skipped, {report.rejected} rejected. Report kept at {report.report_path}"
    )
    if report.needs_assignment:
        print("Assign them with: rushrater assign STUDY --item N --patient CODE --timepoint T --view AP|LAT (or --csv)")


def _cmd_import(args) -> int:
    with open_study(args.study) as study:
        report = import_images(
            study,
            args.sources,
            manifest=args.manifest,
            key_file=args.key_file,
            progress=None if args.json else ProgressBar("Importing"),
            workers=args.workers,
        )
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print_report(report)
    return 0


def _cmd_pending(args) -> int:
    with open_study(args.study) as study:
        items = list_staged(study)
    if args.json:
        print(json.dumps([i.__dict__ for i in items], indent=2, default=str))
        return 0
    if not items:
        print("No image awaits assignment.")
        return 0
    rows = [(i.item, i.patient or "", i.timepoint or "", i.view or "", f"{i.width}x{i.height}", i.reason) for i in items]
    print(table(("Item", "Patient", "Timepoint", "View", "Size", "Why it needs you"), rows, "rlllll"))
    return 0


def _cmd_assign(args) -> int:
    with open_study(args.study) as study:
        if args.csv:
            cases = assign_from_csv(study, args.csv)
        else:
            missing = [flag for flag, value in (("--item", args.item), ("--patient", args.patient), ("--timepoint", args.timepoint), ("--view", args.view)) if value is None]
            if missing:
                print(f"error: give {', '.join(missing)} (or --csv FILE)", file=sys.stderr)
                return 2
            cases = assign(study, [Assignment(args.item, args.patient, args.timepoint, args.view)])
    print(f"Assigned {len(cases)} image(s) to case(s) {', '.join(sorted(set(cases)))}")
    return 0


def _cmd_discard(args) -> int:
    with open_study(args.study) as study:
        discard(study, args.item, reason=args.reason)
    print(f"Discarded item {args.item}")
    return 0


def _rect(text: str) -> list[int]:
    parts = [p for p in text.replace(" ", "").split(",") if p]
    if len(parts) != 4:
        raise ValueError(text)
    return [int(float(p)) for p in parts]


def _cmd_redact(args) -> int:
    rects = [_rect(r) for r in args.rect]
    with open_study(args.study) as study:
        if args.template:
            n = set_template(study, args.template, rects)
            print(f"Template {args.template!r} saved; {n} image(s) masked")
        elif args.item is not None:
            redact_staged(study, args.item, rects)
            print(f"Masked {len(rects)} rectangle(s) on item {args.item}")
        else:
            redact_image(study, args.image, rects)
            print(f"Masked {len(rects)} rectangle(s) on image {args.image}")
    return 0


def _cmd_check_blinding(args) -> int:
    with open_study(args.study) as study:
        report = check_blinding(study, args.key_file)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(
            f"Checked {report.identifiers_checked} identifier forms against {report.database_values} database values, "
            f"{report.images_scanned} stored images, {report.reports_scanned} report files and {report.names_scanned} file names."
        )
        for hit in report.hits:
            print(f"HIT: {hit}")
        if report.unchecked:
            print(f"Too short to check reliably: {', '.join(report.unchecked)}")
        print("Blinding intact: no identifier found." if report.clean else f"{len(report.hits)} hit(s): blinding is broken.")
    return 0 if report.clean else 1


def register(sub) -> None:
    p = sub.add_parser(
        "import",
        help="import radiographs from files or folders (de-identified; grouped by patient and date, or by a manifest)",
    )
    p.add_argument("study", metavar="STUDY")
    p.add_argument("sources", metavar="SOURCE", nargs="+", help="image files or folders (searched recursively)")
    p.add_argument("--manifest", metavar="CSV", help="file,patient,timepoint,view (paths relative to the first SOURCE)")
    p.add_argument(
        "--key-file",
        metavar="PATH",
        help="CSV linking patient codes to identifiers, kept outside the study (required without --manifest)",
    )
    p.add_argument("--workers", type=int, help="processes decoding in parallel (default: one per core)")
    p.add_argument("--json", action="store_true", help="print the import report as JSON")
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("pending", help="list imported images that need assignment")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_pending)

    p = sub.add_parser("assign", help="assign images that need it to a patient, time point and view")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--item", type=int, help="item number from `rushrater pending`")
    p.add_argument("--patient", help="patient code (existing or new)")
    p.add_argument("--timepoint", help="one of the study's time points")
    p.add_argument("--view", help="AP or LAT")
    p.add_argument("--csv", metavar="CSV", help="many at once: item,patient,timepoint,view (all or nothing)")
    p.set_defaults(func=_cmd_assign)

    p = sub.add_parser("discard", help="drop an image that needs assignment but is not part of the study")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--item", type=int, required=True)
    p.add_argument("--reason", required=True)
    p.set_defaults(func=_cmd_discard)

    p = sub.add_parser("redact", help="mask burned-in text: rectangles x,y,width,height in image pixels")
    p.add_argument("study", metavar="STUDY")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--image", type=int, help="image id")
    target.add_argument("--item", type=int, help="item awaiting assignment")
    target.add_argument("--template", metavar="KEY", help="template key 'device | WIDTHxHEIGHT' (every such image)")
    p.add_argument("--rect", action="append", required=True, metavar="X,Y,W,H")
    p.set_defaults(func=_cmd_redact)

    p = sub.add_parser("check-blinding", help="search the study for every identifier in the key file")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--key-file", required=True, metavar="PATH")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_check_blinding)


__all__ = ["register", "ProgressBar", "NEEDS_ASSIGNMENT", "REJECTED"]
