"""The export formats, each declared once: its name (``--format``), main file suffix (none for a
folder), the one-line description the CLI help and the console's Export dialog show, and how its
files are laid out and written. The CLI, the dialog and the writers all read :data:`FORMATS`; a
format added here appears everywhere.

* ``csv``: long, one row per rating *version* (``version`` and ``current`` say which is in the
  analysis; ``source`` says how it was obtained), beside it ``<stem>_consensus.csv`` (every recorded
  consensus version) and ``<stem>_codebook.csv``;
* ``csv-wide``: one row per case with each rater's total (current first reads), the layout SPSS
  RELIABILITY needs, plus its codebook;
* ``sav`` / ``dta``: the long table with variable labels and value labels (item anchors, rater
  groups, time points, healing status), measurement levels, integer formats and real datetimes,
  written with pyreadstat (.dta release 118); consensus and ``<stem>_sav_codebook.csv`` /
  ``<stem>_dta_codebook.csv`` beside it, so both can share a folder and a stem;
* ``xlsx``: one sheet per table plus a codebook sheet (openpyxl);
* ``r``: a folder with the CSVs, the codebook and ``analysis.R`` that reproduces the study's ICC
  table (time point x rater group x score, all six forms) with ``psych::ICC``; with body
  composition and clinical data also ``outcome_data.csv`` + ``outcomes.R`` (services.outcome_r) and,
  for a chosen risk model, ``riskmodel_data.csv`` + ``riskmodel.R`` (services.riskmodel_r);
* ``spss``: a folder with the .sav files and ``analysis.sps`` running RELIABILITY /ICC per cell;
* ``stata``: a folder with the .dta files and ``analysis.do`` running ``icc`` per cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .dataset import ExportTables
from .scripts import r_script, spss_syntax, stata_do
from .writers import Writer, write_data_files, write_workbook


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # the name lupdate looks for
    """Marks a description for translation: pyside6-lupdate collects it (packaging/update-translations
    reads this file), and the dialog translates it in the context given. Qt-free: returns ``text``."""
    return text


#: One data file of a format: (file name, ``{stem}`` standing for the output's stem; codebook table;
#: the ExportTables attribute holding it; kind: csv | sav | dta | sheet).
DataLayout = tuple[str, str, str, str]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    #: Suffix of the main file; empty for a folder format.
    suffix: str
    #: One line for the CLI help and the Export dialog (translated there, context OutputDialog).
    description: str
    #: The name the Export dialog suggests.
    default_name: str
    #: The data files, in codebook order (sheets, for a workbook).
    data: tuple[DataLayout, ...]
    #: (file name, kind) of the per-patient table, when the study has one.
    patients: tuple[str, str] | None
    #: The codebook's file name (None: a sheet of the workbook). One per export, so exports sharing
    #: a stem can share a folder (csv and csv-wide both write STEM.csv, so they share a codebook too).
    codebook: str | None
    #: (file name, maker) of the analysis script a folder format adds.
    script: tuple[str, Callable[[ExportTables], str]] | None = None
    #: Adds the outcome analysis (outcomes.R) and the chosen risk model (riskmodel.R).
    outcome_scripts: bool = False
    #: Relative file name -> writer, for the tables and the output's stem.
    writer: Callable[[ExportFormat, ExportTables, str], dict[str, Writer]] = write_data_files

    @property
    def folder(self) -> bool:
        return not self.suffix

    @property
    def needs_icc(self) -> bool:
        """Whether it carries the ICC table (the others skip computing it)."""
        return any(frame == "icc" for _name, _table, frame, _kind in self.data)

    def codebook_name(self, stem: str) -> str:
        return (self.codebook or "").format(stem=stem)

    def files(self, tables: ExportTables, stem: str) -> dict[str, Writer]:
        return self.writer(self, tables, stem)


def _single(kind: str) -> tuple[DataLayout, ...]:
    """A data file format's files: STEM.x with the long table, and STEM_consensus.x beside it."""
    return ((f"{{stem}}.{kind}", "ratings", "long", kind), (f"{{stem}}_consensus.{kind}", "consensus", "consensus", kind))


FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat(
        "csv", ".csv",
        QT_TRANSLATE_NOOP("OutputDialog", "CSV, long: one row per rating (every version) + consensus + codebook"),
        "ratings.csv", _single("csv"), ("{stem}_patients.csv", "csv"), "{stem}_codebook.csv",
    ),
    ExportFormat(
        "csv-wide", ".csv",
        QT_TRANSLATE_NOOP("OutputDialog", "CSV, wide: one row per case with each rater's total"),
        "ratings-wide.csv", (("{stem}.csv", "wide", "wide", "csv"),), ("{stem}_patients.csv", "csv"),
        "{stem}_codebook.csv",
    ),
    ExportFormat(
        "sav", ".sav",
        QT_TRANSLATE_NOOP("OutputDialog", "SPSS data file (.sav) with variable and value labels"),
        "ratings.sav", _single("sav"), ("{stem}_patients.sav", "sav"), "{stem}_sav_codebook.csv",
    ),
    ExportFormat(
        "dta", ".dta",
        QT_TRANSLATE_NOOP("OutputDialog", "Stata data file (.dta) with variable and value labels"),
        "ratings.dta", _single("dta"), ("{stem}_patients.dta", "dta"), "{stem}_dta_codebook.csv",
    ),
    ExportFormat(
        "xlsx", ".xlsx",
        QT_TRANSLATE_NOOP("OutputDialog", "Excel workbook: a sheet per table and a codebook"),
        "ratings.xlsx",
        (("ratings", "ratings", "long", "sheet"), ("wide", "wide", "wide_scores", "sheet"),
         ("consensus", "consensus", "consensus", "sheet"), ("icc", "icc", "icc", "sheet")),
        ("patients", "sheet"), None, writer=write_workbook,
    ),
    ExportFormat(
        "r", "",
        QT_TRANSLATE_NOOP("OutputDialog", "R folder: CSVs + analysis.R (psych::ICC)"),
        "for-r",
        (("ratings_long.csv", "ratings", "long", "csv"), ("ratings_wide.csv", "wide", "wide_scores", "csv"),
         ("consensus.csv", "consensus", "consensus", "csv"), ("icc_table.csv", "icc", "icc", "csv")),
        ("patients.csv", "csv"), "codebook.csv", ("analysis.R", r_script), outcome_scripts=True,
    ),
    ExportFormat(
        "spss", "",
        QT_TRANSLATE_NOOP("OutputDialog", "SPSS folder: .sav + analysis.sps (RELIABILITY /ICC)"),
        "for-spss",
        (("ratings_long.sav", "ratings", "long", "sav"), ("ratings_wide.sav", "wide", "wide_scores", "sav"),
         ("consensus.sav", "consensus", "consensus", "sav"), ("icc_table.csv", "icc", "icc", "csv")),
        ("patients.sav", "sav"), "codebook.csv", ("analysis.sps", spss_syntax),
    ),
    ExportFormat(
        "stata", "",
        QT_TRANSLATE_NOOP("OutputDialog", "Stata folder: .dta + analysis.do (icc)"),
        "for-stata",
        (("ratings_long.dta", "ratings", "long", "dta"), ("consensus.dta", "consensus", "consensus", "dta"),
         ("icc_table.csv", "icc", "icc", "csv")),
        ("patients.dta", "dta"), "codebook.csv", ("analysis.do", stata_do),
    ),
)}


def folder_formats() -> list[str]:
    return [name for name, f in FORMATS.items() if f.folder]


def file_formats() -> list[str]:
    return [name for name, f in FORMATS.items() if not f.folder]
