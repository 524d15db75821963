"""The data files of an export: CSV, SPSS .sav and Stata .dta with their variable and value labels,
and the Excel workbook; each format's files laid out as its entry in :mod:`.formats` says.

Writers take the path to write (a temporary name; output.py renames it into place).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ... import __version__
from ...domain.errors import ValidationError
from .dataset import ExportTables, stata_name

if TYPE_CHECKING:
    from .formats import ExportFormat

#: Writes one file at the path given.
Writer = Callable[[Path], None]
#: One data file of an export: (file name, codebook table, frame, kind: csv | rcsv | sav | dta | sheet).
DataFile = tuple[str, str, pd.DataFrame, str]


def data_files(fmt: ExportFormat, tables: ExportTables, stem: str) -> list[DataFile]:
    """The data files of ``fmt`` in codebook order: its tables, the per-patient table when the
    study has one, and the outcome/risk-model data the R folder adds."""
    files = [(name.format(stem=stem), table, getattr(tables, frame), kind) for name, table, frame, kind in fmt.data]
    if fmt.patients is not None and tables.patients is not None:
        name, kind = fmt.patients
        files.append((name.format(stem=stem), "patients", tables.patients, kind))
    return files + list(tables.analysis_files)


def write_data_files(fmt: ExportFormat, tables: ExportTables, stem: str) -> dict[str, Writer]:
    """Relative file name -> writer, for the file and folder formats: the data files, the codebook
    of exactly those files and (folder formats) the analysis scripts."""
    files_of = data_files(fmt, tables, stem)
    files = {name: writer_for((name, table, frame, kind), tables) for name, table, frame, kind in files_of}
    codebook = tables.codebook_frame(files_of)
    files[fmt.codebook_name(stem)] = lambda p: write_csv(codebook, p)
    if fmt.script is not None:
        name, make = fmt.script
        files[name] = lambda p: p.write_text(make(tables), encoding="utf-8")
    for name, text in tables.analysis_scripts.items():
        files[name] = lambda p, text=text: p.write_text(text, encoding="utf-8")
    return files


def writer_for(data_file: DataFile, tables: ExportTables) -> Writer:
    _name, table, frame, kind = data_file
    if kind == "csv":
        return lambda p: write_csv(frame, p)
    if kind == "rcsv":  # what the R scripts read: every digit, NA for missing (as outcome_r writes it)
        return lambda p: frame.to_csv(p, index=False, na_rep="NA", float_format="%.17g", lineterminator="\n")
    return lambda p: write_labelled(frame, table, tables, p, kind)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def write_workbook(fmt: ExportFormat, tables: ExportTables, stem: str) -> dict[str, Writer]:
    """The workbook formats (xlsx): one file, a sheet per data table of ``fmt`` plus the codebook."""
    return {f"{stem}{fmt.suffix}": lambda p: _write_xlsx(data_files(fmt, tables, stem), tables, p)}


def _write_xlsx(sheets: list[DataFile], tables: ExportTables, path: Path) -> None:
    frames = {name: frame for name, _table, frame, _kind in sheets}
    frames["codebook"] = tables.codebook_frame(sheets).rename(columns={"file": "sheet"})
    # Built in memory, then written in one go: a zip writer that fails on a full disk would
    # otherwise print a second traceback when it is collected at exit.
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in frames.items():
            frame.to_excel(writer, sheet_name=name, index=False, freeze_panes=(1, 0))
        book = writer.book
        for sheet in book.worksheets:  # widths from the first rows: enough to read, cheap on big sheets
            for column in sheet.iter_cols(max_row=min(sheet.max_row, 200)):
                width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
                sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    path.write_bytes(buffer.getvalue())



# --- labelled files (SPSS / Stata) ---------------------------------------------------------------


def _coded(frame: pd.DataFrame, tables: ExportTables) -> pd.DataFrame:
    """Time point and group as numeric codes (labels carry the names): Stata labels only numbers."""
    out = frame.copy()
    if "timepoint" in out:
        out["timepoint"] = out["timepoint"].map({tp: i + 1 for i, tp in enumerate(tables.timepoints)}).astype(float)
    if "group" in out:
        out["group"] = out["group"].map({g: i + 1 for i, g in enumerate(tables.groups)}).astype(float)
    return out



def _integer_format(values: pd.Series) -> str:
    """SPSS print format wide enough for the column's largest integer (F1.0 for a RUSH item)."""
    finite = pd.to_numeric(values, errors="coerce").dropna().abs()
    digits = len(str(int(finite.max()))) if len(finite) else 1
    return f"F{digits + int((pd.to_numeric(values, errors='coerce') < 0).any())}.0"


def _datetimes(values: pd.Series) -> pd.Series:
    """ISO 8601 UTC text (as in the CSV) -> naive UTC datetimes: SPSS DATETIME / Stata %tc."""
    stamps = pd.to_datetime(values.replace("", None), utc=True, format="mixed")
    return stamps.dt.tz_localize(None)


