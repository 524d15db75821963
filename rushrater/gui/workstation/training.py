"""Rater training at the workstation (issue 17): a training case's caption, and after each training
submit the rater's scores beside the reference, item by item (:class:`TrainingFeedbackDialog`).

The dialog is window-modal but does not block: the next case loads behind it; Enter or Esc closes it.
"""

from __future__ import annotations

from ...services.reading import CaseView
from ...services.training import TrainingFeedback
from ..i18n import item_label
from ..qt import (
    QBrush,
    QColor,
    QCoreApplication,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

AGREE = QColor("#2f6b3a")
DIFFER = QColor("#7a3b2e")


def _cell(text: str, colour: QColor | None = None) -> QTableWidgetItem:
    cell = QTableWidgetItem(text)
    cell.setTextAlignment(Qt.AlignCenter)
    cell.setFlags(Qt.ItemIsEnabled)
    if colour is not None:
        cell.setBackground(QBrush(colour))
    return cell


class TrainingFeedbackDialog(QDialog):
    """The rater's scores of a training case beside the reference, with the totals and, once the
    round is done, whether they passed."""

    def __init__(self, feedback: TrainingFeedback, parent: QWidget | None = None):
        super().__init__(parent)
        self.feedback = feedback
        self.setObjectName("trainingFeedback")
        self.setWindowTitle(self.tr("Training case {0} of {1}: your scores and the reference").format(
            feedback.done, feedback.of))
        self.setMinimumSize(620, 520)
        # The workstation's dark theme (its style sheet colours labels light for a dark background).
        self.setStyleSheet(
            "QDialog#trainingFeedback { background: #222327; } QLabel { color: #d9dadc; font-size: 11pt; } "
            "QTableWidget { background: #26282c; color: #e6e6e6; gridline-color: #3a3d42; border: none; } "
            "QHeaderView::section { background: #2f3236; color: #c9cbd0; border: none; padding: 4px; }"
        )
        layout = QVBoxLayout(self)
        self.summary = QLabel(self.tr("You agreed with the reference on {0} of {1} items.").format(
            feedback.agreeing, len(feedback.items)))
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(len(feedback.items) + 1, 3)
        self.table.setHorizontalHeaderLabels([self.tr("Item"), self.tr("Yours"), self.tr("Reference")])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setFocusPolicy(Qt.NoFocus)
        rubric_items = {item.key: item for item in self._rubric_items(parent)}
        for row, item in enumerate(feedback.items):
            colour = AGREE if item.agrees else DIFFER
            label = item_label(rubric_items[item.key]) if item.key in rubric_items else item.label
            name = QTableWidgetItem(label)
            name.setFlags(Qt.ItemIsEnabled)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, _cell(str(item.yours), colour))
            self.table.setItem(row, 2, _cell(str(item.reference), colour))
        last = len(feedback.items)
        total = QTableWidgetItem(self.tr("Total"))
        total.setFlags(Qt.ItemIsEnabled)
        font = total.font()
        font.setBold(True)
        total.setFont(font)
        self.table.setItem(last, 0, total)
        colour = AGREE if feedback.total == feedback.reference_total else DIFFER
        self.table.setItem(last, 1, _cell(str(feedback.total), colour))
        self.table.setItem(last, 2, _cell(str(feedback.reference_total), colour))
        layout.addWidget(self.table)
        self.result = QLabel(self._result_text())
        self.result.setWordWrap(True)
        layout.addWidget(self.result)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok)
        buttons.button(QDialogButtonBox.Ok).setText(self.tr("Next case (Enter)"))
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        buttons.button(QDialogButtonBox.Ok).setDefault(True)
        buttons.button(QDialogButtonBox.Ok).setFocus()

    @staticmethod
    def _rubric_items(parent):
        session = getattr(parent, "session", None)
        return session.rubric.items if session is not None else ()

    def _result_text(self) -> str:
        status = self.feedback.status
        if status is None:
            return self.tr("Training case {0} of {1} done.").format(self.feedback.done, self.feedback.of)
        kappa = status.kappa.get("total")
        kappa_text = self.tr("n/a") if kappa is None else f"{kappa:.2f}"
        bias_text = self.tr("n/a") if status.bias is None else f"{status.bias:+.2f}"
        if status.passed:
            return self.tr("Training round done: weighted kappa of your totals {0}, bias {1} points. "
                           "You passed.").format(kappa_text, bias_text)
        return self.tr("Training round done: weighted kappa of your totals {0}, bias {1} points. "
                       "Not passed yet; the study coordinator sees your results.").format(kappa_text, bias_text)


def show_feedback(window, feedback: TrainingFeedback | None) -> TrainingFeedbackDialog | None:
    """Open the feedback over the workstation (non-blocking) after a training submit."""
    if not isinstance(feedback, TrainingFeedback):
        return None
    dialog = TrainingFeedbackDialog(feedback, window)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.open()
    window.training_feedback = dialog
    return dialog


def mark_case(window, case: CaseView) -> None:
    """Caption a training case so the rater knows it does not count in the study."""
    if case.training:
        window.case_label.setText(
            QCoreApplication.translate("TrainingFeedbackDialog", "Training case {0} of {1}").format(case.number, case.total)
        )
