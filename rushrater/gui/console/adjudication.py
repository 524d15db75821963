"""Adjudication of a discordant case: every rater's scores beside the images; the adjudicator (or a
panel) records the consensus total, healing status and a note (:func:`record_consensus`).

Who decided is chosen from the known adjudicators (the study coordinator and the registered
consensus panel), not typed; a decision that contradicts its own total and the cut-off, or lies
outside the raters' range, is recorded only after the coordinator confirms it with a note."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...domain.errors import RushRaterError
from ...services.agreement import TOTAL
from ...services.consensus import (
    adjudicators,
    case_images,
    case_scores,
    consensus_history,
    contradictions,
    record_consensus,
    thresholds,
)
from ...services.study import Study
from ..errors import show_error
from ..i18n import component_label, item_label
from ..operations import run_operation
from ..qt import (
    is_alive,
    QAbstractItemView,
    QBrush,
    QColor,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFont,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QSplitter,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from ..radiograph_view import RadiographView


class CaseImageView(RadiographView):
    """One radiograph of the case on the shared radiograph view, at the display pipeline's default
    window (the file's, else automatic); right-drag windows, the left button pans, the wheel zooms."""

    def show_pixels(self, pixels: np.ndarray, attributes) -> None:
        super().show_pixels(pixels, attributes, start="file")


@dataclass(frozen=True)
class CaseData:
    """What the dialog shows of one case, read off the GUI thread by :func:`load_case`."""

    scores: pd.DataFrame
    images: list
    history: list
    adjudicators: list[str]
    #: Why the images could not be read (the scores are still shown), or None.
    image_error: BaseException | None = None


def load_case(study: Study, case: str) -> CaseData:
    try:
        images, image_error = case_images(study, case), None
    except (RushRaterError, OSError) as exc:
        images, image_error = [], exc
    return CaseData(case_scores(study, case), images, consensus_history(study, case), adjudicators(study), image_error)


class AdjudicationDialog(QDialog):
    """Shows a case's images and all its first-read scores; records a decided consensus."""

    def __init__(self, study: Study, case: str, data: CaseData, parent: QWidget | None = None):
        super().__init__(parent)
        self._study = study
        self.case = case
        self.record = None
        self._adjudicators = data.adjudicators
        self._recording = False
        self.setWindowTitle(self.tr("Adjudicate case {0}").format(case))
        self.resize(1400, 800)
        _, self._cutoff = thresholds(study)

        scores = data.scores
        self.scores = scores
        splitter = QSplitter(Qt.Orientation.Horizontal)
        images = QWidget()
        image_row = QHBoxLayout(images)
        image_row.setContentsMargins(0, 0, 0, 0)
        self.views: dict[str, CaseImageView] = {}
        if data.image_error is not None:
            show_error(self, self.tr("Cannot show the images"), data.image_error)
        loaded = data.images
        for image in loaded:
            view = CaseImageView(image.view, images)
            view.show_pixels(image.pixels, image.attributes)
            view.setMinimumWidth(220)
            self.views[image.view] = view
            image_row.addWidget(view)
        splitter.addWidget(images)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(8, 0, 0, 0)
        self.table = self._scores_table(scores)
        side_layout.addWidget(QLabel(self.tr("Independent first reads (blinded raters)")))
        side_layout.addWidget(self.table, 1)
        history = data.history
        if history:
            last = history[-1]
            side_layout.addWidget(
                QLabel(
                    self.tr("Current consensus: {0} {1:g} by {2} (version {3})").format(
                        last.method, last.total, last.decided_by, last.version
                    )
                )
            )
        side_layout.addWidget(self._decision_box(scores, history))
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("&Record consensus"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.decided_by_list.setFocus()

    def _scores_table(self, scores) -> QTableWidget:
        rubric = self._study.rubric
        rows = [(item_label(item), item.key) for item in rubric.items]
        rows += [(component_label(component), component.key) for component in rubric.components]
        rows.append((self.tr("Total"), TOTAL))
        table = QTableWidget(len(rows), len(scores))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setHorizontalHeaderLabels([f"{r.rater}\n{r.group}" for r in scores.itertuples()])
        table.setVerticalHeaderLabels([label for label, _ in rows])
        bold = QFont()
        bold.setBold(True)
        for j, (_, rating) in enumerate(scores.iterrows()):
            for i, (_, key) in enumerate(rows):
                cell = QTableWidgetItem(str(int(rating[key])))
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if key == TOTAL:
                    cell.setFont(bold)
                    if rating[key] < self._cutoff:
                        cell.setBackground(QBrush(QColor("#fde2d0")))
                table.setItem(i, j, cell)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.horizontalHeader().setMinimumSectionSize(64)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.setMinimumWidth(table.verticalHeader().sizeHint().width() + 64 * max(1, len(scores)) + 24)
        return table

    def _decision_box(self, scores, history) -> QGroupBox:
        box = QGroupBox(self.tr("Consensus decision"))
        form = QFormLayout(box)
        self.method_combo = QComboBox()
        self.method_combo.addItem(self.tr("Adjudicator (one person)"), "adjudicated")
        self.method_combo.addItem(self.tr("Consensus panel (a meeting)"), "panel")
        form.addRow(self.tr("&Decided by:"), self._decided_by())
        form.addRow(self.tr("&Method:"), self.method_combo)
        self.total_spin = QSpinBox()
        self.total_spin.setRange(self._study.rubric.min_total, self._study.rubric.max_total)
        median = float(np.median(scores[TOTAL])) if len(scores) else float(self._cutoff)
        self.total_spin.setValue(int(round(history[-1].total if history else median)))
        self.total_spin.valueChanged.connect(self._total_changed)
        form.addRow(self.tr("RUSH &total:"), self.total_spin)
        self.status_combo = QComboBox()
        self.status_combo.addItem(self.tr("Slow healing (total below {0:g})").format(self._cutoff), True)
        self.status_combo.addItem(self.tr("Not slow healing"), False)
        self._total_changed(self.total_spin.value())
        form.addRow(self.tr("Healing &status:"), self.status_combo)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText(self.tr("What was decided and why (kept in the audit trail)"))
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(70)
        form.addRow(self.tr("&Note:"), self.note_edit)
        return box

    def _decided_by(self) -> QListWidget:
        """The known adjudicators, checkable (Space): one for an adjudicator, several for a panel."""
        self.decided_by_list = QListWidget()
        self.decided_by_list.setToolTip(self.tr(
            "The study coordinator and the consensus panel (Settings tab); Space checks a name"))
        for n, name in enumerate(self._adjudicators):
            label = self.tr("{0} (study coordinator)").format(name) if n == 0 else name
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.decided_by_list.addItem(item)
        self.decided_by_list.setCurrentRow(0)
        self.decided_by_list.setFixedHeight(min(110, 26 * self.decided_by_list.count() + 8))
        return self.decided_by_list

    def choose_deciders(self, *names: str) -> None:
        for row in range(self.decided_by_list.count()):
            item = self.decided_by_list.item(row)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in names
                               else Qt.CheckState.Unchecked)

    def deciders(self) -> list[str]:
        items = (self.decided_by_list.item(row) for row in range(self.decided_by_list.count()))
        return [i.data(Qt.ItemDataRole.UserRole) for i in items if i.checkState() == Qt.CheckState.Checked]

    def _total_changed(self, total: int) -> None:
        self.status_combo.setCurrentIndex(0 if total < self._cutoff else 1)

    def confirm_contradictions(self, problems: list[str]) -> bool:
        """Ask before recording a decision that contradicts itself or the raters (a note is required)."""
        if not self.note_edit.toPlainText().strip():
            QMessageBox.warning(self, self.tr("Say why in the note"), self.tr(
                "This consensus contradicts itself or its raters:\n{0}\n\n"
                "If it is meant, write in the note why, then record it again.").format("\n".join(problems)))
            self.note_edit.setFocus()
            return False
        answer = QMessageBox.question(
            self, self.tr("Record a contradicting consensus?"),
            self.tr("This consensus contradicts itself or its raters:\n{0}\n\nRecord it anyway, with your note?").format(
                "\n".join(problems)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def accept(self) -> None:
        """Record the decision off the GUI thread; one that contradicts itself is asked about first."""
        if self._recording:
            return
        self._record(confirmed=False)

    def _record(self, *, confirmed: bool) -> None:
        study, case = self._study, self.case
        decision = dict(decided_by=self.deciders(), method=self.method_combo.currentData(),
                        total=self.total_spin.value(), slow_healing=bool(self.status_combo.currentData()),
                        note=self.note_edit.toPlainText())

        def record(progress):
            # Asked on every attempt, so a confirmation covers exactly the problems it was shown.
            problems = contradictions(study, case, total=decision["total"], slow_healing=decision["slow_healing"])
            if problems and not confirmed:
                return problems
            return record_consensus(study, case, **decision, confirm_contradiction=bool(problems))

        self._set_recording(True)
        run_operation(self, record, done=self._recorded, failed=self._not_recorded, title=self.windowTitle(),
                      queue=study)

    def _set_recording(self, recording: bool) -> None:
        self._recording = recording
        self.save_button.setEnabled(not recording)  # no second consensus from a double click

    def _recorded(self, result) -> None:
        if not is_alive(self):
            return
        self._set_recording(False)
        if isinstance(result, list):  # contradictions, not yet confirmed
            if self.confirm_contradictions(result):
                self._record(confirmed=True)
            return
        self.record = result
        super().accept()

    def _not_recorded(self, exc: BaseException) -> None:
        if not is_alive(self):
            return
        self._set_recording(False)
        show_error(self, self.tr("Cannot record the consensus"), exc)

    def reject(self) -> None:
        if not self._recording:  # a consensus being written finishes first
            super().reject()