def _labelled_frame(frame: pd.DataFrame, table: str, tables: ExportTables) -> pd.DataFrame:
    """Coded categories, datetimes as datetimes, integers as small integers where none is missing."""
    variables = tables.variables(table)
    data = _coded(frame, tables)
    for column in data.columns:
        kind = variables[column].type if column in variables else ""
        if kind == "datetime":
            data[column] = _datetimes(data[column])
        elif kind in ("integer", "ordinal", "categorical") and pd.api.types.is_numeric_dtype(data[column]):
            if data[column].isna().any():
                data[column] = data[column].astype(float)  # missing stays missing (SPSS sysmis, Stata .)
            else:
                data[column] = data[column].astype(np.int32)
        elif isinstance(data[column].dtype, pd.Int64Dtype):
            data[column] = data[column].astype(float)
    return data


def write_labelled(frame: pd.DataFrame, table: str, tables: ExportTables, path: Path, kind: str) -> None:
    variables = tables.variables(table)
    data = _labelled_frame(frame, table, tables)
    labels = {c: variables[c].label for c in data.columns}
    # text-level clinical variables keep their labels in the codebook only: SPSS/Stata label numbers
    value_labels = {c: {int(k): v for k, v in variables[c].values.items()}
                    for c in data.columns if variables[c].values and variables[c].type != "text"}
    if kind == "sav":
        import pyreadstat

        formats = {c: _integer_format(data[c]) for c in data.columns
                   if variables[c].type in ("integer", "ordinal", "categorical")}
        formats.update({c: "DATETIME23.2" for c in data.columns if variables[c].type == "datetime"})
        pyreadstat.write_sav(
            data, str(path), column_labels=[labels[c] for c in data.columns],
            # pyreadstat wants label keys of the column's own type (int for int columns)
            variable_value_labels={c: {(float(k) if data[c].dtype.kind == "f" else k): v for k, v in vl.items()}
                                   for c, vl in value_labels.items()},
            variable_measure={c: variables[c].measure for c in data.columns},
            variable_format=formats,
            file_label=f"RUSH Rater {__version__}: {tables.study} ({table})"[:64],
        )
        return
    import pyreadstat

    names = {c: stata_name(c, labelled=bool(variables[c].values) and variables[c].type != "text") for c in data.columns}
    if len(set(names.values())) != len(names):
        raise ValidationError(f"two variables of the {table} table have the same Stata name",
                              fix="give the rubric items shorter, distinct keys")
    data = data.rename(columns=names)
    # version 14 = release 118, which Stata 14 and later open (15 would be release 119, a format for
    # more than 32,767 variables that only Stata 15 MP reads). Labels are at most 80 characters.
    pyreadstat.write_dta(
        data, str(path), file_label=f"RUSH Rater: {tables.study}"[:80],
        column_labels=[labels[c][:80] for c in frame.columns],
        variable_value_labels={names[c]: {(float(k) if data[names[c]].dtype.kind == "f" else k): v
                                          for k, v in vl.items()} for c, vl in value_labels.items()},
        variable_format={names[c]: "%tc" for c in frame.columns if variables[c].type == "datetime"},
        version=14,
    )
    _name_value_label_sets(path)


def _name_value_label_sets(path: Path) -> None:
    """Name each value-label set of a release-118 .dta after its variable.

    pyreadstat (readstat) names them ``timepoint0``, ``group1`` ... (variable + column number),
    which is what a Stata user then sees in ``label list``; pandas' writer names them well but
    renames variables it takes for reserved words (``case`` -> ``_case``). The names are fixed
    129-byte fields (dta 118 format: <varnames>, <value_label_names> and each <lbl>), so renaming
    rewrites bytes in place and moves no offset.
    """
    raw = bytearray(path.read_bytes())
    width = 129

    def fields(tag: bytes) -> tuple[int, list[str]]:
        start = raw.index(b"<" + tag + b">") + len(tag) + 2
        end = raw.index(b"</" + tag + b">", start)
        chunk = raw[start:end]
        return start, [chunk[i:i + width].split(b"\0", 1)[0].decode("utf-8") for i in range(0, len(chunk), width)]

    _start, varnames = fields(b"varnames")
    label_start, label_names = fields(b"value_label_names")
    renamed = {old: var for var, old in zip(varnames, label_names) if old and old != var}
    if not renamed:
        return
    for i, (var, old) in enumerate(zip(varnames, label_names)):
        if old in renamed:
            raw[label_start + i * width: label_start + (i + 1) * width] = var.encode("utf-8").ljust(width, b"\0")
    position = raw.index(b"<value_labels>")
    while (position := raw.find(b"<lbl>", position)) != -1:
        name_at = position + len(b"<lbl>") + 4  # after the table's 4-byte length
        old = raw[name_at:name_at + width].split(b"\0", 1)[0].decode("utf-8")
        if old in renamed:
            raw[name_at:name_at + width] = renamed[old].encode("utf-8").ljust(width, b"\0")
        position = name_at + width
    path.write_bytes(bytes(raw))
