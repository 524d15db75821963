"""GUI test support: headless Qt, a sandbox for the user's settings, and a small study.

Qt runs on the ``offscreen`` platform (no display needed). Every test gets its own QSettings
location, so no test reads or writes the real user configuration, and a small study built through
the services (no demo build: that takes half a minute).

Without PySide6 every module here is skipped with the reason below: each test module starts with
``pytest.importorskip("PySide6", reason=...)``. That call cannot live in this conftest: when
pytest is pointed at this folder (``pytest tests/gui``) the conftest is loaded while pytest is still
configuring, where a skip is an error rather than a skip. So this file imports Qt only inside fixtures.
(pytest-qt itself also needs a Qt binding: a run without Qt needs ``-p no:pytest-qt``.)
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import csv  # noqa: E402
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from factories import AGREEMENT_RATERS, image_rows, simulated_ratings_csv, write_manifest  # noqa: E402
from rushrater.services.imports import import_manifest  # noqa: E402
from rushrater.services.planning import plan_reading, reading_list  # noqa: E402
from rushrater.services.raters import add_rater  # noqa: E402
from rushrater.services.ratings import import_ratings, submit_rating  # noqa: E402
from rushrater.services.study import create_study  # noqa: E402

try:
    import PySide6  # noqa: F401
except ImportError:
    HAVE_QT = False
else:
    HAVE_QT = True
    from PySide6.QtCore import QCoreApplication, Qt

    # As gui/app.py does, before pytest-qt makes the QApplication: every 3D view shares one GL
    # context group, so pyqtgraph's cached shaders stay valid from one window to the next.
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)

SMALL_STUDY_TITLE = "GUI test study"
# (patient, time point, view): two patients complete at both time points, a third with day-1 AP only.
SMALL_STUDY_IMAGES = [
    ("P001", "day1", "AP"),
    ("P001", "day1", "LAT"),
    ("P001", "month1", "AP"),
    ("P001", "month1", "LAT"),
    ("P002", "day1", "AP"),
    ("P002", "day1", "LAT"),
    ("P002", "month1", "AP"),
    ("P002", "month1", "LAT"),
    ("P003", "day1", "AP"),
]
SMALL_STUDY_RATERS = [("Dr Ada Lovelace", "resident"), ("Dr Alan Turing", "attending")]


#: The study database calls that do I/O: none may start on the GUI thread from GUI code.
_DATABASE_CALLS = ("read", "write", "check_connection", "create_schema", "upgrade_if_needed", "backup")


@pytest.fixture(autouse=True)
def no_service_calls_on_the_gui_thread(monkeypatch):
    """Fail a test when a window reaches the study database on the GUI thread.

    Windows call services through ``gui.operations.run_operation``, which runs them on an operation
    thread; a call that skips it freezes the app while the disk or the server answers. A database
    call counts when it is made on the main thread with GUI code on the stack; the test's own setup
    and assertions (no GUI frame) may use the services directly.
    """
    if not HAVE_QT:
        yield
        return
    import sys
    import threading

    from rushrater.storage.database import Database

    offences: list[str] = []

    def guarded(name, original):
        def call(self, *args, **kwargs):
            if threading.current_thread() is threading.main_thread():
                frame = sys._getframe(1)
                while frame is not None:
                    module = frame.f_globals.get("__name__", "")
                    if module.startswith("rushrater.gui.") or module == "rushrater.gui":
                        offences.append(f"{module}:{frame.f_lineno} ({frame.f_code.co_name}) -> Database.{name}")
                        break
                    frame = frame.f_back
            return original(self, *args, **kwargs)

        return call

    for name in _DATABASE_CALLS:
        monkeypatch.setattr(Database, name, guarded(name, getattr(Database, name)))
    yield offences
    from rushrater.gui.operations import wait_for_operations

    wait_for_operations()
    if offences:
        unique = list(dict.fromkeys(offences))
        pytest.fail("service calls on the GUI thread (run them through gui.operations.run_operation):\n  "
                    + "\n  ".join(unique), pytrace=False)


@pytest.fixture
def rated_console(qtbot, tmp_path, settle):
    """``rated_console(title, patients)``: the coordinator console, shown and loaded, on a study with
    the agreement raters' simulated ratings of ``patients`` patients."""
    opened = []

    def make(title: str, patients: int):
        from rushrater.gui.console import ConsoleWindow

        study = create_study(tmp_path / "study", title, actor="test")
        source = tmp_path / "src"
        import_manifest(study, source, write_manifest(tmp_path / "m.csv", image_rows(source, patients)), actor="test")
        codes = [add_rater(study, n, g, actor="test").code for n, g, *_ in AGREEMENT_RATERS]
        plan_reading(study, seed=4, actor="test")
        ratings = simulated_ratings_csv(tmp_path / "r.csv", study.rubric.item_keys, patients, codes)
        import_ratings(study, ratings, actor="test")
        window = ConsoleWindow(study)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        settle()
        opened.append((window, study))
        return window

    yield make
    for window, study in opened:
        window.close()
        study.close()


