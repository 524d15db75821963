"""Export and report commands: ``export STUDY --format FORMAT --out PATH`` and ``report STUDY --out PATH``."""

from __future__ import annotations

from .. import stats
from ..domain.errors import ValidationError
from ..services.export import FOLDER_FORMATS, FORMATS, export_study
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
    if args.format != "r" and (risk is not None or args.outcome_by or args.outcome_covariates):
        args.parser.error("--outcome-* and --risk-* options belong to --format r (the outcome and risk-model scripts)")
    notes: list[str] = []
    with open_study(args.study) as study:
        written = export_study(study, args.format, args.out, force=args.force, outcome=outcome, risk=risk, notes=notes)
    kind = "folder" if args.format in FOLDER_FORMATS else "file(s)"
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


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export",
        help="labelled exports for statisticians (CSV, SPSS, Stata, Excel, R), each with a codebook",
        description="Write the study's ratings (every version, with a current flag), the wide layout, the "
        "consensus table, the per-patient table (RUSH, body composition, clinical variables, follow-up "
        "events) and a codebook. Folder formats (r, spss, stata) add a script that reproduces the study's "
        "ICC table; the R folder also the outcome analysis (outcomes.R) and, with --risk-event, the risk "
        "model (riskmodel.R).",
    )
    p.add_argument("study")
    p.add_argument("--format", required=True, choices=FORMATS, help="csv, csv-wide, sav, dta, xlsx, r, spss or stata")
    p.add_argument("--out", required=True, help="output file (csv, csv-wide, sav, dta, xlsx) or folder (r, spss, stata)")
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
