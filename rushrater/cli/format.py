"""Plain-text tables for the terminal."""

from __future__ import annotations

from collections.abc import Sequence


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], align: str | None = None) -> str:
    """Columns padded to their widest cell; ``align`` is one letter per column, l or r."""
    cells = [[str(c) for c in headers]] + [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    align = align or "l" * len(headers)

    def fmt(row: list[str]) -> str:
        return "  ".join(c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(row, widths, align)).rstrip()

    lines = [fmt(cells[0]), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in cells[1:]]
    return "\n".join(lines)


def print_status(status: dict) -> None:
    s = status["study"]
    print(f"Study:      {s['title']}")
    print(f"Folder:     {s['path']}")
    print(f"Rubric:     {s['rubric']}")
    tps = ", ".join(f"{t['key']} ({t['cases']} cases)" for t in status["timepoints"])
    print(f"Timepoints: {tps}")
    print(
        f"Patients:   {status['patients']}    Cases: {status['cases']} "
        f"({status['complete_cases']} with AP + lateral)    Images: {status['images']}    "
        f"Ratings: {status['ratings']}"
    )
    groups = "; ".join(f"{g['name']}: {', '.join(g['raters']) or '-'}" for g in status["groups"]) or "none yet"
    print(f"Groups:     {groups}")
    plan = status["plan"]
    print(f"Plan:       {'seed ' + str(plan['seed']) + ', made ' + plan['created_at'][:16] if plan else 'not planned yet'}")
    if status["raters"]:
        print()
        rows = [
            (r["code"], r["name"], r["group"], r["done"], r["assigned"], r["remaining"], f"{r['percent_done']:.0f}%")
            for r in status["raters"]
        ]
        print(table(("Rater", "Name", "Group", "Done", "Assigned", "Left", "Progress"), rows, "lllrrrr"))


def bounded_setting(name: str):
    """An argparse type that takes a number only inside the study setting's range (services.settings)."""
    import argparse

    from ..domain.errors import ValidationError
    from ..services.settings import check_setting

    def parse(text: str):
        try:
            return check_setting(name, text)
        except ValidationError as exc:
            raise argparse.ArgumentTypeError(f"{exc.message}; {exc.fix}") from None

    parse.__name__ = name  # argparse names the type in its message
    return parse


#: Largest row id any backend stores (a 64-bit integer).
MAX_ROW_ID = 2**63 - 1


def row_id(text: str) -> int:
    """An argparse type for a row number (an item or image id): a whole number from 1."""
    import argparse

    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_ROW_ID:
        raise argparse.ArgumentTypeError(f"{text!r} is not a row number (a whole number from 1)")
    return int(text)


def number_between(low: float, high: float, what: str):
    """An argparse type for a finite number from ``low`` to ``high`` (both included)."""
    import argparse
    import math

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} must be from {low:g} to {high:g}, not {text}")
        return value

    parse.__name__ = what
    return parse
