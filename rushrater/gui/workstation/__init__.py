"""The rater's reading workstation: log in, then score case after case, blinded, keyboard first.

``run_workstation(study, rater=...)`` is what ``rushrater read`` calls; ``open_workstation`` is
what the start window's "Start reading…" action calls (inside a running app).
"""

from __future__ import annotations

from pathlib import Path

from ...domain.errors import RushRaterError
from ...services.reading import RaterChoice, ReadingSession, raters_for_login
from ...services.study import open_study
from ..qt import QDialog, QSettings, Qt, QWidget
from .dialogs import LoginDialog
from .window import WorkstationWindow

__all__ = ["LoginDialog", "WorkstationWindow", "open_workstation", "run_workstation"]


def _direct_session(study_path: Path, rater: str) -> ReadingSession | None:
    """Straight in when the study and a rater who needs no PIN are named; None when the dialog is needed."""
    study = open_study(study_path)
    try:
        choices: list[RaterChoice] = raters_for_login(study)
        wanted = rater.strip().lower()
        match = next((c for c in choices if wanted in (c.code.lower(), c.name.lower())), None)
        if match is None or match.has_pin or match.must_set_pin:
            study.close()
            return None
        return ReadingSession.login(study, match.code)
    except RushRaterError:
        study.close()
        raise


def open_workstation(
    parent: QWidget | None = None,
    *,
    study_path: Path | None = None,
    rater: str | None = None,
    settings: QSettings | None = None,
    always_ask: bool = False,
) -> WorkstationWindow | None:
    """Log in (a dialog, unless a PIN-less rater is named and ``always_ask`` is off) and show the
    workstation window."""
    direct = study_path is not None and rater and not always_ask
    session = _direct_session(study_path, rater) if direct else None
    if session is None:
        dialog = LoginDialog(settings, study_path=study_path, rater=rater, parent=parent)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.session is None:
            return None
        session = dialog.session
    window = WorkstationWindow(session)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.destroyed.connect(lambda *_: session.study.close())
    window.show()
    window.raise_()
    window.activateWindow()
    return window


def run_workstation(study_path: Path | None = None, *, rater: str | None = None) -> int:
    """``rushrater read``: the workstation as its own app; returns the event loop's exit code."""
    from ..app import application

    app = application()
    window = open_workstation(study_path=study_path, rater=rater)
    if window is None:
        return 0
    study = window.session.study
    try:
        code = app.exec()
    finally:
        study.close()
    return int(code)
