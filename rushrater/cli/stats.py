"""``rushrater stats …``: statistics on any CSV (no study needed).

Each module in :data:`STATS_SUBCOMMAND_MODULES` adds its subcommands to the group through
``register(stats_subparsers)``.
"""

from __future__ import annotations

from typing import Any

from . import survival

STATS_SUBCOMMAND_MODULES: tuple[Any, ...] = (survival,)


def register(sub: Any) -> None:
    parser = sub.add_parser("stats", help="statistics on any CSV: Cox models, time-dependent ROC, nomograms, ...")
    stats_sub = parser.add_subparsers(dest="stats_command", metavar="SUBCOMMAND")
    stats_sub.required = True
    for module in STATS_SUBCOMMAND_MODULES:
        module.register(stats_sub)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)


__all__ = ["STATS_SUBCOMMAND_MODULES", "register"]