@pytest.fixture
def settle(qtbot):
    """``settle()``: wait until the window's operations (gui.operations) have finished and delivered."""
    from rushrater.gui import operations

    def wait(timeout_ms: int = 30_000) -> None:
        qtbot.waitUntil(lambda: not operations.busy(), timeout=timeout_ms)
        operations.wait_for_operations(timeout_ms)

    return wait


@pytest.fixture(autouse=True)
def settings_sandbox(tmp_path, monkeypatch):
    """Point every QSettings and standard path at the test's temporary folder."""
    if not HAVE_QT:
        yield None
        return
    from rushrater.gui.app import APP_NAME, ORGANIZATION
    from rushrater.gui.qt import QCoreApplication, QSettings, QStandardPaths

    folder = tmp_path / "qsettings"
    folder.mkdir()
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APP_NAME)
    QStandardPaths.setTestModeEnabled(True)
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, str(folder))
    # Anything that still asks platformdirs (the default demo folder) lands in the sandbox too.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    yield folder
    QStandardPaths.setTestModeEnabled(False)


@pytest.fixture
def settings(tmp_path):
    from rushrater.gui.qt import QSettings

    return QSettings(str(tmp_path / "rushrater-gui.ini"), QSettings.Format.IniFormat)


def build_small_study(root: Path, source: Path) -> None:
    """A small study made through the services: 3 patients, 5 cases (4 with AP + lateral), 9 images,
    2 raters planned with seed 1, and one rating by R01."""
    source.mkdir(parents=True)
    rng = np.random.default_rng(7)
    rows = []
    for patient, timepoint, view in SMALL_STUDY_IMAGES:
        name = f"{patient}_{timepoint}_{view}.png"
        pixels = rng.integers(0, 4096, size=(48, 40), dtype=np.uint16)
        Image.fromarray(pixels).save(source / name)
        rows.append((name, patient, timepoint, view))
    manifest = source / "manifest.csv"
    with manifest.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "patient", "timepoint", "view"])
        writer.writerows(rows)
    with create_study(root, SMALL_STUDY_TITLE, "day1,month1") as study:
        import_manifest(study, source, manifest)
        for name, group in SMALL_STUDY_RATERS:
            add_rater(study, name, group)
        plan_reading(study, seed=1)
        first_case = reading_list(study, "R01")[0][1]
        submit_rating(study, "R01", first_case, {item.key: 2 for item in study.rubric.items}, active_seconds=30.0)


@pytest.fixture
def build_study():
    """``build_study(root, source)`` builds the small study (see :func:`build_small_study`)."""
    return build_small_study


@pytest.fixture(scope="session")
def small_study_template(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("small-study")
    root = base / "study"
    build_small_study(root, base / "source")
    return root


@pytest.fixture
def small_study(small_study_template, tmp_path) -> Path:
    """A fresh copy of the small study for one test (tests may enrol raters into it)."""
    root = tmp_path / "study"
    shutil.copytree(small_study_template, root)
    return root


@pytest.fixture
def window(qtbot, settings, tmp_path):
    from rushrater.gui.start import StartWindow

    win = StartWindow(settings, demo_path=tmp_path / "demo")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.wait_for_background_work(10_000)
    win.close()


@pytest.fixture
def message_boxes(monkeypatch):
    """Record message boxes instead of showing them: a list of (title, text, informative text)."""
    from rushrater.gui.qt import QMessageBox

    shown: list[tuple[str, str, str]] = []

    def fake_exec(box):
        shown.append((box.windowTitle(), box.text(), box.informativeText()))
        return int(QMessageBox.StandardButton.Ok)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return shown


@pytest.fixture
def modal():
    """Drive a modal dialog: ``modal(trigger, handle)`` calls ``trigger()`` (which opens and runs the
    dialog) and, inside the dialog's event loop, ``handle(dialog)``. A dialog ``handle`` leaves open
    is rejected afterwards, so a test never hangs; the result says whether that happened."""

    from rushrater.gui.qt import QApplication, QTimer

    def run(trigger, handle, timeout_ms: int = 5000) -> dict:
        result: dict = {"dialog": None, "left_open": False, "error": None}
        waited = [0]

        def poll():
            dialog = QApplication.activeModalWidget()
            if dialog is None:
                if waited[0] < timeout_ms:
                    waited[0] += 20
                    QTimer.singleShot(20, poll)
                else:
                    result["error"] = AssertionError("no modal dialog appeared")
                return
            result["dialog"] = dialog
            try:
                handle(dialog)
            except BaseException as exc:  # re-raised in the test, after the dialog is gone
                result["error"] = exc
            if dialog.isVisible():
                result["left_open"] = True
                dialog.reject()

        QTimer.singleShot(0, poll)
        trigger()
        if result["error"] is not None:
            raise result["error"]
        return result

    return run
