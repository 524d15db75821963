"""Export and report commands: ``export STUDY --format FORMAT --out PATH`` and ``report STUDY --out PATH``."""

from __future__ import annotations

import argparse
import shutil
import textwrap

from .. import stats
from ..domain.errors import ValidationError
from ..services.export import FORMATS, export_study
from ..services.followup import UNIT_DAYS
from ..services.outcomes import OutcomeRequest
from ..services.report import write_report
from ..services.riskmodel import RiskRequest
from ..services.study import open_study
from .agreement import add_analysis_options
from .riskmodel import _list, _times


def add_outcome_options(p) -> None:
    """The outcome analysis and risk-model choices of the report and the R export."""
    g = p.add_argument_group("outcome analysis (needs body composition and clinical data)")
    g.add_argument("--outcome-by", metavar="VARIABLE", help="analyse per level of a clinical variable, e.g. institution")
    g.add_argument("--outcome-covariates", metavar="A,B,…",
                   help="matching and adjustment covariates (default: every clinical variable)")
    g = p.add_argument_group("risk model (needs follow-up events)")
    g.add_argument("--risk-event", metavar="TYPE", help="event type of the follow-up records, e.g. poor_rehabilitation")
    g.add_argument("--risk-predictors", metavar="A,B,…", help="columns of the analysis table (with --risk-event)")
    g.add_argument("--risk-at", default="1,3,6", metavar="T1,T2,…", help="times for AUC and calibration (default 1,3,6)")
    g.add_argument("--risk-unit", choices=tuple(UNIT_DAYS), default="months", help="time unit (default months)")


def requests(parser, args) -> tuple[OutcomeRequest, RiskRequest | None]:
    """The OutcomeRequest and (with --risk-event) RiskRequest of the options; usage errors exit 2."""
    outcome = OutcomeRequest(by=args.outcome_by,
                             covariates=_list(args.outcome_covariates) if args.outcome_covariates else None)
    if bool(args.risk_event) != bool(args.risk_predictors):
        parser.error("--risk-event and --risk-predictors go together (e.g. --risk-event poor_rehabilitation "
                     "--risk-predictors age,smi)")
    if not args.risk_event:
        return outcome, None
    try:
        times = tuple(_times(args.risk_at))
    except ValidationError:
        parser.error(f"--risk-at {args.risk_at!r} is not a list of times (e.g. --risk-at 1,3,6)")
    return outcome, RiskRequest(args.risk_event, _list(args.risk_predictors), times=times, unit=args.risk_unit)


def _cmd_export(args) -> int:
    outcome, risk = requests(args.parser, args)
    if not FORMATS[args.format].outcome_scripts and (risk is not None or args.outcome_by or args.outcome_covariates):
        with_scripts = " or ".join(f"--format {name}" for name, f in FORMATS.items() if f.outcome_scripts)
        args.parser.error(f"--outcome-* and --risk-* options belong to {with_scripts} (the outcome and risk-model scripts)")
    notes: list[str] = []
    with open_study(args.study) as study:
        written = export_study(study, args.format, args.out, force=args.force, outcome=outcome, risk=risk, notes=notes)
    kind = "folder" if FORMATS[args.format].folder else "file(s)"
    print(f"Wrote the {args.format} export ({kind}):")
    for path in written:
        print(f"  {path}")
    for note in notes:
        print(f"note: {note}")
    return 0


def _cmd_report(args) -> int:
    outcome, risk = requests(args.parser, args)
    notes: list[str] = []
    with open_study(args.study) as study:
        path = write_report(study, args.out, force=args.force, form=args.form, raters=args.raters,
                            exclude_early_rereads=args.exclude_early_rereads, outcome=outcome, risk=risk,
                            notes=notes)
    print(f"Wrote the reliability report: {path}")
    for note in notes:
        print(f"note: {note}")
    return 0


def _names(names: list[str], last: str = "or") -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {last} {names[-1]}"


def _width() -> int:
    return max(shutil.get_terminal_size().columns - 2, 40)  # as argparse wraps the rest of the help


def formats_help() -> str:
    """One entry per export format of the registry (services/export/formats.py): its name and
    description."""
    width = max(len(name) for name in FORMATS) + 2
    lines = ["formats (--format):"]
    for name, f in FORMATS.items():
        lines += textwrap.wrap(f.description, _width(), initial_indent=f"  {name:<{width}}",
                               subsequent_indent=" " * (width + 2))
    return "\n".join(lines)


def register(subparsers) -> None:
    files = [name for name, f in FORMATS.items() if not f.folder]
    folders = [name for name, f in FORMATS.items() if f.folder]
    scripts = [name for name, f in FORMATS.items() if f.outcome_scripts]
    description = (
        "Write the study's ratings (every version, with a current flag), the wide layout, the consensus "
        "table, the per-patient table (RUSH, body composition, clinical variables, follow-up events) and a "
        f"codebook. Folder formats ({', '.join(folders)}) add a script that reproduces the study's ICC table; "
        f"the {_names(scripts)} folder also the outcome analysis (outcomes.R) and, with --risk-event, the risk "
        "model (riskmodel.R)."
    )
    p = subparsers.add_parser(
        "export",
        help="labelled exports for statisticians (CSV, SPSS, Stata, Excel, R), each with a codebook",
        # The format list is laid out by hand (one line each), so the description is wrapped here.
        description="\n".join(textwrap.wrap(description, _width())),
        epilog=formats_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("study")
    p.add_argument("--format", required=True, choices=list(FORMATS), help=f"{_names(list(FORMATS))} (see below)")
    p.add_argument("--out", required=True, help=f"output file ({', '.join(files)}) or folder ({', '.join(folders)})")
    p.add_argument("--force", action="store_true", help="replace an existing output")
    add_outcome_options(p)
    p.set_defaults(func=_cmd_export, parser=p)

    p = subparsers.add_parser(
        "report",
        help="the GRRAS reliability report (PDF or self-contained HTML)",
        description="Design, completeness, ICC tables by time point x rater group with CIs and the Koo & Li "
        "reading, item-level agreement, Bland-Altman plots, consensus, software and a methods paragraph; "
        "then the outcome analysis (Tables 1-3) when the study has body composition and clinical data, and "
        "the TRIPOD-style risk model chosen with --risk-event/--risk-predictors.",
    )
    p.add_argument("study")
    p.add_argument("--out", required=True, help="report.pdf or report.html")
    p.add_argument("--form", default="ICC(2,1)", choices=stats.FORMS, help="ICC form of the tables (default ICC(2,1))")
    p.add_argument("--force", action="store_true", help="replace an existing report")
    add_analysis_options(p)
    add_outcome_options(p)
    p.set_defaults(func=_cmd_report, parser=p)
