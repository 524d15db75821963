"""``rushrater training reference STUDY CSV`` and ``rushrater training status STUDY``: rater training."""

from __future__ import annotations

import json

from ..services import training
from ..services.study import open_study


def _cmd_reference(args) -> int:
    with open_study(args.study) as study:
        result = training.import_references(study, args.csv)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(f"Training references from {args.csv}: {result.added} case(s) added, {result.changed} changed, "
              f"{result.unchanged} unchanged")
    return 0


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _cmd_status(args) -> int:
    with open_study(args.study) as study:
        status = training.training_status(study)
        min_kappa, max_bias = training.thresholds(study)
        mode = training.policy(study)
        n_cases = training.training_cases_count(study)
    if args.json:
        print(json.dumps({"policy": mode, "training_cases": n_cases, "min_kappa": min_kappa, "max_bias": max_bias,
                          "raters": [s.to_dict() for s in status]}, indent=2, ensure_ascii=False))
        return 0
    if not n_cases:
        print("no training cases: add them with `rushrater training reference STUDY CSV`")
        return 0
    print(f"{n_cases} training case(s), policy {mode}; pass: weighted kappa of the total >= {min_kappa:g} "
          f"and |bias| <= {max_bias:g} point(s)")
    print(f"{'rater':<8}{'round':>6}{'done':>8}{'kappa total':>13}{'bias':>8}  passed")
    for s in status:
        print(f"{s.rater:<8}{s.round:>6}{f'{s.done}/{s.of}':>8}{_fmt(s.kappa.get('total')):>13}"
              f"{_fmt(s.bias):>8}  {'yes' if s.passed else 'no'}")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("training", help="rater training: reference scores of training cases, raters' standing")
    sub = p.add_subparsers(dest="training_command", required=True, metavar="COMMAND")
    q = sub.add_parser(
        "reference", help="mark cases as training cases with reference scores from a CSV, all rows or none",
        description="Columns: case (code) or patient + timepoint, the rubric's item columns, optionally total "
        "(checked). Training cases leave the study proper (no reading plan, agreement or export); a case already "
        "in a reading list or rated cannot become one. A changed reference is a new version.",
    )
    q.add_argument("study", metavar="STUDY")
    q.add_argument("csv", metavar="CSV")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_cmd_reference)
    q = sub.add_parser("status", help="per rater: training cases done, weighted kappa per item and total, bias, passed")
    q.add_argument("study", metavar="STUDY")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_cmd_status)
