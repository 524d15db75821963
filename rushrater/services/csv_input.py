"""Reading the CSV files people give the study: manifests, assignments, ratings, heights,
reference scores, clinical and follow-up sheets.

One reader for all of them: UTF-8 with or without a BOM, comma, semicolon or tab (sniffed), blank
rows left out, and every row numbered as the spreadsheet shows it, so a problem names its line.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ..domain.errors import InputFileError, RowProblem, ValidationError


def read_csv_table(path: Path, *, empty_fix: str = "add a header line") -> tuple[list[str], list[tuple[int, list[str]]]]:
    """A CSV's header and its non-blank rows as (spreadsheet line number, values), as written.

    UTF-8 (with or without a BOM); comma, semicolon or tab, whichever the file uses."""
    if not path.is_file():
        raise ValidationError("file not found", where=str(path), fix="check the path of the CSV file")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            sample = handle.read(4096)
            handle.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            reader = csv.reader(handle, dialect)
            header = next(reader, None)
            if header is None:
                raise InputFileError(str(path), [RowProblem(1, "the file is empty")], fix=empty_fix)
            rows = [(reader.line_num, values) for values in reader if any(v.strip() for v in values)]
            return header, rows
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})", where=str(path), fix="save the CSV as UTF-8"
        ) from exc


def read_csv_rows(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...] = (), *, keep_spaces: bool = False
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV as (spreadsheet line number, {column: text}); header checked first.

    ``keep_spaces`` leaves the values as written (for callers that refuse " 3 " rather than guess)."""
    header, table = read_csv_table(path, empty_fix="add the header line: " + ",".join(required))
    names = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in names]
    unknown = [h for h in names if h not in required and h not in optional]
    dupes = sorted({h for h in names if names.count(h) > 1})
    problems = []
    if missing:
        problems.append(RowProblem(1, "missing column(s): " + ", ".join(missing)))
    if unknown:
        problems.append(RowProblem(1, "unknown column(s): " + ", ".join(repr(u) for u in unknown)))
    if dupes:
        problems.append(RowProblem(1, "column(s) given twice: " + ", ".join(dupes)))
    if problems:
        expected = ",".join(required) + ("" if not optional else " (optional: " + ",".join(optional) + ")")
        raise InputFileError(str(path), problems, fix=f"the header must be: {expected}")
    rows = []
    for line, values in table:
        if len(values) != len(names):
            rows.append((line, {"__error__": f"has {len(values)} fields, the header has {len(names)}"}))
            continue
        rows.append((line, {n: (v if keep_spaces else v.strip()) for n, v in zip(names, values)}))
    return rows
