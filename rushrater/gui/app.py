"""Starting the desktop app: ``run()`` makes the QApplication, shows the start window, runs the loop."""

from __future__ import annotations

import logging
import sys
import types
from pathlib import Path

from .errors import show_error
from .qt import QApplication, QCoreApplication, QLibraryInfo, QLocale, QTranslator
from .start_window import StartWindow

APP_NAME = "RUSH Rater"
ORGANIZATION = "RUSH Rater"
TRANSLATIONS_DIR = Path(__file__).with_name("translations")

log = logging.getLogger(__name__)


def application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, made once and named so QSettings finds the user's settings."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationVersion(_version())
    _install_translators(app)
    return app  # type: ignore[return-value]


def _version() -> str:
    from .. import __version__

    return __version__


def _install_translators(app: QCoreApplication) -> None:
    """Qt's own strings (standard buttons) and ours, in the user's language, where translations exist."""
    if getattr(app, "_rushrater_translators", None) is not None:
        return
    locale = QLocale()
    installed = []
    qt_translator = QTranslator(app)
    if qt_translator.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_translator)
        installed.append(qt_translator)
    ours = QTranslator(app)
    if TRANSLATIONS_DIR.is_dir() and ours.load(locale, "rushrater", "_", str(TRANSLATIONS_DIR)):
        app.installTranslator(ours)
        installed.append(ours)
    app._rushrater_translators = installed  # keep them alive, and install once


def run(study_path: Path | None = None) -> int:
    """Show the start window (opening ``study_path`` if given) and return the event loop's exit code."""
    app = application()
    window = StartWindow()
    window.show()
    previous_hook = sys.excepthook

    def report_unexpected(kind: type[BaseException], exc: BaseException, tb: types.TracebackType | None) -> None:
        # An exception escaping a slot: log it for the developers, tell the user in plain words.
        log.error("unexpected error", exc_info=(kind, exc, tb))
        if isinstance(exc, Exception):
            show_error(window if window.isVisible() else None, QCoreApplication.translate("App", "RUSH Rater"), exc)

    sys.excepthook = report_unexpected
    try:
        if study_path is not None:
            window.open_study_path(study_path)
        code = app.exec()
        window.wait_for_background_work()
    finally:
        sys.excepthook = previous_hook
        window.close_study()
        window.deleteLater()
    return int(code)
