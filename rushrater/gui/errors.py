"""Showing a failed service call to the user: the problem, where, and what to do; never a traceback."""

from __future__ import annotations

import logging

from ..domain.errors import RushRaterError
from .core_text import core_text
from .qt import QCoreApplication, QMessageBox, Qt, QWidget

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("ErrorMessage", text)


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def describe(exc: BaseException) -> tuple[str, str]:
    """``(message, details)`` for a message box: the problem, then where it is and what to do.

    Errors the user can fix (:class:`RushRaterError`, operating-system errors) are described in their
    own words. Anything else is a bug: it is logged with its traceback and described briefly.
    """
    details: list[str] = []
    if isinstance(exc, RushRaterError):
        # The core's English, in the user's language and with GUI advice (File ▸ New study, not the CLI).
        message = _sentence(core_text(exc.message))
        if exc.where:
            details.append(_tr("Where: {0}").format(exc.where))
        if exc.fix:
            details.append(_tr("What to do: {0}").format(core_text(exc.fix)))
    elif isinstance(exc, OSError):
        message = _sentence(exc.strerror or str(exc))
        if exc.filename:
            details.append(_tr("Where: {0}").format(exc.filename))
        details.append(_tr("What to do: check that the folder exists and that you may read and write it."))
    else:
        log.error("unexpected error", exc_info=exc)
        message = _tr("An unexpected error stopped this action: {0}").format(exc or type(exc).__name__)
        details.append(
            _tr("Nothing was changed by the failed step. Please report this problem with the log output.")
        )
    return message, "\n\n".join(details)


def show_error(parent: QWidget | None, title: str, exc: BaseException) -> None:
    message, details = describe(exc)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(message)
    if details:
        box.setInformativeText(details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()
