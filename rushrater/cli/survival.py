"""Survival-model subcommands of ``rushrater stats``: cox, tdroc, nomogram, calibrate, validate,
compare-risk. Each reads any CSV (one row per patient); ``--json`` prints full precision with
NaN as ``null``. Bad data (no events, negative times, a constant predictor, ...) exits 1 with
the reason; warnings (few events per predictor, dropped rows) go to stderr and into the JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from ..domain.errors import InputFileError, RowProblem, ValidationError
from ..stats import calibration, cox, nomogram, survival_validation, tdroc
from ..stats._surv import json_safe, parse_times




def _print_json(payload: dict[str, Any]) -> None:
    print(json.dumps(json_safe(payload), indent=2, allow_nan=False))


def _read(path_text: str, columns: list[str]) -> pd.DataFrame:
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise InputFileError(str(path), [RowProblem(1, "file not found")], fix="check the path of the CSV")
    try:
        data = pd.read_csv(path, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputFileError(str(path), [RowProblem(1, f"not a readable CSV: {exc}")]) from exc
    missing = [c for c in dict.fromkeys(columns) if c not in data.columns]
    if missing:
        raise InputFileError(str(path), [RowProblem(1, f"no column {', '.join(map(repr, missing))}; the header has "
                                                       f"{', '.join(map(repr, data.columns))}")])
    data.index = data.index + 2  # row labels in messages = the line numbers a spreadsheet shows
    return data


def _columns(text: str) -> list[str]:
    cols = [c.strip() for c in text.split(",") if c.strip()]
    if not cols:
        raise argparse.ArgumentTypeError("give column names separated by commas, e.g. age,sex")
    return cols


def _times(text: str) -> list[float]:
    try:
        return parse_times(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _run(args: argparse.Namespace, where: str, body: Any) -> Any:
    try:
        return body()
    except ValueError as exc:
        raise ValidationError(str(exc), where=where,
                              fix="see the message above; check the CSV and the column options") from exc


def _warn(warnings: list[str]) -> None:
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)


def _fmt(v: float, digits: int = 3) -> str:
    return "NA" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f"{v:.{digits}f}"


def _p(v: float) -> str:
    if not math.isfinite(v):
        return "NA"
    return "<0.001" if v < 0.001 else f"{v:.3f}"


def _save(fig: Any, out: str | None) -> None:
    if out:
        fig.savefig(out, dpi=300)
        print(f"figure written to {out}", file=sys.stderr)


# --- stats cox -----------------------------------------------------------------------------------


def _cmd_cox(args: argparse.Namespace) -> int:
    cols = [args.time, args.event, *args.predictors] + ([args.strata] if args.strata else [])
    data = _read(args.csv, cols)
    fit = _run(args, args.csv, lambda: cox.cox_fit(data, args.time, args.event, args.predictors, ties=args.ties,
                                                   strata=args.strata))
    if args.plot and fit.ph is not None:
        _save(cox.schoenfeld_figure(fit.ph), args.plot)
    _warn(fit.warnings)
    if args.json:
        _print_json(fit.to_json())
        return 0
    print(f"Cox model: n = {fit.n}, events = {fit.events}, ties = {fit.ties}"
          + (f", strata = {fit.strata}" if fit.strata else ""))
    print(f"{'term':16} {'coef':>9} {'HR':>8} {'95% CI':>17} {'SE':>8} {'z':>7} {'p':>7}")
    for t in fit.terms:
        print(f"{t.term:16} {_fmt(t.coef, 4):>9} {_fmt(t.hr):>8} {_fmt(t.ci_low):>8}–{_fmt(t.ci_high):<8} "
              f"{_fmt(t.se, 4):>8} {_fmt(t.z, 2):>7} {_p(t.p):>7}")
    print(f"Concordance (Harrell's C) = {_fmt(fit.concordance.concordance)} (SE {_fmt(fit.concordance.se)})")
    if fit.ph:
        print("Proportional hazards (cox.zph, KM transform):")
        for ph in fit.ph.table:
            print(f"  {ph.term:16} chisq {ph.chisq:7.3f}  p {_p(ph.p)}")
        print(f"  {'GLOBAL':16} chisq {fit.ph.global_chisq:7.3f}  p {_p(fit.ph.global_p)}")
    return 0


# --- stats tdroc ---------------------------------------------------------------------------------


def _cmd_tdroc(args: argparse.Namespace) -> int:
    data = _read(args.csv, [args.time, args.event, args.marker])
    res = _run(args, args.csv, lambda: tdroc.td_auc(data, args.time, args.event, args.marker, args.at))
    if args.plot:
        _save(tdroc.roc_figure(res), args.plot)
    _warn(res.warnings)
    if args.json:
        _print_json(res.to_json())
        return 0
    print(f"Time-dependent AUC of {args.marker} (IPCW, cumulative/dynamic): n = {res.n}, events = {res.events}")
    for a in res.times:
        print(f"  t = {a.t:g}: AUC {_fmt(a.auc)} (95% CI {_fmt(a.ci_low)}–{_fmt(a.ci_high)}), "
              f"{a.cases} cases, {a.controls} controls")
    return 0


# --- stats nomogram ------------------------------------------------------------------------------


def _cmd_nomogram(args: argparse.Namespace) -> int:
    data = _read(args.csv, [args.time, args.event, *args.predictors])
    fit = _run(args, args.csv, lambda: cox.cox_fit(data, args.time, args.event, args.predictors, ph_test=False))
    nom = _run(args, args.csv, lambda: nomogram.cox_nomogram(fit, data, args.at))
    if args.out:
        _save(nomogram.nomogram_figure(nom), args.out)
    _warn(fit.warnings)
    if args.json:
        _print_json(nom.to_json())
        return 0
    print(nom.points_table().to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    print()
    print(nom.total_points_table().to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


# --- stats calibrate -----------------------------------------------------------------------------


def _cmd_calibrate(args: argparse.Namespace) -> int:
    data = _read(args.csv, [args.time, args.event, *args.predictors])
    results = [_run(args, args.csv, lambda u=u: calibration.calibrate(
        data, args.time, args.event, args.predictors, u, m=args.group_size, B=args.bootstrap, seed=args.seed))
        for u in args.at]
    if args.plot:
        _save(calibration.calibration_figure(results), args.plot)
    _warn(results[0].warnings)
    if args.json:
        _print_json({"seed": args.seed, "times": [r.to_json() for r in results]})
        return 0
    for r in results:
        s = r.summary
        print(f"Calibration at t = {r.u:g} (B = {r.B}, seed {r.seed}): slope {_fmt(s['slope'])}, "
              f"calibration-in-the-large {_fmt(s['calibration_in_the_large'])}, ICI {_fmt(s['ici'])}, "
              f"E90 {_fmt(s['e90'])}")
        print(r.groups.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


# --- stats validate ------------------------------------------------------------------------------


def _cmd_validate(args: argparse.Namespace) -> int:
    data = _read(args.csv, [args.time, args.event, *args.predictors])
    out: dict[str, Any] = {}
    if args.train_where or args.validate_where:
        if not (args.train_where and args.validate_where):
            raise ValidationError("give both --train-where and --validate-where", where=args.csv)
        ext = _run(args, args.csv, lambda: survival_validation.external_validation(
            data, args.time, args.event, args.predictors, args.at, train_where=args.train_where,
            validate_where=args.validate_where))
        out["external"] = ext.to_json()
        _warn(ext.warnings)
    base = survival_validation.subset(data, args.train_where, "--train-where") if args.train_where else data
    opt = _run(args, args.csv, lambda: survival_validation.optimism_corrected_c(
        base, args.time, args.event, args.predictors, B=args.bootstrap, seed=args.seed))
    out["bootstrap"] = opt.to_json()
    if args.json:
        _print_json(out)
        return 0
    if "external" in out:
        e = out["external"]
        print(f"Trained on {e['train_n']} patients ({e['train_events']} events), validated on {e['validate_n']} "
              f"({e['validate_events']} events)")
        print(f"  C-index: training {_fmt(e['c_train'])}, validation {_fmt(e['c_validate'])} "
              f"(SE {_fmt(e['c_validate_se'])})")
        for a, c in zip(e["auc"], e["calibration"]):
            print(f"  t = {a['t']:g}: AUC {_fmt(a['auc'])} ({_fmt(a['ci_low'])}–{_fmt(a['ci_high'])}); "
                  f"calibration slope {_fmt(c['slope'])}, ICI {_fmt(c['ici'])}")
    print(f"Bootstrap (B = {opt.B}, seed {opt.seed}): apparent C {_fmt(opt.c_apparent)}, optimism "
          f"{_fmt(opt.optimism, 4)}, optimism-corrected C {_fmt(opt.c_corrected)}")
    return 0


# --- stats compare-risk --------------------------------------------------------------------------


def _cmd_compare(args: argparse.Namespace) -> int:
    data = _read(args.csv, [args.time, args.event, args.score_a, args.score_b])
    res = _run(args, args.csv, lambda: survival_validation.compare_risk_scores(
        data, args.time, args.event, args.score_a, args.score_b, args.at, B=args.bootstrap, seed=args.seed))
    _warn(res.warnings)
    if args.json:
        _print_json(res.to_json())
        return 0
    print(f"{res.score_a} vs {res.score_b} on {res.n} patients (paired bootstrap B = {res.B}, seed {res.seed})")
    print(f"  C-index {_fmt(res.c_a)} vs {_fmt(res.c_b)}: difference {_fmt(res.c_diff)} "
          f"(95% CI {_fmt(res.c_diff_ci[0])}–{_fmt(res.c_diff_ci[1])})")
    for a in res.auc:
        print(f"  t = {a['t']:g}: AUC {_fmt(a['auc_a'])} vs {_fmt(a['auc_b'])}: difference {_fmt(a['diff'])} "
              f"(95% CI {_fmt(a['ci_low'])}–{_fmt(a['ci_high'])})")
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("csv", metavar="CSV", help="one row per patient")
    p.add_argument("--time", required=True, metavar="COL", help="follow-up time (event or censoring)")
    p.add_argument("--event", required=True, metavar="COL", help="1 = event, 0 = censored")
    p.add_argument("--json", action="store_true", help="full-precision JSON (NaN as null)")


def _seeded(p: argparse.ArgumentParser, b: int) -> None:
    p.add_argument("--bootstrap", type=int, default=b, metavar="B", help=f"bootstrap samples (default {b})")
    p.add_argument("--seed", type=int, default=survival_validation.DEFAULT_SEED,
                   help="seed of the bootstrap (recorded in the output)")


def register(stats_sub: Any) -> None:
    p = stats_sub.add_parser("cox", help="Cox regression: HR (95%% CI), C-index, proportional-hazards test")
    _common(p)
    p.add_argument("--predictors", required=True, type=_columns, metavar="A,B,...")
    p.add_argument("--ties", choices=cox.TIES, default="efron", help="tied event times (default efron, as R)")
    p.add_argument("--strata", metavar="COL", help="stratify the baseline hazard by this column")
    p.add_argument("--plot", metavar="FILE", help="write the scaled Schoenfeld residual plots (.svg/.png/.pdf)")
    p.set_defaults(func=_cmd_cox)

    p = stats_sub.add_parser("tdroc", help="time-dependent ROC/AUC (IPCW) of a marker at chosen times")
    _common(p)
    p.add_argument("--marker", required=True, metavar="COL", help="risk score: higher = higher risk")
    p.add_argument("--at", required=True, type=_times, metavar="T1,T2,...", help="times, e.g. 1,3,6")
    p.add_argument("--plot", metavar="FILE", help="write the ROC curves (.svg/.png/.pdf)")
    p.set_defaults(func=_cmd_tdroc)

    p = stats_sub.add_parser("nomogram", help="nomogram of a Cox model: points table and figure")
    _common(p)
    p.add_argument("--predictors", required=True, type=_columns, metavar="A,B,...")
    p.add_argument("--at", required=True, type=_times, metavar="T1,T2,...", help="survival times on the scale")
    p.add_argument("--out", metavar="FILE", help="write the nomogram figure (.svg/.png/.pdf)")
    p.set_defaults(func=_cmd_nomogram)

    p = stats_sub.add_parser("calibrate", help="calibration at chosen times: KM by risk group, bootstrap-corrected")
    _common(p)
    p.add_argument("--predictors", required=True, type=_columns, metavar="A,B,...")
    p.add_argument("--at", required=True, type=_times, metavar="T1,T2,...")
    p.add_argument("--group-size", type=int, default=150, metavar="M", help="patients per risk group (default 150)")
    p.add_argument("--plot", metavar="FILE", help="write the calibration plots (.svg/.png/.pdf)")
    _seeded(p, 200)
    p.set_defaults(func=_cmd_calibrate)

    p = stats_sub.add_parser("validate", help="external validation (--train-where/--validate-where) and "
                                              "bootstrap optimism-corrected C")
    _common(p)
    p.add_argument("--predictors", required=True, type=_columns, metavar="A,B,...")
    p.add_argument("--at", type=_times, default=[1.0], metavar="T1,T2,...", help="times for AUC and calibration")
    p.add_argument("--train-where", metavar="CONDITION", help='rows to fit on, e.g. "institution == 1"')
    p.add_argument("--validate-where", metavar="CONDITION", help='rows to validate on, e.g. "institution == 2"')
    _seeded(p, 200)
    p.set_defaults(func=_cmd_validate)

    p = stats_sub.add_parser("compare-risk", help="compare two risk scores on the same patients (C, AUC(t))")
    _common(p)
    p.add_argument("--score-a", required=True, metavar="COL")
    p.add_argument("--score-b", required=True, metavar="COL")
    p.add_argument("--at", required=True, type=_times, metavar="T1,T2,...")
    _seeded(p, 1000)
    p.set_defaults(func=_cmd_compare)
