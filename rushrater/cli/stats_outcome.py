"""``rushrater stats compare|match|logistic|correlate|roc CSV …``: the outcome statistics of
issue 14 on any per-patient CSV, as a readable table or, with ``--json``, one object."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import pandas as pd

# rushrater.stats exports the functions roc() and logistic() under their modules' names, so the
# modules are imported by their full path.
from ..stats import baseline, correlation, matching
from ..stats.logistic import INTERCEPT, LogisticResult
from ..stats.logistic import logistic as logistic_model
from ..stats.logistic import univariable as univariable_models
from ..stats.roc import roc as roc_analysis
from .format import table


def _num(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def _p(value: Any) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _notes(warnings: list[str]) -> None:
    for warning in warnings:
        print(f"note: {warning}")


def _cmd_compare(args: argparse.Namespace) -> int:
    from .stats import print_json, read_table, run_statistic

    data = read_table(args.csv)
    kinds = {name: "categorical" for name in args.categorical or []}
    res = run_statistic(args.csv, lambda: baseline.compare(data, args.group, args.vars, kinds=kinds))
    if args.json:
        print_json(res.to_dict())
        return 0
    a, b = (str(level) for level in res.levels)
    rows = []
    for row in res.rows:
        if row["kind"] == "continuous":
            ga, gb = row["groups"][res.levels[0]], row["groups"][res.levels[1]]
            if row["test"] == "student_t":
                cells = [f"{_num(g['mean'], 2)} ± {_num(g['sd'], 2)}" for g in (ga, gb)]
            else:
                cells = [f"{_num(g['median'], 2)} ({_num(g['q1'], 2)}–{_num(g['q3'], 2)})" for g in (ga, gb)]
            rows.append([row["variable"], f"{ga['n']}/{gb['n']}", *cells, row["test"], _p(row["p"]), _num(row["smd"])])
        else:
            rows.append([row["variable"], "", "", "", row["test"] or "n/a", _p(row["p"]), _num(row["smd"])])
            for level in row["levels"]:
                cells = [f"{g['levels'][level]['n']} ({_num(g['levels'][level]['percent'], 1)}%)"
                         for g in (row["groups"][res.levels[0]], row["groups"][res.levels[1]])]
                rows.append([f"  {level}", "", *cells, "", "", ""])
    print(table(["variable", "n", f"{args.group}={a}", f"{args.group}={b}", "test", "p", "SMD"], rows,
                "llrrlrr"))
    print("mean ± SD when both groups pass Shapiro-Wilk (Student's t), else median (IQR, SPSS quartiles) "
          "and Mann-Whitney; n (%) with chi-square, or Fisher when an expected count is < 5")
    _notes(res.warnings)
    return 0


def _cmd_match(args: argparse.Namespace) -> int:
    from .stats import print_json, read_table, run_statistic

    data = read_table(args.csv)
    caliper = matching.DEFAULT_CALIPER[args.caliper_scale] if args.caliper is None else args.caliper
    res = run_statistic(args.csv, lambda: matching.match(
        data, args.treatment, args.covariates, caliper=None if caliper == "none" else caliper,
        caliper_scale=args.caliper_scale, order=args.order, ratio=args.ratio, seed=args.seed, id_column=args.id))
    if args.out:
        _write_matched(data, res, args.id, Path(args.out))
    if args.json:
        print_json(res.to_dict())
        return 0
    width = "none" if res.caliper is None else f"{res.caliper:.4g} ({res.caliper_scale})"
    print(f"{res.n_treated} treated, {res.n_control} controls; {res.n_pairs} matched pair(s) "
          f"(1:{res.ratio}, order {res.order}, caliper {width})")
    print(table(["variable", "SMD before", "SMD after"],
                [[b["variable"], _num(b["smd_before"]), _num(b["smd_after"])] for b in res.balance.to_dict("records")],
                "lrr"))
    if args.out:
        print(f"Matched sample written to {args.out}")
    _notes(res.warnings)
    return 0


def _write_matched(data: pd.DataFrame, res: matching.MatchResult, id_column: str | None, out: Path) -> None:
    """The matched rows with their propensity score and pair number (MatchIt's subclass)."""
    ids = data[id_column] if id_column else pd.Series(data.index, index=data.index)
    pair_of: dict[Any, int] = {}
    for number, treated in enumerate(dict.fromkeys(t for t, _ in res.pairs), start=1):
        pair_of[treated] = number
    for treated, control in res.pairs:
        pair_of[control] = pair_of[treated]
    matched = data[ids.isin(list(pair_of))].copy()
    matched["propensity"] = res.propensity.reindex(matched.index)
    matched["pair"] = ids[matched.index].map(pair_of)
    matched.sort_values("pair", kind="stable").to_csv(out, index=False)


def _logistic_rows(res: LogisticResult, label: str | None = None) -> list[list[str]]:
    rows = []
    for term in res.terms.to_dict("records"):
        if term["term"] == INTERCEPT:
            continue
        rows.append([label or term["term"], term["term"] if label else "", _num(term["or"]),
                     f"{_num(term['ci_low'])}–{_num(term['ci_high'])}",
                     f"{_num(term['profile_ci_low'])}–{_num(term['profile_ci_high'])}", _p(term["p"])])
    return rows


def _cmd_logistic(args: argparse.Namespace) -> int:
    from .stats import print_json, read_table, run_statistic

    data = read_table(args.csv)
    if args.univariable:
        models = run_statistic(args.csv, lambda: univariable_models(data, args.outcome, args.predictors))
        if args.json:
            print_json({"outcome": args.outcome, "univariable": [m.to_dict() for m in models]})
            return 0
        rows = [row for m in models for row in _logistic_rows(m)]
        print(table(["term", "", "OR", "95% CI (Wald)", "95% CI (profile)", "p"], rows, "llrrrr"))
        for m in models:
            print(f"{', '.join(m.predictors)}: n {m.n}, events {m.events}, Nagelkerke R² {_num(m.nagelkerke_r2)}")
            _notes(m.warnings)
        return 0
    res = run_statistic(args.csv, lambda: logistic_model(data, args.outcome, args.predictors))
    if args.json:
        print_json(res.to_dict())
        return 0
    print(f"n {res.n}, events {res.events} ({args.outcome} = {res.outcome.event!r})")
    print(table(["term", "", "OR", "95% CI (Wald)", "95% CI (profile)", "p"], _logistic_rows(res), "llrrrr"))
    hl = res.hosmer_lemeshow
    print(f"Nagelkerke R² {_num(res.nagelkerke_r2)}; Hosmer-Lemeshow χ² {_num(hl['chi2'])} "
          f"(df {_num(hl['df'], 0)}), p {_p(hl['p'])}")
    _notes(res.warnings)
    return 0


def _cmd_correlate(args: argparse.Namespace) -> int:
    from .stats import print_json, read_table, run_statistic

    data = read_table(args.csv)
    res = run_statistic(args.csv, lambda: correlation.correlate(data, args.x, args.y, method=args.method))
    if args.json:
        print_json(res.to_dict())
        return 0
    print(table(["x", "y", "method", "r", "95% CI", "p", "n"],
                [[r["x"], r["y"], r["method"], _num(r["r"]), f"{_num(r['ci_low'])}–{_num(r['ci_high'])}",
                  _p(r["p"]), r["n"]] for r in res.rows.to_dict("records")], "lllrrrr"))
    _notes(res.warnings)
    return 0


def _cmd_roc(args: argparse.Namespace) -> int:
    from .stats import print_json, read_table, run_statistic

    data = read_table(args.csv)
    res = run_statistic(args.csv, lambda: roc_analysis(data, args.outcome, args.markers))
    if args.json:
        print_json(res.to_dict())
        return 0
    print(table(["marker", "dir", "AUC", "95% CI (DeLong)", "cut-off", "sens", "spec", "PPV", "NPV", "TP/FP/TN/FN"],
                [[r["marker"], r["direction"], _num(r["auc"]), f"{_num(r['ci_low'])}–{_num(r['ci_high'])}",
                  _num(r["threshold"], 4), _num(r["sensitivity"]), _num(r["specificity"]), _num(r["ppv"]),
                  _num(r["npv"]), f"{r['tp']}/{r['fp']}/{r['tn']}/{r['fn']}"]
                 for r in res.markers.to_dict("records")], "llrrrrrrrr"))
    if len(res.comparisons):
        print(table(["a", "b", "n", "z", "p (DeLong, paired)"],
                    [[c["a"], c["b"], c["n"], _num(c["z"]), _p(c["p"])] for c in res.comparisons.to_dict("records")],
                    "llrrr"))
    print("direction as pROC 'auto': '<' cases higher, '>' cases lower; cut-off maximises Youden's J")
    _notes(res.warnings)
    return 0


def _caliper(text: str) -> float | str:
    if text.lower() == "none":
        return "none"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; give e.g. 0.05, or none") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("the caliper must be positive (or none for no caliper)")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("give 1 or more")
    return value


def register(stats_sub: Any) -> None:
    from .stats import column_list

    p = stats_sub.add_parser("compare", help="baseline table: two groups compared on each variable")
    p.add_argument("csv", metavar="CSV")
    p.add_argument("--group", required=True, metavar="COL", help="column with the two groups")
    p.add_argument("--vars", required=True, type=column_list, metavar="A,B,…", help="variables to compare")
    p.add_argument("--categorical", type=column_list, metavar="A,B,…",
                   help="treat these numeric columns as categorical (e.g. ASA coded 1-4)")
    p.add_argument("--json", action="store_true", help="one JSON object at full precision")
    p.set_defaults(func=_cmd_compare)

    p = stats_sub.add_parser("match", help="propensity-score matching (greedy nearest neighbour, as MatchIt)")
    p.add_argument("csv", metavar="CSV")
    p.add_argument("--treatment", required=True, metavar="COL", help="binary column; 1 (or the second value) is treated")
    p.add_argument("--covariates", required=True, type=column_list, metavar="A,B,…")
    p.add_argument("--caliper", type=_caliper, metavar="WIDTH",
                   help="caliper width, or none (default 0.05 on the ps scale, 0.2 on logit-sd)")
    p.add_argument("--caliper-scale", choices=matching.CALIPER_SCALES, default="ps",
                   help="ps: width in propensity-score units; logit-sd: match on the logit, width in its SDs")
    p.add_argument("--order", choices=matching.ORDERS, default="largest", help="MatchIt's m.order (default largest)")
    p.add_argument("--seed", type=int, help="seed of --order random")
    p.add_argument("--ratio", type=_positive_int, default=1, help="controls per treated unit (default 1)")
    p.add_argument("--id", metavar="COL", help="column naming the patients in the pairs (default: row number from 0)")
    p.add_argument("--out", metavar="CSV", help="write the matched rows with propensity and pair number")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_match)

    p = stats_sub.add_parser("logistic", help="logistic regression: odds ratios with Wald and profile CIs")
    p.add_argument("csv", metavar="CSV")
    p.add_argument("--outcome", required=True, metavar="COL")
    p.add_argument("--predictors", required=True, type=column_list, metavar="A,B,…")
    p.add_argument("--univariable", action="store_true", help="one model per predictor instead of one joint model")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_logistic)

    p = stats_sub.add_parser("correlate", help="correlation of one column with others, with 95% CI")
    p.add_argument("csv", metavar="CSV")
    p.add_argument("--x", required=True, metavar="COL")
    p.add_argument("--y", required=True, type=column_list, metavar="A,B,…")
    p.add_argument("--method", choices=correlation.METHODS, default="spearman")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_correlate)

    p = stats_sub.add_parser("roc", help="ROC: AUC with DeLong CI, Youden cut-off, pairwise DeLong tests")
    p.add_argument("csv", metavar="CSV")
    p.add_argument("--outcome", required=True, metavar="COL")
    p.add_argument("--markers", required=True, type=column_list, metavar="A,B,…")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_roc)
