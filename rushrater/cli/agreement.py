"""Agreement commands: ``icc`` (any long-format CSV), ``agreement STUDY`` and ``consensus STUDY``.

``icc`` needs no study: it is a calculator for any CSV with one rating per row. Numbers in
``--json`` output are at full precision (NaN as ``null``); the readable tables show 3 decimals, as
published reliability tables do.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import stats
from ..domain.errors import InputFileError, RowProblem, ValidationError
from ..services.agreement import ALL, POOLED, TOTAL, AgreementReport, agreement_report, records
from ..services.consensus import automatic_consensus, discordant_cases, save_automatic_consensus, thresholds
from ..services.study import open_study
from .format import table

RESULT_KEYS = ("form", "model", "type", "unit", "icc", "ci_low", "ci_high", "f", "df1", "df2", "p")


def _confidence(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; give e.g. 0.95") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1; give e.g. 0.95 for 95% intervals")
    return value


def _number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _results(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _number(v) for k, v in row.items() if k in RESULT_KEYS} for row in records(frame)]


# --- rushrater icc ---------------------------------------------------------------------------------


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise InputFileError(str(path), [RowProblem(1, "file not found")], fix="check the path of the CSV")
    try:
        data = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputFileError(str(path), [RowProblem(1, f"not a readable CSV: {exc}")]) from exc
    missing = [c for c in dict.fromkeys(columns) if c not in data.columns]
    if missing:
        raise InputFileError(
            str(path),
            [RowProblem(1, f"no column {', '.join(map(repr, missing))}; the header has {', '.join(map(repr, data.columns))}")],
            fix="name existing columns with --target, --rater and --score",
        )
    return data


def _scores(data: pd.DataFrame, path: Path, target: str, rater: str, score: str, group: str | None) -> pd.DataFrame:
    """Empty score cells become missing; anything else must be a number (rows named as in a spreadsheet)."""
    problems = []
    for column in dict.fromkeys(c for c in (target, rater, group) if c):
        for index in data.index[data[column].str.strip() == ""]:
            problems.append(RowProblem(int(index) + 2, f"{column} is empty"))
    text = data[score].str.strip()
    numbers = pd.to_numeric(text.where(text != "", None), errors="coerce").astype(float)
    for index in data.index[(text != "") & ~np.isfinite(numbers)]:
        problems.append(RowProblem(int(index) + 2, f"{score} {data.at[index, score]!r} is not a number"))
    if problems:
        raise InputFileError(str(path), sorted(problems, key=lambda p: p.line),
                             fix="scores must be numbers (leave a cell empty for a missing rating)")
    out = data.copy()
    out[score] = numbers.astype(float)
    return out


def _duplicates(data: pd.DataFrame, path: Path, target: str, rater: str, policy: str) -> None:
    keys = data[[target, rater]]
    repeated = keys.duplicated(keep=False)
    if repeated.any() and policy == "error":
        lines = [RowProblem(int(i) + 2, f"{target} {data.at[i, target]!r} rated again by {rater} {data.at[i, rater]!r}")
                 for i in data.index[repeated]]
        raise InputFileError(
            str(path), lines,
            fix="keep one rating per target and rater (re-reads belong in a test-retest analysis), or pass "
                "--duplicates mean to average them",
        )


def icc_summary(data: pd.DataFrame, target: str, rater: str, score: str, confidence: float,
                duplicates: str) -> tuple[dict[str, Any], list[str]]:
    """The ``icc`` JSON object for one set of ratings, and notes for the reader."""
    res = stats.icc(data, target, rater, score, confidence, duplicates="mean" if duplicates == "mean" else "raise")
    out: dict[str, Any] = {
        "n_targets": res.n_targets,
        "n_raters": res.n_raters,
        "n_ratings": res.n_ratings,
        "excluded_targets": res.n_excluded_targets,
        "results": _results(res.table),
    }
    if res.n_excluded_targets and res.all_available is not None:
        out["all_available"] = {
            "n_targets": res.n_targets_all_available,
            "n_raters": res.n_raters_all_available,
            "n_ratings": res.n_ratings_all_available,
            "results": _results(res.all_available),
        }
    return out, list(res.notes)


def _undefined() -> dict[str, Any]:
    """A group whose ICC cannot be computed: the same shape, every number null."""
    rows = [dict(zip(RESULT_KEYS, (f, m, t, u) + (None,) * 7))
            for f, m, t, u in zip(stats.FORMS, *_form_labels())]
    return {"n_targets": 0, "n_raters": 0, "n_ratings": 0, "excluded_targets": 0, "results": rows}


def _form_labels() -> tuple[list, list, list]:
    frame = stats.icc_from_variance_components(1.0, 0.0, 1.0, 2, 2)
    return list(frame["model"]), list(frame["type"]), list(frame["unit"])


def _cmd_icc(args) -> int:
    path = Path(args.csv).expanduser()
    columns = [args.target, args.rater, args.score] + ([args.group] if args.group else [])
    data = _scores(_read_csv(path, columns), path, args.target, args.rater, args.score, args.group)
    _duplicates(data, path, args.target, args.rater, args.duplicates)
    notes: list[str] = []
    try:
        result, overall_notes = icc_summary(data, args.target, args.rater, args.score, args.confidence, args.duplicates)
    except ValueError as exc:
        raise ValidationError(str(exc), where=str(path)) from exc
    notes += overall_notes
    if args.group:
        result["groups"] = {}
        for name, subset in data.groupby(args.group, sort=True):
            try:
                group_result, group_notes = icc_summary(
                    subset, args.target, args.rater, args.score, args.confidence, args.duplicates
                )
            except ValueError as exc:
                group_result, group_notes = _undefined(), [f"ICC undefined (null): {exc}"]
            result["groups"][str(name)] = group_result
            notes += [f"{args.group} {name}: {n}" for n in group_notes]
    if args.json:
        print(json.dumps(result, indent=2, allow_nan=False))
        for note in notes:
            print(f"note: {note}", file=sys.stderr)
        return 0
    _print_icc(result, args.confidence, title="all ratings" if args.group else None)
    for name, group_result in result.get("groups", {}).items():
        print()
        _print_icc(group_result, args.confidence, title=f"{args.group} = {name}")
    if notes:
        print()
        for note in notes:
            print(f"note: {note}")
    return 0


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "NaN"
    return f"{value:.{digits}f}"


def _print_icc(result: dict[str, Any], confidence: float, title: str | None = None) -> None:
    if title:
        print(f"== {title}")
    print(
        f"{result['n_targets']} targets x {result['n_raters']} raters ({result['n_ratings']} ratings); "
        f"{result['excluded_targets']} target(s) excluded (not rated by every rater)"
    )
    level = f"{confidence * 100:g}% CI"
    rows = [
        (r["form"], f"{r['model']}, {r['type']}, {r['unit']}", _fmt(r["icc"]),
         f"{_fmt(r['ci_low'])} to {_fmt(r['ci_high'])}", _fmt(r["f"], 2),
         f"{_fmt(r['df1'], 0)}, {_fmt(r['df2'], 1)}", "NaN" if r["p"] is None else f"{r['p']:.3g}")
        for r in result["results"]
    ]
    print(table(("Form", "Model", "ICC", level, "F", "df", "p"), rows, "llrrrrr"))
    if "all_available" in result:
        avail = result["all_available"]
        print(f"\nAll available data (REML variance components, as R psych::ICC with lme4): "
              f"{avail['n_targets']} targets, {avail['n_ratings']} ratings")
        rows = [(r["form"], _fmt(r["icc"]), f"{_fmt(r['ci_low'])} to {_fmt(r['ci_high'])}") for r in avail["results"]]
        print(table(("Form", "ICC", level), rows, "lrr"))


# --- rushrater agreement ---------------------------------------------------------------------------


def _cell(row: pd.Series | None) -> str:
    if row is None or pd.isna(row["icc"]):
        return "n/a"
    text = f"{row['icc']:.3f} ({row['ci_low']:.3f}–{row['ci_high']:.3f})"
    available = row.get("icc_all_available") if hasattr(row, "get") else None
    if available is not None and pd.notna(available):  # cases were dropped: all-available beside it
        text += f" | all data {available:.3f}"
    return text


def print_agreement(report: AgreementReport, form: str, scores: list[str]) -> None:
    counts = report.counts
    level = f"{report.confidence * 100:g}%"
    print(f"Study: {report.title}")
    print(
        f"{counts['first_reads']} first reads of {counts['cases_rated']} cases by {counts['raters_with_ratings']} raters; "
        f"re-reads: {counts['rereads']}; unreadable (left out): {counts['unreadable']}"
    )
    if report.icc.empty:
        print("No scored first reads yet: nothing to analyse.")
        return
    print(f"\n{form} with {level} CI, by time point and rater group (complete cases; re-reads excluded; "
          f"'all data' = all-available REML estimate where cases were dropped)"
          + ("; raters who have finished only" if report.raters == "finished" else ""))
    icc = report.icc[report.icc["form"] == form].set_index(["timepoint", "group", "score"])
    between = report.between_groups[report.between_groups["form"] == form]
    groups = [ALL] + [g for g in report.ratings.groups if (report.icc["group"] == g).any()]
    comparison = between["comparison"].iloc[0] if not between.empty else None
    between = between.set_index(["timepoint", "score"])
    for timepoint in report.ratings.timepoints:
        if timepoint not in icc.index.get_level_values(0):
            continue
        headers = ["Score"] + ["All raters" if g == ALL else g for g in groups]
        if comparison:
            headers.append(comparison)
        rows = []
        for score in scores:
            row = [score]
            for g in groups:
                row.append(_cell(icc.loc[(timepoint, g, score)] if (timepoint, g, score) in icc.index else None))
            if comparison:
                row.append(_cell(between.loc[(timepoint, score)] if (timepoint, score) in between.index else None))
            rows.append(row)
        sizes = []
        for g in groups:
            if (timepoint, g, TOTAL) in icc.index:
                cell = icc.loc[(timepoint, g, TOTAL)]
                sizes.append(f"{'all raters' if g == ALL else g} {int(cell['n_raters'])} raters x {int(cell['n_targets'])} cases"
                             + (f" ({int(cell['excluded_targets'])} excluded)" if cell["excluded_targets"] else ""))
        print(f"\n{timepoint}: " + "; ".join(sizes))
        print(table(headers, rows, "l" + "r" * (len(headers) - 1)))
    if not report.healing.empty:
        print(f"\nHealing status (total < {report.cutoff:g}): agreement across raters")
        rows = [(r.timepoint, "All raters" if r.group == ALL else r.group, f"{r.percent_agreement:.1f}%",
                 r.n_targets, _fmt(r.fleiss_kappa), r.n_targets_kappa) for r in report.healing.itertuples()]
        print(table(("Time point", "Raters", "Agreement", "Cases", "Fleiss' kappa", "Cases (kappa)"), rows,
                    "llrrrr"))
    retest = report.test_retest
    if not retest.empty:
        sel = retest[(retest["form"] == form) & (retest["score"] == TOTAL)]
        print(f"\nTest-retest (read 1 vs read 2), total, {form} with {level} CI")
        rows = [("Pooled" if r["rater"] == POOLED else r["rater"], _cell(r), int(r["n_targets"]),
                 int(r["early_rereads"])) for _, r in sel.iterrows()]
        print(table(("Rater", "ICC", "Cases", "Before washout"), rows, "lrrr"))
    for note in report.notes:
        print(f"note: {note}")


def add_analysis_options(parser) -> None:
    """--raters and --exclude-early-rereads, shared by agreement and report."""
    parser.add_argument("--raters", choices=("all", "finished"), default="all",
                        help="all raters with ratings (default), or only those who have finished their first reads")
    parser.add_argument("--exclude-early-rereads", action="store_true",
                        help="leave re-reads submitted before the washout out of test-retest")


def _cmd_agreement(args) -> int:
    with open_study(args.study) as study:
        report = agreement_report(study, confidence=args.confidence, cutoff=args.cutoff, raters=args.raters,
                                  exclude_early_rereads=args.exclude_early_rereads)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, allow_nan=False, default=str))
        return 0
    if args.form not in stats.FORMS:
        raise ValidationError(f"unknown ICC form {args.form!r}", fix=f"use one of {', '.join(stats.FORMS)}")
    scores = report.ratings.scores if args.all_scores else [TOTAL, *report.ratings.subtotals]
    print_agreement(report, args.form, scores)
    return 0


# --- rushrater consensus ---------------------------------------------------------------------------


def _cmd_consensus(args) -> int:
    with open_study(args.study) as study:
        spread, cutoff = thresholds(study, args.spread, args.cutoff)
        auto = automatic_consensus(study, spread=spread, cutoff=cutoff)
        queue = discordant_cases(study, spread=spread, cutoff=cutoff)
        saved = save_automatic_consensus(study, args.save) if args.save else None
    if args.json:
        print(json.dumps({
            "spread_threshold": spread,
            "slow_healing_cutoff": cutoff,
            "consensus": records(auto),
            "discordant": records(queue),
            **({"saved": saved} if saved is not None else {}),
        }, indent=2, allow_nan=False, default=str))
        return 0
    overall = auto[auto["scope"] == ALL]
    print(f"{len(overall)} case(s) with ratings; {len(queue)} discordant "
          f"(totals spread > {spread:g} points, or healing status split at < {cutoff:g})")
    if not overall.empty:
        slow = int(overall["slow_by_median"].sum())
        print(f"Median consensus: {slow} slow-healing, {len(overall) - slow} not")
    if not queue.empty:
        rows = [
            (r.case, r.patient, r.timepoint, r.n_raters, f"{r.median_total:g}", f"{r.min_total:g}–{r.max_total:g}",
             r.reason, (f"{r.decided_method} {r.decided_total:g} by {r.decided_by}" if isinstance(r.decided_method, str)
                        else "not yet"))
            for r in queue.itertuples()
        ]
        print()
        print(table(("Case", "Patient", "Time point", "Raters", "Median", "Range", "Why", "Decided"), rows, "lllrrrll"))
    if saved is not None:
        print(f"\nStored {saved} new {args.save} consensus record(s)")
    return 0


def register(sub) -> None:
    p = sub.add_parser("icc", help="ICC (all six forms) of any long-format CSV: one rating per row")
    p.add_argument("csv", metavar="CSV")
    p.add_argument("--target", required=True, metavar="COL", help="column naming what is rated (case, patient)")
    p.add_argument("--rater", required=True, metavar="COL", help="column naming the rater")
    p.add_argument("--score", required=True, metavar="COL", help="column holding the numeric score")
    p.add_argument("--group", metavar="COL", help="also compute the ICC within each value of this column")
    p.add_argument("--confidence", type=_confidence, default=0.95, help="confidence level (default 0.95)")
    p.add_argument("--duplicates", choices=("error", "mean"), default="error",
                   help="a target rated twice by one rater: refuse (default) or average")
    p.add_argument("--json", action="store_true", help="full-precision JSON")
    p.set_defaults(func=_cmd_icc)

    p = sub.add_parser("agreement", help="the study's agreement table: time point x rater group x score x form")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--confidence", type=_confidence, default=0.95, help="confidence level (default 0.95)")
    p.add_argument("--form", default="ICC(2,1)", help="ICC form shown in the table (default ICC(2,1)); --json has all")
    p.add_argument("--all-scores", action="store_true", help="show the 10 items too, not only total and subtotals")
    p.add_argument("--cutoff", type=float, help="slow-healing cut-off (default: the study's, 18)")
    add_analysis_options(p)
    p.add_argument("--json", action="store_true", help="every table at full precision")
    p.set_defaults(func=_cmd_agreement)

    p = sub.add_parser("consensus", help="mean/median consensus per case and the discordant cases")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--spread", type=float, help="discordant when totals span more points than this (default 4)")
    p.add_argument("--cutoff", type=float, help="slow-healing cut-off (default: the study's, 18)")
    p.add_argument("--save", choices=("mean", "median"), help="also store the computed consensus (audited)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_consensus)


__all__ = ["register", "icc_summary", "print_agreement"]
