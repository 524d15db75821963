"""The core's fixed English messages (errors, statistics notes, discordance reasons) in the user's
language, looked up when the GUI shows them.

The core never imports Qt, so its messages are plain English built from templates such as
``f"totals span {s:g} points (> {limit:g})"``. Here a message is turned back into its template
(numbers and quoted names become ``{0}``, ``{1}``…), the template is translated in the
"CoreMessage" context, and the values are put back. A message whose template has no translation is
shown as the core wrote it. The templates are listed below with QT_TRANSLATE_NOOP so that
pyside6-lupdate collects them into the .ts; add a core message here when the GUI starts showing it.
"""

from __future__ import annotations

import re

from .qt import QT_TRANSLATE_NOOP, QCoreApplication

CONTEXT = "CoreMessage"


# The command-line advice in core errors, said the way a GUI user does it (translated in turn).
GUI_WORDING = {
    "check the path, or create the study with `rushrater init`":
        QT_TRANSLATE_NOOP("CoreMessage", "check the path, or create a study with File ▸ New study…"),
    "point to a folder made by `rushrater init`, or create one there with `rushrater init`":
        QT_TRANSLATE_NOOP("CoreMessage", "choose a study folder (or its study.db), or create a study with File ▸ New study…"),
    "point to a folder made by `rushrater init`, or create one with `rushrater init`":
        QT_TRANSLATE_NOOP("CoreMessage", "choose a study folder (or its study.db), or create a study with File ▸ New study…"),
    "check the database name in the URL, or create the study with `rushrater init URL`":
        QT_TRANSLATE_NOOP("CoreMessage", "check the database name, or create a study there with File ▸ New study…"),
    "check the database name in the URL; create a study in an empty database with `rushrater init URL`":
        QT_TRANSLATE_NOOP("CoreMessage", "check the database name; create a study in an empty database with File ▸ New study…"),
}

TEMPLATES = (
    # services/study.py, storage/database.py
    QT_TRANSLATE_NOOP("CoreMessage", "no such study"),
    QT_TRANSLATE_NOOP("CoreMessage", "not a RUSH Rater study (no study.db in this folder)"),
    QT_TRANSLATE_NOOP("CoreMessage", "this database is not a RUSH Rater study (no study tables)"),
    QT_TRANSLATE_NOOP("CoreMessage", "check the path; if the file is damaged, restore it from the study's backups/ folder"),
    # services/consensus.py: why a case is discordant
    QT_TRANSLATE_NOOP("CoreMessage", "totals span {0} points (> {1})"),
    QT_TRANSLATE_NOOP("CoreMessage", "healing status split ({0} of {1} below {2})"),
    QT_TRANSLATE_NOOP("CoreMessage", "an adjudicated consensus is decided by one person"),
    # stats and services/agreement.py notes shown in the console
    QT_TRANSLATE_NOOP("CoreMessage", "fewer than two targets were rated by all raters ({0}): complete-case ICCs are NaN"),
    QT_TRANSLATE_NOOP("CoreMessage", "all complete-case ratings equal {0}: zero variance, ICCs are undefined (NaN)"),
    QT_TRANSLATE_NOOP("CoreMessage", "all-available estimate: the {0} variance is on the boundary ({1})"),
    QT_TRANSLATE_NOOP("CoreMessage", "no target has two ratings: agreement undefined"),
    QT_TRANSLATE_NOOP("CoreMessage", "no scored first reads yet: nothing to analyse"),
    QT_TRANSLATE_NOOP("CoreMessage", "mean of others averages different raters for some targets (incomplete data)"),
    # consensus methods (the Decided column)
    QT_TRANSLATE_NOOP("CoreMessage", "adjudicated"),
    QT_TRANSLATE_NOOP("CoreMessage", "panel"),
    QT_TRANSLATE_NOOP("CoreMessage", "mean"),
    QT_TRANSLATE_NOOP("CoreMessage", "median"),
)

# Values inside a message: quoted names and numbers (a trailing ":g"-style number included).
_VALUE = re.compile(r"'[^']*'|\"[^\"]*\"|(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")


def _template(text: str) -> tuple[str, list[str]]:
    values: list[str] = []

    def keep(match: re.Match) -> str:
        values.append(match.group(0))
        return "{%d}" % (len(values) - 1)

    return _VALUE.sub(keep, text), values


def core_text(text: str | None) -> str:
    """``text`` from the core in the user's language (as it is when no translation matches)."""
    if not text:
        return text or ""
    if text in GUI_WORDING:
        return QCoreApplication.translate(CONTEXT, GUI_WORDING[text])
    whole = QCoreApplication.translate(CONTEXT, text)
    if whole != text:
        return whole
    if "; " in text:  # several notes joined: each on its own
        return "; ".join(core_text(part) for part in text.split("; "))
    template, values = _template(text)
    if not values:
        return text
    translated = QCoreApplication.translate(CONTEXT, template)
    if translated == template:
        return text
    return translated.format(*values)
