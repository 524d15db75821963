"""``rushrater riskmodel STUDY --event TYPE --predictors …``: a Cox risk model of a study's follow-up events."""

from __future__ import annotations

import json
import sys

from ..domain.errors import ValidationError
from ..services import riskmodel
from ..services.followup import UNIT_DAYS
from ..services.study import open_study
from .format import bounded_setting
from ..stats.survival_validation import DEFAULT_SEED


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _times(text: str) -> list[float]:
    try:
        return [float(part) for part in _list(text)]
    except ValueError:
        raise ValidationError(f"--at {text!r} is not a list of times", fix="e.g. --at 1,3,6") from None


def _cmd_riskmodel(args) -> int:
    from ..services.riskmodel_report import auc_rows, calibration_rows, ph_rows, term_rows, TERM_HEADER

    with open_study(args.study) as study:
        source = riskmodel.riskmodel_data(study, args.event, _list(args.predictors), unit=args.unit,
                                          timepoint=args.timepoint, cutoff=args.cutoff)
        model = riskmodel.run_riskmodel(source=source, times=_times(args.at), unit=args.unit,
                                        train_where=args.train_where, validate_where=args.validate_where,
                                        B=args.bootstrap, seed=args.seed, m=args.group_size)
        path = None
        if args.out:
            from ..services.riskmodel_report import write_riskmodel_report

            path = write_riskmodel_report(study, args.out, model, force=args.force)
    if args.r_script:
        from ..services.riskmodel_r import write_riskmodel_r

        script = write_riskmodel_r(model, args.r_script)
        print(f"Wrote the R script reproducing the model: {script} (run it there: Rscript riskmodel.R)",
              file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(model.to_json(), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        for warning in model.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        fit, s = model.fit, model.source
        print(f"Cox model of {s.event} ({s.unit} from surgery): n = {fit.n}, events = {fit.events}, "
              f"{model.events_per_predictor:.1f} events per predictor"
              + (f" (training: {model.train_where})" if model.train_where else ""))

        def show(header, rows):
            widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
            for row in (header, *rows):
                print("  " + "  ".join(str(x).rjust(w) if i else str(x).ljust(w) for i, (x, w) in enumerate(zip(row, widths))))

        show(TERM_HEADER, term_rows(model))
        c, o = fit.concordance, model.optimism
        print(f"Harrell's C = {c.concordance:.3f} (SE {c.se:.3f}); optimism-corrected {o.c_corrected:.3f} "
              f"(bootstrap B = {o.B_used}, seed {o.seed})")
        if ph_rows(model):
            print("Proportional hazards (cox.zph):")
            show(["term", "chisq", "df", "p"], ph_rows(model))
        print("Time-dependent AUC:")
        show(["t", "AUC", "95% CI", "cases", "controls", "censored before"], auc_rows(model))
        if model.calibrations:
            print("Calibration:")
            show(["t", "slope", "CITL", "ICI", "E90", "groups"], calibration_rows(model))
        v = model.validation
        if v is not None:
            print(f"Validation ({model.validate_where}): n = {v.validate_n}, events = {v.validate_events}, "
                  f"C = {v.c_validate:.3f} (SE {v.c_validate_se:.3f})")
            for a in v.auc:
                print(f"  AUC({a['t']:g}) = {a['auc']:.3f} ({a['ci_low']:.3f}–{a['ci_high']:.3f})")
    if path is not None:
        print(f"Wrote the risk-model report: {path}", file=sys.stderr if args.json else sys.stdout)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "riskmodel", help="Cox risk model of follow-up events on the per-patient analysis table (TRIPOD-style)",
        description="Joins the outcome analysis table (RUSH per time point, delta_rush, slow_healing, body-composition "
        "indices, clinical variables) with one event type's time and status, fits coxph (Efron), and reports the "
        "terms, events per predictor, Harrell's C (and bootstrap optimism-corrected C), time-dependent AUC, "
        "calibration and, with --train-where/--validate-where, external validation.",
    )
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--event", required=True, metavar="TYPE", help="event type of the follow-up records, e.g. poor_rehabilitation")
    p.add_argument("--predictors", required=True, metavar="A,B,…", help="columns of the analysis table")
    p.add_argument("--at", default="1,3,6", metavar="T1,T2,…", help="times for AUC, calibration, nomogram (default 1,3,6)")
    p.add_argument("--unit", choices=tuple(UNIT_DAYS), default="months", help="time unit (default months)")
    p.add_argument("--train-where", metavar="CONDITION", help='rows to fit on, e.g. "institution == 1"')
    p.add_argument("--validate-where", metavar="CONDITION", help='rows to validate on, e.g. "institution == 2"')
    p.add_argument("--timepoint", metavar="T", help="time point of the healing group (default: the last)")
    p.add_argument("--cutoff", type=bounded_setting("slow_healing_cutoff"), metavar="RUSH", help="slow healing below this RUSH total (default the study's)")
    p.add_argument("--bootstrap", type=int, default=200, metavar="B", help="bootstrap resamples (default 200)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"bootstrap seed (recorded; default {DEFAULT_SEED})")
    p.add_argument("--group-size", type=int, metavar="M",
                   help="patients per calibration group (rms m; default a fifth of the patients, at least 10)")
    p.add_argument("--json", action="store_true", help="print the whole model as one JSON object")
    p.add_argument("--out", metavar="report.pdf|report.html", help="also write the section with its figures")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.add_argument("--r-script", metavar="FOLDER",
                   help="also write riskmodel.R and its data there (survival, rms, riskRegression)")
    p.set_defaults(func=_cmd_riskmodel)
