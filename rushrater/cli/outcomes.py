"""``rushrater outcomes STUDY``: the study's outcome analysis (the paper's Tables 1–3) per stratum."""

from __future__ import annotations

import json
from pathlib import Path

from ..domain.errors import ValidationError
from ..services import outcomes
from ..services.study import open_study
from .format import bounded_setting, number_between


def _list(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def _cmd_outcomes(args) -> int:
    delta = _list(args.delta)
    if delta is not None and len(delta) != 2:
        raise ValidationError("--delta takes two time points", fix="e.g. --delta day1,month1")
    with open_study(args.study) as study:
        table = outcomes.analysis_table(study, timepoint=args.timepoint, cutoff=args.cutoff,
                                        delta=(delta[0], delta[1]) if delta else None)
        report = outcomes.run_outcomes(study, table=table, by=args.by, covariates=_list(args.covariates),
                                       caliper=None if args.caliper == 0 else args.caliper,
                                       profile="mass" if args.profile_ci else None)
        if args.out:
            from ..services.outcome_report import write_outcome_report

            path = write_outcome_report(study, args.out, force=args.force, report=report)
        if args.r_script:
            from ..services.export import check_output
            from ..services.outcome_r import write_outcome_r

            check_output(Path(args.r_script), args.force, what="folder")
            r_files = write_outcome_r(report, args.r_script)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        _print(report)
    if args.out:
        print(f"Wrote the outcome report: {path}")
    if args.r_script:
        print("Wrote the R reproduction (Rscript outcomes.R FOLDER writes outcomes-r.csv): "
              + ", ".join(str(p) for p in r_files))
    return 0


def _print(report: outcomes.OutcomeReport) -> None:
    import pandas as pd

    t = report.table
    print(f"Slow healing: RUSH below {t.cutoff:g} at {t.timepoint}"
          + (f"; ΔRUSH = {t.delta[1]} − {t.delta[0]}" if t.delta else ""))
    with pd.option_context("display.width", 200, "display.max_columns", 30, "display.max_colwidth", 40):
        for stratum in report.strata:
            print(f"\n=== {stratum.name}: n = {stratum.n} ({stratum.n_slow} slow, {stratum.n_normal} normal healing)")
            tables = outcomes.paper_tables(stratum, t, report.value_labels)
            for key, title in (("table1", "Table 1. Baseline by healing group (before / after matching)"),
                               ("table2", "Table 2. Indices by healing group and odds ratios of slow healing"),
                               ("table3", "Table 3. Spearman r with ΔRUSH; ROC for slow healing")):
                print(f"\n{title}")
                print(tables[key].to_string(index=False) if not tables[key].empty else "  (not computed)")
            for note in stratum.notes:
                print(f"  note: {note}")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "outcomes", help="the outcome analysis: RUSH healing groups vs body composition (Tables 1-3)",
        description="Per stratum: baseline table by healing group before and after propensity-score matching, "
        "index comparisons, univariable and adjusted logistic ORs, Spearman of ΔRUSH with each index, ROC with "
        "Youden cut-off, PPV and NPV.",
    )
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--timepoint", metavar="T", help="time point of the healing group (default: the last)")
    p.add_argument("--cutoff", type=bounded_setting("slow_healing_cutoff"), metavar="RUSH", help="slow healing below this RUSH total (default: the study's, 18)")
    p.add_argument("--delta", metavar="A,B", help="ΔRUSH from A to B (default: first to last time point)")
    p.add_argument("--by", metavar="VARIABLE", help="analyse per level of a clinical variable, e.g. institution")
    p.add_argument("--covariates", metavar="A,B,…", help="matching and adjustment covariates (default: every clinical variable)")
    p.add_argument("--caliper", type=number_between(0, 1, "the caliper"), default=0.05, help="caliper on the propensity-score scale (0: none; default 0.05)")
    p.add_argument("--profile-ci", action="store_true", help="add profile-likelihood CIs of the ORs (R confint; slower)")
    p.add_argument("--json", action="store_true", help="print the whole analysis as one JSON object")
    p.add_argument("--out", metavar="report.pdf|report.html", help="also write the tables and figures as a document")
    p.add_argument("--r-script", metavar="FOLDER", help="write patients.csv and outcomes.R (MatchIt, glm, pROC) "
                   "that reproduce every number")
    p.add_argument("--force", action="store_true", help="replace an existing --out file or --r-script folder")
    p.set_defaults(func=_cmd_outcomes)
