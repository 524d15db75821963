"""The compiled translations ship with the package: a plain ``pip install -e .`` or a wheel shows
the interface in Chinese without running packaging/quickstart, and the committed .qm match the .ts
sources (a .ts edited without recompiling fails here: run pyside6-lrelease, see gui/i18n.py)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the translation tests need PySide6")

import importlib.resources  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import zipfile  # noqa: E402
from pathlib import Path  # noqa: E402

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
TS_FILES = sorted((ROOT / "resources" / "translations").glob("rushrater_*.ts"))


def _lrelease() -> Path:
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    if not lrelease.exists():
        pytest.skip("pyside6-lrelease is not installed with PySide6")
    return lrelease


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.stem)
def test_committed_qm_is_compiled_from_the_current_ts(ts, tmp_path):
    committed = importlib.resources.files("rushrater.gui").joinpath("translations", f"{ts.stem}.qm")
    assert committed.is_file(), f"{ts.stem}.qm is not in rushrater/gui/translations: compile it with pyside6-lrelease"
    fresh = tmp_path / f"{ts.stem}.qm"
    subprocess.run([str(_lrelease()), "-silent", str(ts), "-qm", str(fresh)], check=True)
    assert committed.read_bytes() == fresh.read_bytes(), (
        f"rushrater/gui/translations/{ts.stem}.qm is older than {ts.name}: "
        f"pyside6-lrelease {ts.relative_to(ROOT)} -qm rushrater/gui/translations/{ts.stem}.qm"
    )


def test_the_package_finds_chinese(qapp):
    from rushrater.gui.i18n import install_translators, missing_language, remove_translators, translation_available
    from rushrater.gui.qt import QCoreApplication, QLocale

    before = QLocale()
    try:
        assert translation_available("zh_CN")
        install_translators(qapp, "zh_CN")  # the package's own folder, as the app does
        assert missing_language(qapp) == ""
        assert QCoreApplication.translate("ConsoleWindow", "All raters") == "全部评分者"
    finally:
        remove_translators(qapp)
        QLocale.setDefault(before)


def test_a_missing_language_is_said_in_the_start_window(qapp, qtbot, tmp_path, monkeypatch):
    """A copy without the .qm (e.g. built by hand): the chosen language is named, not silently English."""
    from rushrater.gui import i18n
    from rushrater.gui.qt import QLocale, QSettings
    from rushrater.gui.start import StartWindow

    before = QLocale()
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", tmp_path)  # an empty folder: no .qm
    try:
        i18n.install_translators(qapp, "zh_CN")
        assert i18n.missing_language(qapp) == "zh_CN"
        window = StartWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        assert "简体中文" in window.statusBar().currentMessage()
        assert "English" in window.statusBar().currentMessage()
        window.set_language("zh_CN")
        assert "简体中文" in window.statusBar().currentMessage()
    finally:
        i18n.remove_translators(qapp)
        QLocale.setDefault(before)


@pytest.mark.slow
def test_a_wheel_built_from_the_repository_carries_the_translations(tmp_path):
    """pip builds the wheel as a user's ``pip install .`` does (isolated build, setuptools from the
    index or pip's cache); installed elsewhere, the package loads Chinese from its own files."""
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path / "wheel")],
        capture_output=True, text=True, timeout=600,
    )
    if build.returncode and ("No matching distribution" in build.stderr or "Could not find" in build.stderr):
        pytest.skip("pip cannot fetch the build backend (setuptools) here: " + build.stderr.strip()[-200:])
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "wheel").glob("rushrater-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for ts in TS_FILES:
        assert f"rushrater/gui/translations/{ts.stem}.qm" in names
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    probe = ("import rushrater.gui.i18n as i; from pathlib import Path; "
             "assert Path(i.__file__).is_relative_to(Path(r'%s')), i.__file__; "
             "print(i.translation_available('zh_CN'))" % target)
    env = {**os.environ, "PYTHONPATH": str(target), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"
