"""Exports for statisticians: CSV, SPSS, Stata, Excel and R, each with a codebook.

``export_study(study, fmt, out, force=False)`` writes one of :data:`FORMATS` (formats.py, the one
list of formats the CLI help, the console's Export dialog and the writers read; its docstring says
what each one writes).

With body composition, clinical data or follow-up events, every format adds the per-patient table
(RUSH per time point, body composition, the clinical variables labelled from their codebook, each
event type's day and status).

Every codebook describes exactly the columns of its own export's files (a ``file`` column names
the file). Scripts name their data files relative to their folder, so it can be moved.

Nothing half-written is ever left at the output path: every file is first written to a temporary
name in the same folder and renamed into place only when all of them are complete.

The package: ``dataset`` builds the tables and the codebook, ``writers`` the data files (CSV, SPSS,
Stata, Excel), ``scripts`` the analysis scripts, ``formats`` declares each format once, ``output``
checks the output path and writes it atomically, ``service`` ties them together.
"""

from __future__ import annotations

from .dataset import ExportTables, Variable, export_tables
from .formats import FORMATS, ExportFormat
from .output import ExportError, check_output
from .service import export_study

__all__ = ["FORMATS", "ExportError", "ExportFormat", "ExportTables", "Variable", "check_output", "export_study",
           "export_tables"]
