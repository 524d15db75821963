"""The rater's reading workstation: log in, then score case after case, blinded, keyboard first.

``run_workstation(study, rater=...)`` is what ``rushrater read`` calls; ``open_workstation`` is
what the start window's "Start reading…" action calls (inside a running app).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ...domain.errors import RushRaterError
from ...services.reading import RaterChoice, ReadingSession, raters_for_login
from ...services.study import open_study
from ..operations import run_operation
from ..qt import QDialog, QEventLoop, QSettings, Qt, QTimer, QWidget
from .dialogs import LoginDialog
from .window import WorkstationWindow

__all__ = ["LoginDialog", "WorkstationWindow", "open_workstation", "run_workstation"]


_OPEN_WINDOWS: set[WorkstationWindow] = set()


def _find_direct_session(study_path: Path, rater: str) -> ReadingSession | None:
    """Straight in when the study and a rater who needs no PIN are named; None when the dialog is needed.
    Runs on the operation thread."""
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


def _direct_session(parent: QWidget | None, study_path: Path, rater: str) -> ReadingSession | None:
    """:func:`_find_direct_session` off the GUI thread; the app's events go on meanwhile (as under a
    modal dialog) and the answer comes back here, so callers get a window or None as before."""
    loop = QEventLoop()
    answer: dict = {}

    def finish(key: str, value) -> None:
        answer[key] = value
        loop.quit()

    run_operation(parent, lambda _p: _find_direct_session(study_path, rater),
                  done=lambda session: finish("session", session), failed=lambda exc: finish("error", exc))
    if not answer:  # delivered through the event loop, never before it runs
        loop.exec()
    if "error" in answer:
        raise answer["error"]
    return answer.get("session")


def open_workstation(
    parent: QWidget | None = None,
    *,
    study_path: Path | None = None,
    rater: str | None = None,
    settings: QSettings | None = None,
    always_ask: bool = False,
    on_end: Callable[[], None] | None = None,
) -> WorkstationWindow | None:
    """Log in (a dialog, unless a PIN-less rater is named and ``always_ask`` is off) and show the
    workstation window.

    When the rater logs out (Ctrl+W) the login dialog comes back for the same study, for the next
    rater; ``on_end`` is called when the workstation is left for good (closed, or that login cancelled).
    """
    direct = study_path is not None and rater and not always_ask
    session = _direct_session(parent, study_path, rater) if direct else None
    if session is None:
        dialog = LoginDialog(settings, study_path=study_path, rater=rater, parent=parent)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.session is None:
            return None
        session = dialog.session
    window = WorkstationWindow(session)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.destroyed.connect(lambda *_: session.study.close())
    # Held here until it closes: after a log-out nobody else keeps the next rater's window.
    _OPEN_WINDOWS.add(window)
    window.ended.connect(lambda *_: _OPEN_WINDOWS.discard(window))
    again_at = study_path if study_path is not None else session.study.root

    def log_in_again() -> None:
        again = open_workstation(parent, study_path=again_at, settings=settings, always_ask=True, on_end=on_end)
        if again is None and on_end is not None:
            on_end()

    def ended(logged_out: bool) -> None:
        session.study.close()  # the next rater's login opens the study afresh
        if logged_out:
            QTimer.singleShot(0, log_in_again)  # after this window has gone
        elif on_end is not None:
            on_end()

    window.ended.connect(ended)
    window.show()
    window.raise_()
    window.activateWindow()
    return window


def run_workstation(study_path: Path | None = None, *, rater: str | None = None) -> int:
    """``rushrater read``: the workstation as its own app; returns the event loop's exit code."""
    from ..app import application

    app = application()
    # Between a log-out and the next login no window is open: the app ends only when the
    # workstation does (Ctrl+Q, closed, or the login cancelled).
    app.setQuitOnLastWindowClosed(False)
    window = open_workstation(study_path=study_path, rater=rater, on_end=app.quit)
    if window is None:
        return 0
    study = window.session.study
    try:
        code = app.exec()
    finally:
        study.close()
    return int(code)
