"""The study admin password prompt: set on first use, asked for on every later opening."""

from __future__ import annotations

from ...domain.errors import RushRaterError
from ...services.admin import check_admin_password, has_admin_password, set_admin_password
from ...services.study import Study
from ..errors import show_error
from ..operations import run_operation
from ..qt import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget


class AdminPasswordDialog(QDialog):
    """Asks for the study admin password, or (first use) sets one, entered twice."""

    def __init__(self, study: Study, parent: QWidget | None = None):
        super().__init__(parent)
        self._study = study
        self._running = False
        self.first_use = not has_admin_password(study)
        self.setWindowTitle(self.tr("Coordinator console"))
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        if self.first_use:
            intro = self.tr(
                "The coordinator console shows every rater's scores and changes study settings, so it is "
                "protected by a study admin password. Choose one now (at least 8 characters); it is kept "
                "only as a scrypt hash in the study."
            )
        else:
            intro = self.tr("Enter the study admin password of “{0}”.").format(study.title)
        text = QLabel(intro)
        text.setWordWrap(True)
        layout.addWidget(text)
        form = QFormLayout()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("&Password:"), self.password_edit)
        self.repeat_edit = QLineEdit()
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        if self.first_use:
            form.addRow(self.tr("&Repeat:"), self.repeat_edit)
        layout.addLayout(form)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            self.tr("Set password and open") if self.first_use else self.tr("Open console")
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.buttons = buttons
        self.password_edit.setFocus()

    def _fail(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.password_edit.selectAll()
        self.password_edit.setFocus()

    def accept(self) -> None:
        if self._running:
            return
        password = self.password_edit.text()
        if self.first_use and password != self.repeat_edit.text():
            self._fail(self.tr("The two passwords differ; type the same password twice."))
            return
        study, first_use = self._study, self.first_use

        def work(progress) -> None:  # scrypt takes a moment, and setting it writes the study
            if first_use:
                set_admin_password(study, password)
            else:
                check_admin_password(study, password)

        self._running = True
        self.buttons.setEnabled(False)
        run_operation(self, work, done=self._unlocked, failed=self._refused, queue=study)

    def _unlocked(self, _result: None) -> None:
        self._running = False
        self.buttons.setEnabled(True)
        super().accept()

    def _refused(self, exc: BaseException) -> None:
        self._running = False
        self.buttons.setEnabled(True)
        if not isinstance(exc, RushRaterError):
            show_error(self, self.windowTitle(), exc)
            return
        self._fail(exc.message[:1].upper() + exc.message[1:] + (f". {exc.fix[:1].upper()}{exc.fix[1:]}." if exc.fix else ""))

    def reject(self) -> None:
        if self._running:  # the password is being set: let that finish
            return
        super().reject()


def unlock(study: Study, parent: QWidget | None = None) -> bool:
    """Ask for (or set) the admin password; True when the console may open."""
    return AdminPasswordDialog(study, parent).exec() == QDialog.DialogCode.Accepted
