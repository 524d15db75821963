"""``rushrater stats …``: statistics on any per-patient CSV (no study needed).

The group is open: every module in :data:`STATS_SUBCOMMAND_MODULES` exposes
``register(stats_subparsers)`` and adds its own subcommands (the outcome statistics live in
:mod:`.stats_outcome`, the time-to-event models in :mod:`.survival`).  Each command's ``func(args)``
returns the exit code; statistics errors (:class:`ValueError` from :mod:`rushrater.stats`) become
one user message naming the CSV (exit 1).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ..domain.errors import ValidationError
from . import stats_outcome, survival

STATS_SUBCOMMAND_MODULES: tuple[Any, ...] = (stats_outcome, survival)


def read_table(path: str) -> pd.DataFrame:
    """A CSV as pandas reads it (numbers as numbers, empty cells missing); clear errors otherwise."""
    csv = Path(path)
    if not csv.is_file():
        raise ValidationError(f"{path} does not exist or is not a file", fix="give the path of a CSV file")
    try:
        data = pd.read_csv(csv, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read {path} as CSV: {exc}", fix="save the sheet as comma-separated UTF-8") from None
    data.columns = [str(c).strip() for c in data.columns]
    return data


def column_list(text: str) -> list[str]:
    """``A,B,C`` -> ["A", "B", "C"] (argparse type)."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give one or more column names separated by commas")
    return names


def run_statistic(csv: str, compute: Callable[[], Any]) -> Any:
    """Run a statistic; its ValueError becomes a user error naming the CSV."""
    try:
        return compute()
    except ValueError as exc:
        raise ValidationError(str(exc), where=csv, fix="check the column names and values in the CSV") from None


def print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, allow_nan=False, default=str))


def register(sub: Any) -> None:
    parser = sub.add_parser("stats", help="statistics on any per-patient CSV (compare, match, logistic, correlate, roc, cox, tdroc, …)")
    stats_sub = parser.add_subparsers(dest="stats_command", metavar="STATISTIC", required=True)
    for module in STATS_SUBCOMMAND_MODULES:
        module.register(stats_sub)
