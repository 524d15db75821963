"""Starting the desktop app: ``run()`` makes the QApplication, shows the start window, runs the loop."""

from __future__ import annotations

import logging
import signal
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from pathlib import Path

from ..services.preferences import PreferenceStore
from .errors import show_error
from .i18n import install_translators
from .qt import QT_TRANSLATE_NOOP, QApplication, QCoreApplication, QEvent, QIcon, QObject, Qt, QTimer

if TYPE_CHECKING:
    from .start import StartWindow

APP_NAME = "RUSH Rater"
ORGANIZATION = "RUSH Rater"

ICON_PATH = Path(__file__).with_name("icons") / "rushrater.png"

log = logging.getLogger(__name__)


def application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, made once and named so QSettings finds the user's settings."""
    app = QApplication.instance()
    if app is None:
        # One GL share group: pyqtgraph keeps compiled shaders across its 3D views (gui/drr).
        QApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationVersion(_version())
    _install_translators(app)
    if ICON_PATH.is_file():
        app.setWindowIcon(QIcon(str(ICON_PATH)))
    return app  # type: ignore[return-value]


def _version() -> str:
    from .. import __version__

    return __version__


def _install_translators(app: QCoreApplication) -> None:
    """Qt's own strings (standard buttons) and ours, in the language the user chose in the
    preferences, else the operating system's, where translations exist. Installed once."""
    if getattr(app, "_rushrater_translators", None) is not None:
        return
    install_translators(app, PreferenceStore().load().language)


def run(study_path: Path | None = None, *, demo: DemoRequest | None = None) -> int:
    """Show the start window (opening ``study_path`` if given, or building and opening the demo
    study for ``demo``) and return the event loop's exit code."""
    # Here, not at the top: ``rushrater read`` uses application() and needs none of the start
    # window's imports (console, demo builder, statistics).
    from .start import StartWindow

    app = application()
    window = StartWindow(demo_path=demo.path, demo_builder=demo.builder) if demo is not None else StartWindow()
    window.show()
    previous_hook = sys.excepthook

    def report_unexpected(kind: type[BaseException], exc: BaseException, tb: types.TracebackType | None) -> None:
        # An exception escaping a slot: log it for the developers, tell the user in plain words.
        log.error("unexpected error", exc_info=(kind, exc, tb))
        if isinstance(exc, Exception):
            show_error(window if window.isVisible() else None, QCoreApplication.translate("App", "RUSH Rater"), exc)

    sys.excepthook = report_unexpected
    previous_term = _close_on_sigterm(window)
    opener = _FileOpenFilter(window)  # macOS: a study link double-clicked in Finder arrives as an event
    app.installEventFilter(opener)
    try:
        if study_path is not None:
            window.open_study_path(study_path)
        elif demo is not None:
            window.open_demo()  # the window is up at once; the build's steps show in it
        code = app.exec()
        window.wait_for_background_work()
    finally:
        app.removeEventFilter(opener)
        sys.excepthook = previous_hook
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
        window.close_study()
        window.deleteLater()
    return int(code)


@dataclass
class DemoRequest:
    """``rushrater demo`` in the desktop app: where to build it, afresh or not, and how many patients."""

    path: Path
    fresh: bool = False
    patients: int | None = None
    echo: Callable[[str], None] | None = None  # also told each step (the terminal)

    def builder(self, path: Path, progress: Callable[[str], None]):
        """Runs on the operation thread (gui.operations): the steps are translated there, as they arrive."""
        from ..services.demo import DEFAULT_PATIENTS, build_or_open_demo

        def step(message: str) -> None:
            if self.echo is not None:
                self.echo(message)
            progress(demo_step_text(message))

        return build_or_open_demo(path, fresh=self.fresh, patients=self.patients or DEFAULT_PATIENTS, progress=step)


# The demo builder's steps (rushrater.services.demo.DEMO_STEPS), for lupdate; the core has no Qt.
DEMO_STEP_TEXTS = (
    QT_TRANSLATE_NOOP("DemoBuild", "Rendering synthetic hip radiographs…"),
    QT_TRANSLATE_NOOP("DemoBuild", "De-identifying and importing them through the manifest import…"),
    QT_TRANSLATE_NOOP("DemoBuild", "Enrolling six raters and planning their reading lists…"),
    QT_TRANSLATE_NOOP("DemoBuild", "Simulating ratings for five of the six raters…"),
)


def demo_step_text(message: str) -> str:
    """'Step 2 of 4: …' in the interface language for a known step; other messages as they are."""
    if message not in DEMO_STEP_TEXTS:
        return message
    return QCoreApplication.translate("DemoBuild", "Building the demo study, step {0} of {1}: {2}").format(
        DEMO_STEP_TEXTS.index(message) + 1, len(DEMO_STEP_TEXTS), QCoreApplication.translate("DemoBuild", message))


def _close_on_sigterm(window: "StartWindow"):
    """On SIGTERM (logout, shutdown, ``kill``) close the window as if the user did: window state is
    saved and open studies are closed, and the app exits with status 0. Python runs signal handlers
    only between bytecodes, so a timer gives the interpreter a moment every 200 ms while Qt waits.
    Returns the previous handler (None where SIGTERM cannot be handled, e.g. not the main thread)."""
    try:
        previous = signal.signal(signal.SIGTERM, lambda *_: QTimer.singleShot(0, _quit_all))
    except (ValueError, OSError, AttributeError):
        return None
    tick = QTimer(window)
    tick.timeout.connect(lambda: None)
    tick.start(200)
    return previous


def _quit_all() -> None:
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.close()
    QCoreApplication.quit()


class _FileOpenFilter(QObject):
    """Opens the study of a file-open event: how macOS hands the app a double-clicked ``.rushrater``
    link (Linux and Windows pass it on the command line, ``rushrater gui PATH``)."""

    def __init__(self, window: "StartWindow"):
        super().__init__(window)
        self._window = window

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.FileOpen and event.file():
            self._window.open_study_path(event.file())
            return True
        return False
