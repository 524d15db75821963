"""Helpers for translatable text.

Counted phrases use Qt's numerus form so translators can give every plural form:
``plural(self.tr("%n case(s)", "", n), n)``. Without a translation Qt returns the English source
with ``%n`` filled in; :func:`plural` then settles the English "(s)".
"""

from __future__ import annotations


def plural(text: str, n: int) -> str:
    return text.replace("(s)", "" if n == 1 else "s")


# --- loading translations --------------------------------------------------------------------------
# Qt's translation system: every visible string goes through tr() / QCoreApplication.translate, the
# sources are resources/translations/rushrater_<lang>.ts, compiled to .qm by pyside6-lrelease into
# rushrater/gui/translations/. The compiled .qm are committed (package data, so a plain
# `pip install -e .` or a wheel has them; tests/gui/test_packaged_translations.py checks they match
# the .ts): compiling at install time would need PySide6 in the build requirements (hundreds of MB
# for every build) and setuptools' editable installs skip build steps anyway.

import re  # noqa: E402
from pathlib import Path  # noqa: E402

from .qt import QCoreApplication, QLibraryInfo, QLocale, QTranslator  # noqa: E402

TRANSLATIONS_DIR = Path(__file__).with_name("translations")
RUBRIC_CONTEXT = "Rubric"


def ui_locale(language: str = "") -> QLocale:
    """The interface locale: the preference if one is set, else the operating system's."""
    return QLocale(language) if language else QLocale.system()


def install_translators(app: QCoreApplication, language: str = "", directory: Path | None = None) -> list[QTranslator]:
    """Install Qt's own translation (standard buttons, dialogs) and ours for ``language`` ("" = the
    OS locale), replacing any installed before. Returns the translators that loaded."""
    remove_translators(app)
    locale = ui_locale(language)
    QLocale.setDefault(locale)
    installed: list[QTranslator] = []
    missing = ""
    if locale.language() != QLocale.Language.English:
        qt_translator = QTranslator(app)
        if qt_translator.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(qt_translator)
            installed.append(qt_translator)
        ours = QTranslator(app)
        folder = directory if directory is not None else TRANSLATIONS_DIR
        if folder.is_dir() and ours.load(locale, "rushrater", "_", str(folder)):
            app.installTranslator(ours)
            installed.append(ours)
        elif language:  # asked for by name and not there: the start window says so
            missing = language
    app._rushrater_translators = installed  # keep them alive (Qt does not own them)
    app._rushrater_missing_language = missing if language and locale.language() != QLocale.Language.English else ""
    return installed


def translation_available(language: str, directory: Path | None = None) -> bool:
    """Whether ``language`` (e.g. "zh_CN") can be shown: English always, others with their .qm."""
    if not language or QLocale(language).language() == QLocale.Language.English:
        return True
    folder = directory if directory is not None else TRANSLATIONS_DIR
    return QTranslator().load(QLocale(language), "rushrater", "_", str(folder))


def missing_language(app: QCoreApplication) -> str:
    """The language the user chose whose translation did not load ("" when none is missing)."""
    return getattr(app, "_rushrater_missing_language", "") or ""


def remove_translators(app: QCoreApplication) -> None:
    for translator in getattr(app, "_rushrater_translators", None) or []:
        app.removeTranslator(translator)
    app._rushrater_translators = []
    app._rushrater_missing_language = ""  # back to English: nothing is missing any more


def rubric_text(text: str, key: str, part: str) -> str:
    """A rubric text from the study database, in the user's language.

    The database wording is the translation source and ``<item key>.<part>`` (e.g.
    ``bridging_medial.label``, ``trab_fxline.level2``) tells translators which text it is; a study
    that edited its wording shows that wording untranslated rather than a translation of other words.
    """
    return QCoreApplication.translate(RUBRIC_CONTEXT, text, f"{key}.{part}")


def item_label(item) -> str:
    return rubric_text(item.label, item.key, "label")


def item_definition(item) -> str:
    return rubric_text(item.definition, item.key, "definition")


def level_anchor(item, value: int) -> str:
    return rubric_text(item.anchor(value), item.key, f"level{value}")


def component_label(component) -> str:
    return rubric_text(component.label, component.key, "label")


def rubric_name(rubric) -> str:
    return rubric_text(rubric.name, rubric.key, "name")


def timepoint_label(key: str, label: str) -> str:
    """A time point's label in the user's language when RUSH Rater made it from the key
    (``month1`` → "Month 1"); a label the coordinator chose is shown as it is."""
    match = re.fullmatch(r"(day|week|month|year)(\d+)", key)
    if match and label == f"{match.group(1).capitalize()} {match.group(2)}":
        unit, number = match.groups()
        texts = {
            "day": QCoreApplication.translate("Timepoint", "Day {0}"),
            "week": QCoreApplication.translate("Timepoint", "Week {0}"),
            "month": QCoreApplication.translate("Timepoint", "Month {0}"),
            "year": QCoreApplication.translate("Timepoint", "Year {0}"),
        }
        return texts[unit].format(number)
    special = {
        ("preop", "Pre-operative"): QCoreApplication.translate("Timepoint", "Pre-operative"),
        ("postop", "Post-operative"): QCoreApplication.translate("Timepoint", "Post-operative"),
        ("final", "Final follow-up"): QCoreApplication.translate("Timepoint", "Final follow-up"),
    }
    return special.get((key, label), label)
