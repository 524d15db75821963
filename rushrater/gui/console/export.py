"""The console's Export… and Make report… dialogs: a format, an output path, and whether to replace it.

Both call the same services as ``rushrater export`` and ``rushrater report``, so a file made here is
the file the command line makes.
"""

from __future__ import annotations

from pathlib import Path

from ...domain.errors import RushRaterError
from ...services.export import FOLDER_FORMATS, export_study
from ...services.report import write_report
from ...services.study import Study
from ..dialogs import finish_form_dialog, hint_label
from ..errors import show_error, wait_cursor
from ..qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)


class OutputDialog(QDialog):
    """Choose a format and where to write it, then write it (``kind`` is "export" or "report")."""

    def __init__(self, study: Study, kind: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.study = study
        self.kind = kind
        #: the paths written, once the dialog is accepted
        self.written: list[Path] = []
        self.setMinimumWidth(620)
        self.format_combo = QComboBox()
        if kind == "export":
            self.setWindowTitle(self.tr("Export the study"))
            choices = [
                ("csv", self.tr("CSV, long: one row per rating (every version) + consensus + codebook")),
                ("csv-wide", self.tr("CSV, wide: one row per case with each rater's total")),
                ("sav", self.tr("SPSS data file (.sav) with variable and value labels")),
                ("dta", self.tr("Stata data file (.dta) with variable and value labels")),
                ("xlsx", self.tr("Excel workbook: a sheet per table and a codebook")),
                ("r", self.tr("R folder: CSVs + analysis.R (psych::ICC)")),
                ("spss", self.tr("SPSS folder: .sav + analysis.sps (RELIABILITY /ICC)")),
                ("stata", self.tr("Stata folder: .dta + analysis.do (icc)")),
            ]
        else:
            self.setWindowTitle(self.tr("Make the reliability report"))
            choices = [("pdf", self.tr("PDF document")), ("html", self.tr("Web page (self-contained HTML)"))]
        for key, text in choices:
            self.format_combo.addItem(text, key)
        self.path_edit = QLineEdit()
        self.browse_button = QPushButton(self.tr("&Browse…"))
        self.browse_button.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        self.force_check = QCheckBox(self.tr("&Replace it if it already exists"))
        form = QFormLayout()
        format_label = QLabel(self.tr("&Format:"))
        format_label.setBuddy(self.format_combo)
        path_label = QLabel(self.tr("&Save as:"))
        path_label.setBuddy(self.path_edit)
        form.addRow(format_label, self.format_combo)
        form.addRow(path_label, row)
        form.addRow("", self.force_check)
        self.hint = hint_label()
        form.addRow("", self.hint)
        self.buttons, self.ok_button = finish_form_dialog(
            self, form, self.tr("&Export") if kind == "export" else self.tr("&Make report"), spacing=0
        )
        self.format_combo.currentIndexChanged.connect(self._suggest)
        self.path_edit.textChanged.connect(self._update)
        self._suggest()

    def _default_name(self) -> str:
        key = self.format_combo.currentData()
        if self.kind == "report":
            return f"reliability-report.{key}"
        suffix = {"csv": ".csv", "csv-wide": "-wide.csv", "sav": ".sav", "dta": ".dta", "xlsx": ".xlsx"}.get(key, "")
        return f"ratings{suffix}" if key not in FOLDER_FORMATS else f"for-{key}"

    def _suggest(self) -> None:
        current = self.path_edit.text().strip()
        folder = Path(current).parent if current else self.study.root.parent
        self.path_edit.setText(str(folder / self._default_name()))
        key = self.format_combo.currentData()
        if self.kind == "export" and key in FOLDER_FORMATS:
            self.hint.setText(self.tr("A new folder is created with the data, a codebook and the analysis script."))
        elif self.kind == "export":
            self.hint.setText(self.tr("A codebook (and, where it applies, the consensus table) is written beside it."))
        else:
            self.hint.setText(self.tr("Design, completeness, ICC tables with the Koo & Li reading, item agreement, "
                                      "Bland–Altman plots, consensus, software and a methods paragraph."))

    def _update(self) -> None:
        self.ok_button.setEnabled(bool(self.path_edit.text().strip()))

    def _browse(self) -> None:
        key = self.format_combo.currentData()
        start = self.path_edit.text().strip()
        if self.kind == "export" and key in FOLDER_FORMATS:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Name the new folder"), start)
        else:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Save as"), start)
            if path:
                self.force_check.setChecked(Path(path).exists())  # the file dialog already asked to replace it
        if path:
            self.path_edit.setText(path)

    def accept(self) -> None:
        out = Path(self.path_edit.text().strip()).expanduser()
        key = self.format_combo.currentData()
        if self.kind == "report" and out.suffix.lower() != f".{key}":
            out = out.with_name(out.name + f".{key}")
        try:
            with wait_cursor():
                if self.kind == "export":
                    self.written = export_study(self.study, key, out, force=self.force_check.isChecked())
                else:
                    self.written = [write_report(self.study, out, force=self.force_check.isChecked())]
        except (RushRaterError, OSError) as exc:  # shown; the dialog stays open to choose again
            show_error(self, self.tr("Cannot write it"), exc)
            return
        super().accept()
