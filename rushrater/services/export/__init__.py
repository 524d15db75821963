"""Exports for statisticians: CSV, SPSS, Stata, Excel and R, each with a codebook.

``export_study(study, fmt, out, force=False)`` writes one of :data:`FORMATS` (formats.py, the one
list of formats the CLI help, the console's Export dialog and the writers read):

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
