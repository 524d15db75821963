"""File ▸ Open database study…: the address of a study on a PostgreSQL server, and a password."""

from __future__ import annotations

from ...services.study import study_url
from ..qt import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout


class OpenDatabaseDialog(QDialog):
    """Asks for ``postgresql://USER@SERVER:5432/DATABASE`` and the login's password.

    The password is never saved: it is kept in memory for this session only (PGPASSWORD or
    ~/.pgpass also work and leave the field empty).
    """

    def __init__(self, parent=None, url: str = ""):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Open a database study"))
        self.setMinimumWidth(520)
        intro = QLabel(
            self.tr(
                "A study shared by several hospitals lives on a PostgreSQL server. "
                "Type its address as your coordinator gave it, and your database password."
            )
        )
        intro.setWordWrap(True)
        self.url_edit = QLineEdit(url)
        self.url_edit.setPlaceholderText("postgresql://rater_lee@studyserver:5432/hipstudy")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr("leave empty if PGPASSWORD or ~/.pgpass holds it"))
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        form = QFormLayout()
        form.addRow(self.tr("&Address:"), self.url_edit)
        form.addRow(self.tr("&Password:"), self.password_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.url_edit.setFocus()
        self._url = ""

    def accept(self) -> None:
        try:
            self._url = study_url(self.url_edit.text(), self.password_edit.text())
        except Exception as exc:  # a ValidationError in the user's terms
            self.error_label.setText(getattr(exc, "message", str(exc)) + "\n" + (getattr(exc, "fix", "") or ""))
            self.error_label.show()
            self.url_edit.setFocus()
            return
        super().accept()

    def url(self) -> str:
        """The address with the password, for open_study (never shown or stored)."""
        return self._url
