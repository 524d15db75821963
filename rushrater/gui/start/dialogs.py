"""The start window's small dialogs: create a study, enrol a rater.

Each dialog is given the service call to make. The call runs as an operation (off the GUI thread);
while it runs the dialog's buttons are disabled, so one click makes one study or one rater. When the
call fails the error is shown and the dialog stays open with what was typed, so the user can correct it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...domain.errors import RushRaterError, ValidationError
from ...domain.timepoints import parse_timepoints
from ..dialogs import finish_form_dialog, hint_label
from ..errors import show_error
from ..i18n import timepoint_label
from ..operations import run_operation
from ..qt import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)


class _ServiceDialog(QDialog):
    """A form whose accept runs one service call as an operation and closes only when it succeeded."""

    def __init__(self, parent: QWidget | None, queue: object = None):
        super().__init__(parent)
        self._queue = queue
        self._running = False
        #: what the service call returned, once the dialog is accepted
        self.result_value: Any = None

    @property
    def running(self) -> bool:
        return self._running

    def _submit(self, call: Callable[[], Any], error_title: str) -> None:
        if self._running:
            return
        self._running = True
        self.buttons.setEnabled(False)
        run_operation(self, lambda progress: call(), done=self._succeeded,
                      failed=lambda exc: self._failed(error_title, exc), title=error_title, queue=self._queue)

    def _succeeded(self, value: Any) -> None:
        self._running = False
        self.buttons.setEnabled(True)
        self.result_value = value
        super().accept()

    def _failed(self, title: str, exc: BaseException) -> None:
        self._running = False
        self.buttons.setEnabled(True)
        self._update()
        show_error(self, title, exc)  # shown to the user; the dialog stays open to correct the input

    def _update(self) -> None:
        """Enable the accept button when the form is complete (each dialog says when)."""

    def reject(self) -> None:
        if self._running:  # the call is under way: its result must reach the window
            return
        super().reject()


class NewStudyDialog(_ServiceDialog):
    """Folder, title and time points for :func:`rushrater.services.study.create_study`."""

    def __init__(self, create: Callable[[Path, str, str], Any], start_dir: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._create = create
        self._start_dir = start_dir
        self.setWindowTitle(self.tr("New study"))
        self.setMinimumWidth(560)

        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText(self.tr("A new or empty folder"))
        self.browse_button = QPushButton(self.tr("&Browse…"))
        self.browse_button.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)

        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(self.tr("e.g. Hip fracture healing 2026"))
        self.title_edit.setMaxLength(200)

        self.timepoints_edit = QLineEdit("day1,month1")
        self.timepoints_preview = hint_label("")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        folder_label = QLabel(self.tr("&Folder:"))
        folder_label.setBuddy(self.folder_edit)
        form.addRow(folder_label, folder_row)
        form.addRow("", hint_label(self.tr("The study keeps its database, de-identified images and reports in this folder.")))
        form.addRow(self.tr("&Title:"), self.title_edit)
        form.addRow(self.tr("T&ime points:"), self.timepoints_edit)
        form.addRow("", self.timepoints_preview)

        self.buttons, self.create_button = finish_form_dialog(self, form, self.tr("&Create study"))

        for edit in (self.folder_edit, self.title_edit, self.timepoints_edit):
            edit.textChanged.connect(self._update)
        self._update()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Choose a new or empty folder for the study"), self.folder_edit.text() or self._start_dir
        )
        if folder:
            self.folder_edit.setText(folder)

    def _update(self) -> None:
        valid_timepoints = True
        try:
            specs = parse_timepoints(self.timepoints_edit.text())
        except RushRaterError as exc:
            valid_timepoints = False
            self.timepoints_preview.setText(self.tr("Not valid: {0}").format(exc.fix or exc.message))
        else:
            self.timepoints_preview.setText(
                self.tr("In order, comma-separated. Reads as: {0}").format(" → ".join(timepoint_label(s.key, s.label) for s in specs))
            )
        ready = bool(self.folder_edit.text().strip() and self.title_edit.text().strip() and valid_timepoints)
        self.create_button.setEnabled(ready)

    def accept(self) -> None:
        folder, title, timepoints = Path(self.folder_edit.text().strip()), self.title_edit.text(), self.timepoints_edit.text()
        self._submit(lambda: self._create(folder, title, timepoints), self.tr("Cannot create the study"))


class EnrolRaterDialog(_ServiceDialog):
    """Name, group, optional code and optional PIN for :func:`rushrater.services.raters.add_rater`.

    The PIN may be left empty: the rater then chooses it at their first login, so nobody else ever
    knows it (the coordinator sets one here only when the rater sits beside them)."""

    SUGGESTED_GROUPS = ("resident", "attending")

    def __init__(
        self, enrol: Callable[[str, str, str | None, str | None], Any], groups: list[str],
        parent: QWidget | None = None, *, queue: object = None
    ):
        super().__init__(parent, queue)
        self._enrol = enrol
        self.setWindowTitle(self.tr("Enrol rater"))
        self.setMinimumWidth(420)

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(self.tr("e.g. Dr Jane Smith"))
        self.name_edit.setMaxLength(100)
        self.group_combo = QComboBox()
        self.group_combo.setEditable(True)
        self.group_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.group_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        choices = list(groups) or list(self.SUGGESTED_GROUPS)
        self.group_combo.addItems(choices)
        self.group_combo.setCurrentText(choices[0] if groups else "")
        self.group_combo.lineEdit().setPlaceholderText(self.tr("e.g. resident or attending"))
        self.code_edit = QLineEdit()
        self.code_edit.setMaxLength(20)
        self.code_edit.setPlaceholderText(self.tr("automatic (next free R01, R02, …)"))
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setPlaceholderText(self.tr("empty: the rater chooses it at first login"))
        self.pin_again = QLineEdit()
        self.pin_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_again.setPlaceholderText(self.tr("the same PIN again"))

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self.tr("&Name:"), self.name_edit)
        form.addRow(self.tr("&Group:"), self.group_combo)
        form.addRow(self.tr("&Code:"), self.code_edit)
        form.addRow(self.tr("&PIN:"), self.pin_edit)
        form.addRow("", self.pin_again)
        form.addRow(
            "",
            hint_label(self.tr("Raters in the same group are compared with each other; a new group is made if needed.")),
        )

        self.buttons, self.enrol_button = finish_form_dialog(self, form, self.tr("&Enrol"))

        self.name_edit.textChanged.connect(self._update)
        self.group_combo.editTextChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.enrol_button.setEnabled(bool(self.name_edit.text().strip() and self.group_combo.currentText().strip()))

    def accept(self) -> None:
        title = self.tr("Cannot enrol the rater")
        if self.pin_edit.text() != self.pin_again.text():
            show_error(self, title, ValidationError("the two PINs differ", fix="type the same PIN twice, or leave both empty"))
            return
        name, group = self.name_edit.text(), self.group_combo.currentText()
        code, pin = self.code_edit.text().strip() or None, self.pin_edit.text() or None
        self._submit(lambda: self._enrol(name, group, code, pin), title)
