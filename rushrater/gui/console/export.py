"""The console's Export… and Make report… dialogs: a format, an output path, and whether to replace it.

Both call the same services as ``rushrater export`` and ``rushrater report``, so a file made here is
the file the command line makes.
"""

from __future__ import annotations

from pathlib import Path

from ... import stats
from ...services.export import FORMATS, check_output, export_study
from ...services.report import write_report
from ...services.study import Study
from ..dialogs import finish_form_dialog, hint_label
from ..errors import show_error
from ..operations import Operation, run_operation
from ..qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QWidget,
    Signal,
)


class OutputDialog(QDialog):
    """Choose a format and where to write it, then write it (``kind`` is "export" or "report")."""

    #: The report's stage ("statistics", "render"), emitted from the operation thread.
    stage_reached = Signal(str)

    def __init__(self, study: Study, kind: str, parent: QWidget | None = None, icc_form: str = "ICC(2,1)"):
        super().__init__(parent)
        self.study = study
        self.kind = kind
        self._operation: Operation | None = None
        self.stage_reached.connect(self._on_progress)
        #: the paths written, once the dialog is accepted
        self.written: list[Path] = []
        self.setMinimumWidth(620)
        self.format_combo = QComboBox()
        if kind == "export":
            self.setWindowTitle(self.tr("Export the study"))
            # The formats' registry; lupdate collects the descriptions from it (QT_TRANSLATE_NOOP,
            # context OutputDialog), so this class's tr() finds their translations.
            choices = [(name, self.tr(f.description)) for name, f in FORMATS.items()]
        else:
            self.setWindowTitle(self.tr("Make the reliability report"))
            choices = [("pdf", self.tr("PDF document")), ("html", self.tr("Web page (self-contained HTML)"))]
        for key, text in choices:
            self.format_combo.addItem(text, key)
        self.path_edit = QLineEdit()
        self.browse_button = QPushButton(self.tr("&Browse…"))
        self.browse_button.clicked.connect(self._browse)
        self.browse_button.setAutoDefault(False)  # Enter in the path writes the file, not Browse…
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
        self.form_combo: QComboBox | None = None
        if kind == "report":  # the ICC form of the report's tables and methods paragraph
            self.form_combo = QComboBox()
            for key, name in zip(stats.FORMS, stats.MCGRAW_WONG):
                self.form_combo.addItem(f"{key} — {name}", key)
            self.form_combo.setCurrentIndex(max(0, self.form_combo.findData(icc_form)))
            form_label = QLabel(self.tr("ICC f&orm:"))
            form_label.setBuddy(self.form_combo)
            form.addRow(form_label, self.form_combo)
        form.addRow(path_label, row)
        form.addRow("", self.force_check)
        self.hint = hint_label()
        form.addRow("", self.hint)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 0)  # the stages take seconds each, with no count to show
        self.progress_bar.setTextVisible(False)
        self.progress_bar.hide()
        self.progress_label = QLabel()
        self.progress_label.hide()
        form.addRow(self.progress_label, self.progress_bar)
        self.buttons, self.ok_button = finish_form_dialog(
            self, form, self.tr("&Export") if kind == "export" else self.tr("&Make report"), spacing=0
        )
        # Enter in the path writes it (the button box's default is not kept once a field has the focus).
        self.path_edit.returnPressed.connect(self.ok_button.click)
        self.format_combo.currentIndexChanged.connect(self._suggest)
        self.path_edit.textChanged.connect(self._update)
        self._suggest()

    def _default_name(self) -> str:
        key = self.format_combo.currentData()
        if self.kind == "report":
            return f"reliability-report.{key}"
        return FORMATS[key].default_name

    def _suggest(self) -> None:
        current = self.path_edit.text().strip()
        folder = Path(current).parent if current else self.study.root.parent
        self.path_edit.setText(str(folder / self._default_name()))
        key = self.format_combo.currentData()
        if self.kind == "export" and FORMATS[key].folder:
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
        if self.kind == "export" and FORMATS[key].folder:
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
        if self._operation is not None:
            return
        study, force = self.study, self.force_check.isChecked()
        if self.kind == "export":

            def work(progress) -> list[Path]:
                return export_study(study, key, out, force=force)

        else:
            form, stages = self.form_combo.currentData(), self._stage_texts()
            reached = self.stage_reached.emit

            def work(progress) -> list[Path]:
                check_output(out, force, what="report")  # refused at once, not after 10 s
                def stage(name: str) -> None:
                    progress(stages.get(name, name))
                    reached(name)
                return [write_report(study, out, force=force, form=form, progress=stage)]

        self._set_running(True)
        if self.kind == "report":
            self._on_progress("statistics")
        self._operation = run_operation(self, work, done=self._on_written, failed=self._on_failed,
                                        title=self.windowTitle(), queue=study)

    # --- written off the GUI thread (a report takes about 10 s): the dialog says which stage it is in

    def _stage_texts(self) -> dict[str, str]:
        return {"statistics": self.tr("Computing the agreement statistics…"),
                "render": self.tr("Writing the document…")}

    def _on_progress(self, stage: str) -> None:
        self.progress_label.setText(self._stage_texts().get(stage, stage))

    def _on_written(self, paths: list[Path]) -> None:
        self._operation = None
        self._set_running(False)
        self.written = list(paths)
        super().accept()

    def _on_failed(self, exc: BaseException) -> None:
        # Shown; the dialog stays open to choose again.
        self._operation = None
        self._set_running(False)
        show_error(self, self.tr("Cannot write it"), exc)

    def _set_running(self, running: bool) -> None:
        self.progress_bar.setVisible(running)
        self.progress_label.setVisible(running and self.kind == "report")
        for widget in (self.format_combo, self.path_edit, self.browse_button, self.force_check, self.buttons,
                       self.form_combo):
            if widget is not None:
                widget.setEnabled(not running)

    @property
    def running(self) -> bool:
        return self._operation is not None

    def reject(self) -> None:
        if self._operation is None:  # what is being written finishes first (its file appears atomically)
            super().reject()

    def done(self, result: int) -> None:
        if self._operation is not None and result != QDialog.DialogCode.Accepted:
            return
        super().done(result)
