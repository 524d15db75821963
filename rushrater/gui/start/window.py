"""The start window: create, open or try the demo study, then see where the study stands.

This window is for coordinators. It shows how big a study is and how far each rater has got; it
never shows a rating value (blinding). Every action is one service call, run off the GUI thread
(:func:`..operations.run_operation`):

* New study…        :func:`rushrater.services.study.create_study`
* Open study…       :func:`rushrater.services.study.open_study` (checks, migrations), then the status
* Open demo study   :func:`rushrater.services.demo.build_or_open_demo`
* Enrol rater…      :func:`rushrater.services.raters.add_rater`
* Refresh           :func:`rushrater.services.status.study_status`

The window follows the open study: every committed write to it (an import, an enrolment, a rating,
from any window) arrives as ``StudyEvents.changed`` and reloads the summary when it touches what the
summary counts. The pages are in :mod:`.start_page` and :mod:`.study_page`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ... import __version__
from ...domain.changes import Changes, Entity
from ...services.demo import build_or_open_demo, default_demo_path
from ...services.preferences import LANGUAGES
from ...services.raters import add_rater
from ...services.status import study_status
from ...services.study import Study, create_study, is_study_url, open_study, study_display_location
from ...services.study_link import resolve_study_location
from ..errors import show_error
from ..i18n import missing_language, translation_available
from ..operations import Operation, OperationProgress, StudyEvents, ViewLoader, run_operation, wait_for_operations
from ..qt import (
    QAction,
    QActionGroup,
    QApplication,
    QCloseEvent,
    QCoreApplication,
    QDesktopServices,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPalette,
    QProgressBar,
    QPushButton,
    QSettings,
    QStackedWidget,
    Qt,
    QUrl,
    QVBoxLayout,
    QWidget,
    Signal,
    Slot,
)
from ..recent import RecentStudies
from .dialogs import EnrolRaterDialog, NewStudyDialog
from .start_page import StartPage
from .study_page import StudyPage
from .widgets import muted, scaled_font

DemoBuilder = Callable[..., Study]

GEOMETRY_KEY = "window/start/geometry"

#: What the study page counts or lists: a write touching one of these reloads it.
SHOWN = (Entity.STUDY, Entity.RATERS, Entity.CASES, Entity.IMAGES, Entity.READING_PLAN, Entity.RATINGS)


def _with_status(study: Study) -> tuple[Study, dict[str, Any]]:
    """The study and its status, read on the operation thread; the study is closed if that fails."""
    try:
        return study, study_status(study)
    except BaseException:
        study.close()
        raise


def _create_and_read(folder: Path, title: str, timepoints: str) -> tuple[Study, dict[str, Any]]:
    return _with_status(create_study(folder, title, timepoints))


class StartWindow(QMainWindow):
    """The first window of RUSH Rater.

    ``settings`` holds the recent-studies list and window geometry (default: the user's QSettings).
    ``demo_path`` and ``demo_builder`` say where and how the demo study is made (default: the user
    data folder and :func:`build_or_open_demo`); tests pass quick stand-ins.
    """

    #: a step of the demo build, sent from the operation thread
    _demo_step = Signal(str)

    def __init__(
        self,
        settings: QSettings | None = None,
        *,
        demo_path: Path | None = None,
        demo_builder: DemoBuilder | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._settings = settings if settings is not None else QSettings()
        self.recent = RecentStudies(self._settings)
        self._demo_path = Path(demo_path) if demo_path is not None else None
        self._demo_builder: DemoBuilder = demo_builder or build_or_open_demo
        self._study: Study | None = None
        self._status: dict[str, Any] | None = None
        self._events: StudyEvents | None = None
        #: the window's own operation (open, create's follow-up, demo build): one at a time
        self._operation: Operation | None = None
        self._close_when_idle = False
        # Summary loads: one at a time; a change heard meanwhile loads once more after it.
        self._summary = ViewLoader(self, self._summary_read, show=self._loaded, failed=self._load_failed)
        self._demo_step.connect(self._on_demo_progress)

        self.setWindowTitle(self.tr("RUSH Rater"))
        self.setMinimumSize(820, 560)
        self._create_actions()
        self._create_menus()
        self._create_central()
        self._create_status_bar()
        self._restore_geometry()
        self._show_start_page()
        self._say_if_language_missing()

    # --- public state -------------------------------------------------------------------------

    @property
    def study(self) -> Study | None:
        return self._study

    @property
    def status(self) -> dict[str, Any] | None:
        """The last ``study_status`` shown, or ``None`` with no study open."""
        return self._status

    @property
    def busy(self) -> bool:
        """Whether the window is opening or preparing a study (its start actions are off meanwhile)."""
        return self._operation is not None

    # The pages' widgets, as the window's (tests and the app's event filter use them).
    @property
    def recent_list(self):
        return self.start_page.recent_list

    @property
    def demo_progress_label(self) -> QLabel:
        return self.start_page.demo_progress_label

    @property
    def rater_table(self):
        return self.study_page.rater_table

    @property
    def rater_model(self):
        return self.study_page.rater_model

    # --- construction -------------------------------------------------------------------------

    def _action(self, text: str, slot, shortcut: str | None = None, tip: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _create_actions(self) -> None:
        self.new_action = self._action(
            self.tr("&New study…"), self.new_study, "Ctrl+N", self.tr("Create a study in a new or empty folder")
        )
        self.open_action = self._action(
            self.tr("&Open study…"), self.choose_study, "Ctrl+O",
            self.tr("Open an existing study: its study.db or a .rushrater link")
        )
        self.open_database_action = self._action(
            self.tr("Open &database study…"),
            self.choose_database_study,
            "Ctrl+Shift+O",
            self.tr("Open a study shared over a PostgreSQL server"),
        )
        self.demo_action = self._action(
            self.tr("Open &demo study"),
            self.open_demo,
            tip=self.tr("Synthetic radiographs and six raters; built on first use (about half a minute)"),
        )
        self.close_study_action = self._action(
            self.tr("&Close study"), self.close_study, "Ctrl+W", self.tr("Close the study and go back to the start page")
        )
        self.quit_action = self._action(self.tr("&Quit"), self.close, "Ctrl+Q", self.tr("Quit RUSH Rater"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.enrol_action = self._action(
            # Ctrl+Shift+N, a new rater beside Ctrl+N, a new study: Ctrl+E is Export in every window.
            self.tr("&Enrol rater…"), self.enrol_rater, "Ctrl+Shift+N", self.tr("Add a rater to a rater group")
        )
        self.refresh_action = self._action(
            self.tr("&Refresh"), self.refresh, "F5", self.tr("Read the study's counts and progress again")
        )
        self.show_folder_action = self._action(
            self.tr("Show study &folder"), self.show_study_folder, tip=self.tr("Open the study folder in the file manager")
        )
        self.read_action = self._action(
            self.tr("Start &reading…"),
            self.start_reading,
            "Ctrl+R",
            self.tr("Open the reading workstation: score cases as a rater, blinded"),
        )
        self.console_action = self._action(
            self.tr("&Coordinator console…"),
            self.open_coordinator_console,
            "Ctrl+K",
            self.tr("Progress, agreement, discordant cases and settings (study admin password)"),
        )
        self.import_action = self._action(
            self.tr("&Import radiographs…"),
            self.open_import_window,
            "Ctrl+I",
            self.tr("Import and de-identify radiographs from folders; assign and redact them"),
        )
        self.bodycomp_action = self._action(
            self.tr("&Body composition…"),
            self.open_bodycomp_window,
            tip=self.tr("CT body composition at T12: muscle and fat areas, SMI, VFI, SFI, VSR per patient"),
        )
        self.drr_action = self._action(
            self.tr("&Radiographs from CT…"),
            self.open_drr_window,
            tip=self.tr("Make AP and lateral radiographs (DRRs) from a CT series, crop to the hip, place them for reading; 3D bone view"),
        )
        self.about_action = self._action(self.tr("&About RUSH Rater"), self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_qt_action = self._action(self.tr("About &Qt"), QApplication.aboutQt)
        self.about_qt_action.setMenuRole(QAction.MenuRole.AboutQtRole)

    def _create_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.open_action)
        file_menu.addAction(self.open_database_action)
        self.recent_menu = QMenu(self.tr("Open &recent"), self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(self.demo_action)
        file_menu.addSeparator()
        file_menu.addAction(self.close_study_action)
        file_menu.addSeparator()
        file_menu.addMenu(self._create_language_menu())
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        study_menu = self.menuBar().addMenu(self.tr("&Study"))
        study_menu.addAction(self.read_action)
        study_menu.addSeparator()
        study_menu.addAction(self.enrol_action)
        study_menu.addAction(self.refresh_action)
        study_menu.addSeparator()
        study_menu.addAction(self.console_action)
        study_menu.addAction(self.import_action)
        study_menu.addAction(self.bodycomp_action)
        study_menu.addAction(self.drr_action)
        study_menu.addSeparator()
        study_menu.addAction(self.show_folder_action)

        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(self.about_action)
        help_menu.addAction(self.about_qt_action)

    def _create_language_menu(self) -> QMenu:
        """The interface language: the operating system's, or an override kept in the user's
        preferences; it applies from the next start (every window is built in one language)."""
        self.language_menu = QMenu(self.tr("&Language"), self)
        group = QActionGroup(self)
        current = self.recent.store.load().language
        names = {"": self.tr("System default"), "en": "English", "zh_CN": "简体中文"}
        for code in LANGUAGES:
            action = QAction(names.get(code, LANGUAGES[code]), self, checkable=True)
            action.setChecked(code == current)
            action.setData(code)
            action.triggered.connect(lambda _checked=False, c=code: self.set_language(c))
            group.addAction(action)
            self.language_menu.addAction(action)
        return self.language_menu

    def set_language(self, code: str) -> None:
        self.recent.store.set_language(code)
        if not translation_available(code):
            self.statusBar().showMessage(self._missing_language_text(code), 20_000)
            return
        self.statusBar().showMessage(self.tr("The language changes the next time RUSH Rater starts."), 10_000)

    def _missing_language_text(self, code: str) -> str:
        name = {"zh_CN": "简体中文"}.get(code, LANGUAGES.get(code, code))
        return self.tr("The {0} translation is not installed with this copy of RUSH Rater: the interface "
                       "stays in English. Reinstall RUSH Rater, or compile the translations "
                       "(packaging/update-translations, pyside6-lrelease).").format(name)

    def _say_if_language_missing(self) -> None:
        code = missing_language(QCoreApplication.instance())
        if code:
            self.statusBar().showMessage(self._missing_language_text(code))

    def _create_central(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._create_header())
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        outer.addWidget(line)
        self.pages = QStackedWidget()
        self.start_page = StartPage(self.new_action, self.open_action, self.demo_action)
        self.start_page.open_requested.connect(self.open_study_path)
        self.start_page.remove_requested.connect(self._remove_recent)
        self.start_page.selection_changed.connect(self._update_actions)
        self.study_page = StudyPage(self.enrol_action, self.refresh_action, self.read_action)
        self.pages.addWidget(self.start_page)
        self.pages.addWidget(self.study_page)
        outer.addWidget(self.pages, 1)
        self.setCentralWidget(central)

    def _create_header(self) -> QWidget:
        header = QFrame()
        header.setObjectName("header")
        header.setAutoFillBackground(True)
        header.setBackgroundRole(QPalette.ColorRole.Base)
        self.header_title = QLabel()
        self.header_title.setObjectName("headerTitle")
        self.header_title.setFont(scaled_font(self, 1.6, bold=True))
        self.header_title.setWordWrap(True)
        self.header_title.setTextFormat(Qt.TextFormat.PlainText)
        self.header_subtitle = muted(QLabel())
        self.header_subtitle.setObjectName("headerSubtitle")
        self.header_subtitle.setTextFormat(Qt.TextFormat.PlainText)
        self.header_subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.header_subtitle.setWordWrap(True)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.header_title)
        texts.addWidget(self.header_subtitle)

        self.close_study_button = QPushButton(self.tr("&Close study"))
        self.close_study_button.setToolTip(self.close_study_action.toolTip())
        self.close_study_button.clicked.connect(self.close_study_action.trigger)

        layout = QHBoxLayout(header)
        layout.setContentsMargins(24, 16, 24, 14)
        layout.addLayout(texts, 1)
        layout.addWidget(self.close_study_button, 0, Qt.AlignmentFlag.AlignTop)
        return header

    def _create_status_bar(self) -> None:
        bar = self.statusBar()
        self.busy_label = QLabel()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumWidth(140)
        self.busy_bar.setMaximumHeight(12)
        self.busy_label.hide()
        self.busy_bar.hide()
        bar.addPermanentWidget(self.busy_label)
        bar.addPermanentWidget(self.busy_bar)

    # --- pages --------------------------------------------------------------------------------

    def _show_start_page(self) -> None:
        self.header_title.setText(self.tr("RUSH Rater"))
        self.header_subtitle.setText(
            self.tr("Blinded multi-rater reading studies with the Radiographic Union Score for Hip (RUSH)")
        )
        self.setWindowTitle(self.tr("RUSH Rater"))
        self._fill_recent_list()
        self.pages.setCurrentWidget(self.start_page)
        self._update_actions()
        if not self.busy:
            self.statusBar().showMessage(self.tr("No study open"))

    def _show_study(self) -> None:
        assert self._study is not None and self._status is not None
        info = self._status["study"]
        self.header_title.setText(info["title"])
        self.header_subtitle.setText(self._study.location)
        self.setWindowTitle(self.tr("{0} – RUSH Rater").format(info["title"]))
        self.study_page.show_status(self._status, self._study.rubric)
        self.pages.setCurrentWidget(self.study_page)
        self._update_actions()

    def _update_actions(self) -> None:
        has_study = self._study is not None
        idle = not self.busy
        for action in (self.new_action, self.open_action, self.demo_action):
            action.setEnabled(idle)
        self.recent_menu.setEnabled(idle)
        self.close_study_action.setEnabled(idle and has_study)
        for action in (self.enrol_action, self.refresh_action, self.show_folder_action):
            action.setEnabled(has_study)
        self.console_action.setEnabled(has_study)
        self.import_action.setEnabled(has_study and idle)
        self.bodycomp_action.setEnabled(has_study and idle)
        self.drr_action.setEnabled(has_study and idle)
        self.close_study_button.setVisible(has_study)
        self.close_study_button.setEnabled(idle)
        self.start_page.set_idle(idle)
        self.study_page.set_has_study(has_study)

    # --- the window's operations (open, demo) -------------------------------------------------

    def _run(
        self,
        work: Callable[[OperationProgress], tuple[Study, dict[str, Any]]],
        *,
        done: Callable[[tuple[Study, dict[str, Any]]], None],
        failed: Callable[[BaseException], None],
        label: str,
        message: str | None = None,
    ) -> Operation:
        """Start the window's one operation, which ends with a study and its status (or fails).
        ``message`` (a long operation) is shown on the start page and in the status bar."""

        def succeeded(result: tuple[Study, dict[str, Any]]) -> None:
            self._set_busy(None)
            if self._close_when_idle:  # the window was closed meanwhile: close, do not show
                result[0].close()
                self.close()
                return
            done(result)

        def did_not(exc: BaseException) -> None:
            self._set_busy(None)
            if self._close_when_idle:
                self.close()
                return
            failed(exc)

        # A long operation shows its progress on the start page and status bar, not in a dialog too.
        operation = run_operation(self, work, done=succeeded, failed=did_not, label=label, quiet=message is not None)
        self._set_busy(operation, message)
        return operation

    def _set_busy(self, operation: Operation | None, message: str | None = None) -> None:
        self._operation = operation
        shown = operation is not None and message is not None
        self.busy_label.setVisible(shown)
        self.busy_bar.setVisible(shown)
        self.busy_label.setText(message or "")
        self.start_page.show_progress(message if shown else None)
        if shown:
            self.statusBar().clearMessage()
        self._update_actions()

    def wait_for_background_work(self, msecs: int = -1) -> bool:
        """Block until the window's operations (and every other) are done (for shutdown and tests)."""
        return wait_for_operations(msecs if msecs >= 0 else 24 * 3600 * 1000)

    # --- opening and closing ------------------------------------------------------------------

    @Slot(str)
    def open_study_path(self, path: str | Path) -> Operation | None:
        """Start opening the study at ``path`` (a folder, its study.db, a .rushrater link or a
        server URL); it is shown when open. On failure say why and keep what was open. Returns the
        operation, or None while the window is busy."""
        if self.busy:
            return None
        location: str | Path = path.strip() if is_study_url(path) else Path(path).expanduser()
        shown = study_display_location(location) if isinstance(location, str) else str(location)

        def work(progress: OperationProgress) -> tuple[Study, dict[str, Any]]:
            # a study folder, its study.db, or a .rushrater link (double-clicked on the desktop)
            return _with_status(open_study(location if isinstance(location, str) else resolve_study_location(location)))

        def opened(result: tuple[Study, dict[str, Any]]) -> None:
            study, status = result
            self._take_study(study, status)
            self.statusBar().showMessage(self.tr("Opened {0}").format(study.title), 5_000)

        def failed(exc: BaseException) -> None:
            self.statusBar().showMessage(self.tr("Could not open {0}").format(shown), 10_000)
            show_error(self, self.tr("Cannot open the study"), exc)

        return self._run(work, done=opened, failed=failed, label=shown)

    def _take_study(self, study: Study, status: dict[str, Any]) -> None:
        if self._study is not None and self._study is not study:
            self._release_study()
        if self._study is not study:
            self._events = StudyEvents(study, self)
            self._events.changed.connect(self._study_changed)
        self._study = study
        self._status = status
        self.recent.add(study.root, study.title)
        self._remember_dir(study.root.parent)
        self._show_study()
        if study.upgraded_from_backup is not None:
            QMessageBox.information(
                self,
                self.tr("Study upgraded"),
                self.tr("The study was upgraded to this version of RUSH Rater. A copy of the old database is in:\n{0}").format(
                    study.upgraded_from_backup
                ),
            )

    def _release_study(self) -> None:
        """Stop following the open study and close it (and its console)."""
        self._close_console()
        if self._events is not None:
            self._events.close()
            self._events.deleteLater()
            self._events = None
        if self._study is not None:
            self._study.close()
        self._study = None
        self._status = None
        self._summary.reset()

    @Slot()
    def close_study(self) -> None:
        if self.busy:
            return
        self._release_study()
        self.study_page.clear()
        self._show_start_page()

    @Slot()
    def start_reading(self) -> None:
        """Log in as a rater (the open study and selected rater preselected) and open the workstation."""
        from ..workstation import open_workstation  # pyqtgraph loads only when someone reads

        window = open_workstation(
            None,
            study_path=self._study.root if self._study is not None else None,
            rater=self.study_page.selected_rater_code(),
            settings=self._settings,
            always_ask=True,
        )
        if window is not None:
            self.workstations = [w for w in getattr(self, "workstations", []) if w.isVisible()] + [window]

    @Slot()
    def choose_database_study(self) -> None:
        if self.busy:
            return
        from .database_dialog import OpenDatabaseDialog

        dialog = OpenDatabaseDialog(self)
        if dialog.exec():
            self.open_study_path(dialog.url())

    @Slot()
    def choose_study(self) -> None:
        if self.busy:
            return
        dialog = self.study_file_dialog()
        if dialog.exec() == QFileDialog.DialogCode.Accepted and dialog.selectedFiles():
            self.open_study_path(dialog.selectedFiles()[0])

    def study_file_dialog(self) -> QFileDialog:
        """File ▸ Open study…: a study's ``study.db`` or a ``.rushrater`` link (the folder itself is
        opened by picking its study.db, which is chosen already once the dialog is in a study folder)."""
        dialog = QFileDialog(self, self.tr("Open a study"), self._last_dir())
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters([self.tr("RUSH Rater studies (study.db *.rushrater)"), self.tr("All files (*)")])

        def choose_the_database(folder: str) -> None:
            if (Path(folder) / "study.db").is_file():
                dialog.selectFile("study.db")

        dialog.directoryEntered.connect(choose_the_database)
        choose_the_database(self._last_dir())
        return dialog

    @Slot()
    def new_study(self) -> None:
        if self.busy:
            return
        # The dialog creates the study and reads its status in one operation, then closes.
        dialog = NewStudyDialog(_create_and_read, self._last_dir(), self)
        if dialog.exec() != NewStudyDialog.DialogCode.Accepted or dialog.result_value is None:
            return
        study, status = dialog.result_value
        self._take_study(study, status)
        self.statusBar().showMessage(
            self.tr("Created {0}. Next: enrol raters and import the images.").format(study.title), 10_000
        )

    # --- the summary, loaded off the GUI thread and following the study's changes -------------

    @Slot()
    def refresh(self) -> None:
        """Read the counts and progress again (F5: changes made by another program or computer)."""
        self.reload(then=lambda: self.statusBar().showMessage(self.tr("Refreshed"), 3_000))

    def reload(self, then: Callable[[], None] | None = None) -> None:
        """Load the open study's status and show it; ``then`` runs once it is shown. While a load
        runs, the page keeps what it shows, and a second request loads once more after it."""
        self._summary.request(then)

    def _summary_read(self):
        study = self._study
        if study is None:
            return None
        return (lambda progress: study_status(study)), study

    def _reload_after_write(self, then: Callable[[], None]) -> None:
        self._summary.after_write(then)

    def _loaded(self, status: dict[str, Any]) -> None:
        self._status = status
        self._show_study()

    def _load_failed(self, exc: BaseException) -> None:
        show_error(self, self.tr("Cannot read the study"), exc)

    @Slot(object)
    def _study_changed(self, changes: Changes) -> None:
        if changes.touches(*SHOWN):
            self.reload()

    @Slot()
    def enrol_rater(self) -> None:
        if self._study is None:
            return
        study = self._study
        groups = [g["name"] for g in (self._status or {}).get("groups", [])]
        dialog = EnrolRaterDialog(
            lambda name, group, code, pin: add_rater(study, name, group, code=code, pin=pin), groups, self, queue=study
        )
        if dialog.exec() != EnrolRaterDialog.DialogCode.Accepted or dialog.result_value is None:
            return
        rater = dialog.result_value
        self._reload_after_write(then=lambda: self._enrolled(rater))

    def _enrolled(self, rater) -> None:
        self.select_rater(rater.code)
        message = self.tr("Enrolled {0} as {1} in group {2}.").format(rater.name, rater.code, rater.group)
        if self._status and self._status.get("plan") is not None:
            message += " " + self.tr("Extend the reading plan to give them a reading list.")
        self.statusBar().showMessage(message, 10_000)

    def select_rater(self, code: str) -> None:
        self.study_page.select_rater(code)

    @Slot()
    def open_coordinator_console(self) -> None:
        """Open the coordinator console of the open study, behind the study admin password."""
        if self._study is None:
            return
        from ..console import open_console  # pyqtgraph plots load only when the console is used

        self._close_console()
        self.console = open_console(self._study, self)

    def open_import_window(self) -> None:
        """Open the import window of the open study (import, assignment, redaction)."""
        if self._study is None:
            return
        from ..importing import open_import_window  # pyqtgraph loads only when the window is used

        self.import_window = open_import_window(self._study, self)

    def open_bodycomp_window(self) -> None:
        """Open the body-composition window of the open study (CT at T12)."""
        if self._study is None:
            return
        from ..bodycomp import open_bodycomp_window  # pyqtgraph loads only when the window is used

        self.bodycomp_window = open_bodycomp_window(self._study, self)

    def open_drr_window(self) -> None:
        """Open the DRR window of the open study (radiographs from CT, 3D bone view)."""
        if self._study is None:
            return
        from ..drr import open_drr_window  # pyqtgraph loads only when the window is used

        self.drr_window = open_drr_window(self._study, self)

    def _close_console(self) -> None:
        console = getattr(self, "console", None)
        if console is not None:
            console.close()
            self.console = None

    @Slot()
    def show_study_folder(self) -> None:
        if self._study is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._study.root)))

    @Slot()
    def show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About RUSH Rater"),
            self.tr(
                "<h3>RUSH Rater {0}</h3>"
                "<p>Blinded multi-rater radiographic fracture-healing studies scored with the "
                "Radiographic Union Score for Hip (RUSH), with agreement statistics.</p>"
                "<p>Licensed under the GNU General Public License, version 3 or later.</p>"
            ).format(__version__),
        )

    # --- the demo study, built off the GUI thread ---------------------------------------------

    def demo_path(self) -> Path:
        return self._demo_path if self._demo_path is not None else default_demo_path()

    @Slot()
    def open_demo(self) -> None:
        if self.busy:
            return
        path = self.demo_path()
        builder = self._demo_builder
        step = self._demo_step.emit  # to this window's label, from the operation thread

        def work(progress: OperationProgress) -> tuple[Study, dict[str, Any]]:
            def told(message: str) -> None:
                progress(message)
                step(message)

            return _with_status(builder(path, progress=told))

        def ready(result: tuple[Study, dict[str, Any]]) -> None:
            study, status = result
            self._take_study(study, status)
            self.statusBar().showMessage(self.tr("Opened {0}").format(study.title), 5_000)

        def failed(exc: BaseException) -> None:
            self.statusBar().showMessage(self.tr("The demo study could not be prepared"), 10_000)
            show_error(self, self.tr("Cannot prepare the demo study"), exc)

        message = self.tr("Preparing the demo study in {0}…").format(path)
        self._run(work, done=ready, failed=failed, label=message, message=message)

    @Slot(str)
    def _on_demo_progress(self, message: str) -> None:
        if self.busy:
            self.busy_label.setText(message)
            self.start_page.show_progress(message)

    # --- recent studies -----------------------------------------------------------------------

    def _fill_recent_list(self) -> None:
        self.start_page.fill_recent(self.recent.entries())
        self._update_actions()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        entries = self.recent.entries()
        for number, entry in enumerate(entries, start=1):
            title = (entry.title or entry.path.name).replace("&", "&&")
            action = self.recent_menu.addAction(f"&{number} {title}")
            action.setStatusTip(str(entry.path))
            action.setEnabled(entry.exists)
            action.triggered.connect(lambda _checked=False, p=entry.path: self.open_study_path(p))
        if not entries:
            empty = self.recent_menu.addAction(self.tr("No recent studies"))
            empty.setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction(self.tr("&Clear list"), self._clear_recent)

    def _remove_recent(self, path: str) -> None:
        self.recent.remove(path)
        self._fill_recent_list()

    def _clear_recent(self) -> None:
        self.recent.clear()
        self._fill_recent_list()

    # --- settings and closing -----------------------------------------------------------------------------

    def _last_dir(self) -> str:
        # A preference (services/preferences.py), not window state: kept with the recent studies.
        value = self.recent.store.load().last_directory
        return value if value and Path(value).is_dir() else str(Path.home())

    def _remember_dir(self, folder: Path) -> None:
        self.recent.store.update(last_directory=str(folder))

    def _restore_geometry(self) -> None:
        geometry = self._settings.value(GEOMETRY_KEY)
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1080, 700)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            # Opening or the demo build cannot be interrupted half-way; finish out of sight, then close.
            self._close_when_idle = True
            self.hide()
            event.ignore()
            return
        self._settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self._settings.sync()
        if self._study is not None:
            self._release_study()
        event.accept()
        if self._close_when_idle:
            QApplication.quit()
