"""Export and report commands: ``export STUDY --format FORMAT --out PATH`` and ``report STUDY --out PATH``."""

from __future__ import annotations


from .. import stats
from ..services.export import FOLDER_FORMATS, FORMATS, export_study
from ..services.report import write_report
from .agreement import add_analysis_options
from ..services.study import open_study


def _cmd_export(args) -> int:
    with open_study(args.study) as study:
        written = export_study(study, args.format, args.out, force=args.force)
    kind = "folder" if args.format in FOLDER_FORMATS else "file(s)"
    print(f"Wrote the {args.format} export ({kind}):")
    for path in written:
        print(f"  {path}")
    return 0


def _cmd_report(args) -> int:
    with open_study(args.study) as study:
        path = write_report(study, args.out, force=args.force, form=args.form, raters=args.raters,
                            exclude_early_rereads=args.exclude_early_rereads)
    print(f"Wrote the reliability report: {path}")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export",
        help="labelled exports for statisticians (CSV, SPSS, Stata, Excel, R), each with a codebook",
        description="Write the study's ratings (every version, with a current flag), the wide layout, the "
        "consensus table and a codebook. Folder formats (r, spss, stata) add a script that reproduces "
        "the study's ICC table.",
    )
    p.add_argument("study")
    p.add_argument("--format", required=True, choices=FORMATS, help="csv, csv-wide, sav, dta, xlsx, r, spss or stata")
    p.add_argument("--out", required=True, help="output file (csv, csv-wide, sav, dta, xlsx) or folder (r, spss, stata)")
    p.add_argument("--force", action="store_true", help="replace an existing output")
    p.set_defaults(func=_cmd_export)

    p = subparsers.add_parser(
        "report",
        help="the GRRAS reliability report (PDF or self-contained HTML)",
        description="Design, completeness, ICC tables by time point x rater group with CIs and the Koo & Li "
        "reading, item-level agreement, Bland-Altman plots, consensus, software and a methods paragraph.",
    )
    p.add_argument("study")
    p.add_argument("--out", required=True, help="report.pdf or report.html")
    p.add_argument("--form", default="ICC(2,1)", choices=stats.FORMS, help="ICC form of the tables (default ICC(2,1))")
    p.add_argument("--force", action="store_true", help="replace an existing report")
    add_analysis_options(p)
    p.set_defaults(func=_cmd_report)
