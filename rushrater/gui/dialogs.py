"""Form-dialog pieces shared by the windows' small dialogs: a muted hint under a field, and the
Cancel / accept button row (the start window's and the console's dialogs use them)."""

from __future__ import annotations

from .qt import QDialog, QDialogButtonBox, QFormLayout, QLabel, QPalette, QSizePolicy, QVBoxLayout


def hint_label(text: str = "") -> QLabel:
    """A wrapped, muted line of explanation under a form field."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return label


def finish_form_dialog(dialog: QDialog, form: QFormLayout, accept_text: str, *, spacing: int = 8):
    """Lay out ``form`` above Cancel and a default accept button; returns (button box, accept button)."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    accept = buttons.addButton(accept_text, QDialogButtonBox.ButtonRole.AcceptRole)
    accept.setDefault(True)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    if spacing:
        layout.addSpacing(spacing)
    layout.addWidget(buttons)
    return buttons, accept
