"""The start window: create, open or try the demo study, then see where the study stands.

This window is for coordinators. It shows how big a study is and how far each rater has got; it
never shows a rating value (blinding). Every action is one service call:

* New study…        :func:`rushrater.services.study.create_study`
* Open study…       :func:`rushrater.services.study.open_study`
* Open demo study   :func:`rushrater.services.demo.build_or_open_demo`, on a worker thread
* Enrol rater…      :func:`rushrater.services.raters.add_rater`
* Refresh           :func:`rushrater.services.status.study_status`
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import __version__
from ..services.demo import build_or_open_demo, default_demo_path
from ..services.raters import add_rater
from ..services.status import study_status
from ..services.study import Study, create_study, open_study
from ..services.study import is_study_url, study_display_location
from ..services.preferences import LANGUAGES
from ..services.study_link import resolve_study_location
from .dialogs import EnrolRaterDialog, NewStudyDialog
from .errors import show_error, wait_cursor
from .i18n import missing_language, translation_available
from .i18n import plural, rubric_text, timepoint_label
from .qt import (
    QCoreApplication,
    QActionGroup,
    QAbstractItemView,
    QAction,
    QApplication,
    QCloseEvent,
    QDesktopServices,
    QDir,
    QFileDialog,
    QFont,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPainter,
    QPalette,
    QProgressBar,
    QPushButton,
    QSettings,
    QSize,
    QSizePolicy,
    QSortFilterProxyModel,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    Qt,
    QTableView,
    QThreadPool,
    QUrl,
    QVBoxLayout,
    QWidget,
    Slot,
)
from .recent import RecentStudies
from .rater_table import SORT_ROLE, PaddedDelegate, ProgressBarDelegate, RaterTableModel
from .tasks import BackgroundTask, Progress

DemoBuilder = Callable[..., Study]

GEOMETRY_KEY = "window/start/geometry"
LAST_DIR_KEY = "dialogs/lastDirectory"
PATH_ROLE = int(Qt.ItemDataRole.UserRole) + 10
DETAIL_ROLE = int(Qt.ItemDataRole.UserRole) + 11
EXISTS_ROLE = int(Qt.ItemDataRole.UserRole) + 12


def _scaled_font(widget: QWidget, factor: float, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    size = font.pointSizeF()
    if size > 0:
        font.setPointSizeF(size * factor)
    font.setBold(bold)
    return font


def _muted(label: QLabel) -> QLabel:
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def _format_when(iso: str) -> str:
    """An ISO time from the database (UTC; naive means UTC) as local ``YYYY-MM-DD HH:MM``."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


class RecentStudyDelegate(QStyledItemDelegate):
    """A recent study as two lines: the title in bold, the folder under it (greyed if missing)."""

    PADDING = 6

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        height = option.fontMetrics.height() * 2 + self.PADDING * 2 + 2
        return QSize(max(option.rect.width(), 200), height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        widget = item.widget
        style = widget.style() if widget is not None else QApplication.style()
        item.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)

        exists = bool(index.data(EXISTS_ROLE))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        if selected:
            title_color = detail_color = palette.color(QPalette.ColorRole.HighlightedText)
        elif not exists:
            title_color = detail_color = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        else:
            title_color = palette.color(QPalette.ColorRole.Text)
            detail_color = palette.color(QPalette.ColorRole.PlaceholderText)
        rect = option.rect.adjusted(self.PADDING + 2, self.PADDING, -self.PADDING, -self.PADDING)
        line = option.fontMetrics.height()
        painter.save()
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(title_color)
        title = painter.fontMetrics().elidedText(
            str(index.data(Qt.ItemDataRole.DisplayRole) or ""), Qt.TextElideMode.ElideRight, rect.width()
        )
        painter.drawText(rect.x(), rect.y(), rect.width(), line, int(Qt.AlignmentFlag.AlignLeft), title)
        painter.setFont(option.font)
        painter.setPen(detail_color)
        detail = option.fontMetrics.elidedText(
            str(index.data(DETAIL_ROLE) or ""), Qt.TextElideMode.ElideMiddle, rect.width()
        )
        painter.drawText(rect.x(), rect.y() + line + 2, rect.width(), line, int(Qt.AlignmentFlag.AlignLeft), detail)
        painter.restore()


class StatTile(QFrame):
    """A big number with a caption and an optional note under it."""

    def __init__(self, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.value_label = QLabel("–")
        self.value_label.setFont(_scaled_font(self, 2.0, bold=True))
        self.caption_label = QLabel(caption)
        self.note_label = _muted(QLabel(""))
        self.note_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        layout.addWidget(self.caption_label)
        layout.addWidget(self.value_label)
        layout.addWidget(self.note_label)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_value(self, value: int | str, note: str = "") -> None:
        self.value_label.setText(str(value))
        self.note_label.setText(note)


class StartWindow(QMainWindow):
    """The first window of RUSH Rater.

    ``settings`` holds the recent-studies list and window geometry (default: the user's QSettings).
    ``demo_path`` and ``demo_builder`` say where and how the demo study is made (default: the user
    data folder and :func:`build_or_open_demo`); tests pass quick stand-ins.
    """

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
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._task: BackgroundTask | None = None
        self._close_when_idle = False

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
        return self._task is not None

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
        self.start_page = self._create_start_page()
        self.study_page = self._create_study_page()
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
        self.header_title.setFont(_scaled_font(self, 1.6, bold=True))
        self.header_title.setWordWrap(True)
        self.header_title.setTextFormat(Qt.TextFormat.PlainText)
        self.header_subtitle = _muted(QLabel())
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

    def _section_label(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setFont(_scaled_font(self, 1.15, bold=True))
        return label

    def _create_start_page(self) -> QWidget:
        page = QWidget()
        layout = QHBoxLayout(page)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(32)

        # Left: what to do.
        start = QVBoxLayout()
        start.setSpacing(10)
        start.addWidget(self._section_label(self.tr("Start")))
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(12)
        self.new_button = QPushButton(self.tr("&New study…"))
        self.open_button = QPushButton(self.tr("&Open study…"))
        self.demo_button = QPushButton(self.tr("Open &demo study"))
        rows = (
            (self.new_button, self.new_action, self.tr("Create a study folder for a new reading study.")),
            (self.open_button, self.open_action, self.tr("Open a study folder made by RUSH Rater.")),
            (
                self.demo_button,
                self.demo_action,
                self.tr("Try RUSH Rater on synthetic hip radiographs with six raters. Built on first use."),
            ),
        )
        for row, (button, action, text) in enumerate(rows):
            button.setMinimumWidth(180)
            button.setMinimumHeight(34)
            button.setToolTip(action.toolTip())
            button.clicked.connect(action.trigger)
            note = _muted(QLabel(text))
            note.setWordWrap(True)
            grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(note, row, 1, Qt.AlignmentFlag.AlignVCenter)
        grid.setColumnStretch(1, 1)
        start.addLayout(grid)

        self.demo_progress_label = QLabel()
        self.demo_progress_label.setWordWrap(True)
        self.demo_progress_bar = QProgressBar()
        self.demo_progress_bar.setRange(0, 0)
        self.demo_progress_bar.setTextVisible(False)
        self.demo_progress_bar.setMaximumHeight(10)
        self.demo_progress_label.hide()
        self.demo_progress_bar.hide()
        start.addSpacing(6)
        start.addWidget(self.demo_progress_label)
        start.addWidget(self.demo_progress_bar)
        start.addStretch(1)
        blinding_note = _muted(
            QLabel(
                self.tr(
                    "This window is for study coordinators. Raters score cases on the reading "
                    "workstation; scores are never shown here."
                )
            )
        )
        blinding_note.setWordWrap(True)
        start.addWidget(blinding_note)

        # Right: recent studies.
        recent = QVBoxLayout()
        recent.setSpacing(10)
        recent.addWidget(self._section_label(self.tr("Recent studies")))
        self.recent_list = QListWidget()
        self.recent_list.setItemDelegate(RecentStudyDelegate(self.recent_list))
        self.recent_list.setUniformItemSizes(True)
        self.recent_list.itemActivated.connect(self._open_recent_item)
        self.recent_list.currentItemChanged.connect(lambda *_: self._update_actions())
        self.recent_empty_label = _muted(QLabel(self.tr("Studies you open appear here.")))
        self.recent_empty_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.recent_stack = QStackedWidget()
        self.recent_stack.addWidget(self.recent_list)
        self.recent_stack.addWidget(self.recent_empty_label)
        recent.addWidget(self.recent_stack, 1)
        buttons = QHBoxLayout()
        self.open_recent_button = QPushButton(self.tr("O&pen selected"))
        self.open_recent_button.clicked.connect(lambda: self._open_recent_item(self.recent_list.currentItem()))
        self.remove_recent_button = QPushButton(self.tr("Re&move from list"))
        self.remove_recent_button.setToolTip(self.tr("Forget this entry; the study folder is not touched"))
        self.remove_recent_button.clicked.connect(self._remove_recent_item)
        buttons.addStretch(1)
        buttons.addWidget(self.open_recent_button)
        buttons.addWidget(self.remove_recent_button)
        recent.addLayout(buttons)

        layout.addLayout(start, 5)
        layout.addLayout(recent, 4)
        return page

    def _create_study_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(24, 18, 24, 16)
        layout.setSpacing(16)

        tiles = QHBoxLayout()
        tiles.setSpacing(12)
        self.patients_tile = StatTile(self.tr("Patients"))
        self.cases_tile = StatTile(self.tr("Cases"))
        self.images_tile = StatTile(self.tr("Images"))
        self.ratings_tile = StatTile(self.tr("Ratings stored"))
        for tile in (self.patients_tile, self.cases_tile, self.images_tile, self.ratings_tile):
            tiles.addWidget(tile)
        layout.addLayout(tiles)

        body = QHBoxLayout()
        body.setSpacing(16)

        details = QGroupBox(self.tr("Study"))
        form = QFormLayout(details)
        form.setContentsMargins(14, 12, 14, 12)
        form.setVerticalSpacing(10)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.rubric_value = QLabel()
        self.timepoints_value = QLabel()
        self.groups_value = QLabel()
        self.plan_value = QLabel()
        self.created_value = QLabel()
        for label in (self.rubric_value, self.timepoints_value, self.groups_value, self.plan_value, self.created_value):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for caption, value in (
            (self.tr("Rubric:"), self.rubric_value),
            (self.tr("Time points:"), self.timepoints_value),
            (self.tr("Rater groups:"), self.groups_value),
            (self.tr("Reading plan:"), self.plan_value),
            (self.tr("Created:"), self.created_value),
        ):
            label = _muted(QLabel(caption))
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            form.addRow(label, value)
        details.setMinimumWidth(250)
        details.setMaximumWidth(420)

        # Per-rater progress is the coordinator's overview (as in the console and `rushrater status`).
        # What a rater at a shared workstation sees is the login list -- names and groups only, no
        # one else's progress -- and then only their own cases: "Start reading…" and `rushrater
        # read` open that login, never this table.
        raters = QGroupBox(self.tr("Raters"))
        raters_layout = QVBoxLayout(raters)
        raters_layout.setContentsMargins(12, 12, 12, 12)
        self.rater_model = RaterTableModel(self)
        self.rater_proxy = QSortFilterProxyModel(self)
        self.rater_proxy.setSourceModel(self.rater_model)
        self.rater_proxy.setSortRole(SORT_ROLE)
        self.rater_table = QTableView()
        self.rater_table.setModel(self.rater_proxy)
        self.rater_table.setItemDelegate(PaddedDelegate(self.rater_table))
        self.rater_table.setItemDelegateForColumn(RaterTableModel.PROGRESS, ProgressBarDelegate(self.rater_table))
        self.rater_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rater_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.rater_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rater_table.setAlternatingRowColors(True)
        self.rater_table.setSortingEnabled(True)
        self.rater_table.sortByColumn(RaterTableModel.CODE, Qt.SortOrder.AscendingOrder)
        self.rater_table.verticalHeader().hide()
        self.rater_table.setShowGrid(False)
        self.rater_table.setWordWrap(False)
        header = self.rater_table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column in range(self.rater_model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RaterTableModel.PROGRESS, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(48)
        self.rater_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        self.no_raters_label = _muted(
            QLabel(self.tr("No raters enrolled yet. Enrol the raters, import the images, then plan the reading."))
        )
        self.no_raters_label.setWordWrap(True)

        buttons = QHBoxLayout()
        self.enrol_button = QPushButton(self.tr("&Enrol rater…"))
        self.enrol_button.setToolTip(self.enrol_action.toolTip())
        self.enrol_button.clicked.connect(self.enrol_action.trigger)
        self.refresh_button = QPushButton(self.tr("&Refresh"))
        self.refresh_button.setToolTip(self.refresh_action.toolTip())
        self.refresh_button.clicked.connect(self.refresh_action.trigger)
        self.updated_label = _muted(QLabel())
        buttons.addWidget(self.enrol_button)
        buttons.addWidget(self.refresh_button)
        self.read_button = QPushButton(self.tr("Start &reading…"))
        self.read_button.setToolTip(self.read_action.toolTip())
        self.read_button.clicked.connect(self.read_action.trigger)
        buttons.addWidget(self.read_button)
        buttons.addStretch(1)
        buttons.addWidget(self.updated_label)

        raters_layout.addWidget(self.rater_table, 1)
        raters_layout.addWidget(self.no_raters_label)
        raters_layout.addLayout(buttons)

        left = QVBoxLayout()
        left.addWidget(details)
        left.addStretch(1)
        body.addLayout(left, 2)
        body.addWidget(raters, 3)
        layout.addLayout(body, 1)
        return page

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
        status = self._status
        info = status["study"]
        self.header_title.setText(info["title"])
        self.header_subtitle.setText(self._study.location if self._study is not None else info["path"])
        self.setWindowTitle(self.tr("{0} – RUSH Rater").format(info["title"]))

        self.patients_tile.set_value(status["patients"])
        incomplete = status["cases"] - status["complete_cases"]
        self.cases_tile.set_value(
            status["cases"],
            self.tr("%n with AP + lateral", "", status["complete_cases"])
            + (plural(self.tr(" · %n without both views", "", incomplete), incomplete) if incomplete else ""),
        )
        self.images_tile.set_value(status["images"])
        self.ratings_tile.set_value(status["ratings"])

        rubric = self._study.rubric
        low = sum(min(item.values) for item in rubric.items)
        high = sum(max(item.values) for item in rubric.items)
        self.rubric_value.setText(
            plural(self.tr("{0}\n%n item(s), total {1}–{2}", "", len(rubric.items)), len(rubric.items)).format(
                rubric_text(info["rubric"], rubric.key, "name"), low, high
            )
        )
        if status["timepoints"]:
            self.timepoints_value.setText(
                "\n".join(
                    plural(self.tr("{0}: %n case(s)", "", tp["cases"]), tp["cases"]).format(timepoint_label(tp["key"], tp["label"]))
                    for tp in status["timepoints"]
                )
            )
        else:
            self.timepoints_value.setText(self.tr("None"))
        if status["groups"]:
            self.groups_value.setText(
                "\n".join(
                    plural(self.tr("{0}: %n rater(s)", "", len(g["raters"])), len(g["raters"])).format(g["name"])
                    for g in status["groups"]
                )
            )
        else:
            self.groups_value.setText(self.tr("None yet: groups are made as raters are enrolled"))
        plan = status["plan"]
        if plan is None:
            self.plan_value.setText(self.tr("Not planned yet"))
        else:
            self.plan_value.setText(
                self.tr("Seed {0}, made {1}").format(plan["seed"], _format_when(plan["created_at"]))
            )
        self.created_value.setText(_format_when(info["created_at"]))

        selected = self._selected_rater_code()
        self.rater_model.set_rows(status["raters"])
        self.rater_table.setColumnHidden(RaterTableModel.REREADS, not self.rater_model.has_rereads())
        has_raters = bool(status["raters"])
        self.rater_table.setVisible(has_raters)
        self.no_raters_label.setVisible(not has_raters)
        if selected:
            self.select_rater(selected)
        self.updated_label.setText(self.tr("Updated {0}").format(datetime.now().strftime("%H:%M:%S")))

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
        self.new_button.setEnabled(idle)
        self.open_button.setEnabled(idle)
        self.demo_button.setEnabled(idle)
        self.enrol_button.setEnabled(has_study)
        self.refresh_button.setEnabled(has_study)
        current = self.recent_list.currentItem()
        self.open_recent_button.setEnabled(idle and current is not None)
        self.remove_recent_button.setEnabled(current is not None)
        self.recent_list.setEnabled(idle)

    # --- opening and closing ------------------------------------------------------------------

    def open_study_path(self, path: str | Path) -> bool:
        """Open the study at ``path`` and show it; on failure show why and keep what was open."""
        if self.busy:
            return False
        path = path.strip() if is_study_url(path) else Path(path).expanduser()
        study: Study | None = None
        try:
            with wait_cursor():
                # a study folder, its study.db, or a .rushrater link (double-clicked on the desktop)
                study = open_study(path if isinstance(path, str) else resolve_study_location(path))
                status = study_status(study)
        except Exception as exc:  # a RushRaterError is described in the user's terms; others are logged
            if study is not None:
                study.close()
            shown = study_display_location(path) if isinstance(path, str) else path
            self.statusBar().showMessage(self.tr("Could not open {0}").format(shown), 10_000)
            show_error(self, self.tr("Cannot open the study"), exc)
            return False
        self._take_study(study, status)
        self.statusBar().showMessage(self.tr("Opened {0}").format(study.title), 5_000)
        return True

    def _take_study(self, study: Study, status: dict[str, Any]) -> None:
        if self._study is not None and self._study is not study:
            self._close_console()
            self._study.close()
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

    @Slot()
    def close_study(self) -> None:
        if self.busy:
            return
        self._close_console()
        if self._study is not None:
            self._study.close()
        self._study = None
        self._status = None
        self.rater_model.set_rows([])
        self._show_start_page()

    @Slot()
    def start_reading(self) -> None:
        """Log in as a rater (the open study and selected rater preselected) and open the workstation."""
        from .workstation import open_workstation  # pyqtgraph loads only when someone reads

        window = open_workstation(
            None,
            study_path=self._study.root if self._study is not None else None,
            rater=self._selected_rater_code(),
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
        dialog = NewStudyDialog(
            lambda path, title, timepoints: create_study(path, title, timepoints), self._last_dir(), self
        )
        if dialog.exec() != NewStudyDialog.DialogCode.Accepted or dialog.result_value is None:
            return
        study: Study = dialog.result_value
        try:
            status = study_status(study)
        except Exception as exc:
            study.close()
            show_error(self, self.tr("Cannot open the study"), exc)
            return
        self._take_study(study, status)
        self.statusBar().showMessage(
            self.tr("Created {0}. Next: enrol raters and import the images.").format(study.title), 10_000
        )

    @Slot()
    def refresh(self) -> None:
        if self._study is None:
            return
        try:
            with wait_cursor():
                self._status = study_status(self._study)
        except Exception as exc:
            show_error(self, self.tr("Cannot read the study"), exc)
            return
        self._show_study()
        self.statusBar().showMessage(self.tr("Refreshed"), 3_000)

    @Slot()
    def enrol_rater(self) -> None:
        if self._study is None:
            return
        study = self._study
        groups = [g["name"] for g in (self._status or {}).get("groups", [])]
        dialog = EnrolRaterDialog(
            lambda name, group, code, pin: add_rater(study, name, group, code=code, pin=pin), groups, self
        )
        if dialog.exec() != EnrolRaterDialog.DialogCode.Accepted or dialog.result_value is None:
            return
        rater = dialog.result_value
        self.refresh()
        self.select_rater(rater.code)
        message = self.tr("Enrolled {0} as {1} in group {2}.").format(rater.name, rater.code, rater.group)
        if self._status and self._status.get("plan") is not None:
            message += " " + self.tr("Extend the reading plan to give them a reading list.")
        self.statusBar().showMessage(message, 10_000)

    def select_rater(self, code: str) -> None:
        row = self.rater_model.row_of_code(code)
        if row < 0:
            return
        index = self.rater_proxy.mapFromSource(self.rater_model.index(row, 0))
        self.rater_table.selectRow(index.row())
        self.rater_table.scrollTo(index)

    def _selected_rater_code(self) -> str | None:
        rows = self.rater_table.selectionModel().selectedRows() if self.rater_table.selectionModel() else []
        if not rows:
            return None
        source = self.rater_proxy.mapToSource(rows[0])
        return self.rater_model.index(source.row(), RaterTableModel.CODE).data()

    @Slot()
    def open_coordinator_console(self) -> None:
        """Open the coordinator console of the open study, behind the study admin password."""
        if self._study is None:
            return
        from .console import open_console  # pyqtgraph plots load only when the console is used

        self._close_console()
        self.console = open_console(self._study, self)

    def open_import_window(self) -> None:
        """Open the import window of the open study (import, assignment, redaction)."""
        if self._study is None:
            return
        from .importing import open_import_window  # pyqtgraph loads only when the window is used

        self.import_window = open_import_window(self._study, self)

    def open_bodycomp_window(self) -> None:
        """Open the body-composition window of the open study (CT at T12)."""
        if self._study is None:
            return
        from .bodycomp import open_bodycomp_window  # pyqtgraph loads only when the window is used

        self.bodycomp_window = open_bodycomp_window(self._study, self)

    def open_drr_window(self) -> None:
        """Open the DRR window of the open study (radiographs from CT, 3D bone view)."""
        if self._study is None:
            return
        from .drr import open_drr_window  # pyqtgraph loads only when the window is used

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

        def work(progress: Progress) -> Path:
            study = builder(path, progress=progress)
            root = study.root
            study.close()  # its engine belongs to this thread; the GUI thread opens its own
            return root

        task = BackgroundTask(work)
        task.signals.progress.connect(self._on_demo_progress)
        task.signals.succeeded.connect(self._on_demo_ready)
        task.signals.failed.connect(self._on_demo_failed)
        self._set_busy(task, self.tr("Preparing the demo study in {0}…").format(path))
        self._pool.start(task)

    def _set_busy(self, task: BackgroundTask | None, message: str = "") -> None:
        self._task = task
        busy = task is not None
        for widget in (self.busy_label, self.busy_bar, self.demo_progress_label, self.demo_progress_bar):
            widget.setVisible(busy)
        self.busy_label.setText(message)
        self.demo_progress_label.setText(message)
        if busy:
            self.statusBar().clearMessage()
        self._update_actions()

    @Slot(str)
    def _on_demo_progress(self, message: str) -> None:
        self.busy_label.setText(message)
        self.demo_progress_label.setText(message)

    @Slot(object)
    def _on_demo_ready(self, path: Path) -> None:
        self._set_busy(None)
        if self._close_when_idle:
            self.close()
            return
        self.open_study_path(path)

    @Slot(object)
    def _on_demo_failed(self, exc: BaseException) -> None:
        self._set_busy(None)
        if self._close_when_idle:
            self.close()
            return
        self.statusBar().showMessage(self.tr("The demo study could not be prepared"), 10_000)
        show_error(self, self.tr("Cannot prepare the demo study"), exc)

    def wait_for_background_work(self, msecs: int = -1) -> bool:
        """Block until the worker thread is idle (for shutdown and tests)."""
        return self._pool.waitForDone(msecs)

    # --- recent studies -----------------------------------------------------------------------

    def _fill_recent_list(self) -> None:
        self.recent_list.clear()
        first_existing = -1
        for row, entry in enumerate(self.recent.entries()):
            where = QDir.toNativeSeparators(str(entry.path))
            if not entry.exists:
                where = self.tr("{0} (folder not found)").format(where)
            elif first_existing < 0:
                first_existing = row
            item = QListWidgetItem(entry.title or entry.path.name)
            item.setData(PATH_ROLE, str(entry.path))
            item.setData(DETAIL_ROLE, where)
            item.setData(EXISTS_ROLE, entry.exists)
            item.setToolTip(where)
            self.recent_list.addItem(item)
        has_entries = self.recent_list.count() > 0
        self.recent_stack.setCurrentWidget(self.recent_list if has_entries else self.recent_empty_label)
        if has_entries:
            self.recent_list.setCurrentRow(max(first_existing, 0))
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

    def _open_recent_item(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.open_study_path(item.data(PATH_ROLE))

    def _remove_recent_item(self) -> None:
        item = self.recent_list.currentItem()
        if item is not None:
            self.recent.remove(item.data(PATH_ROLE))
            self._fill_recent_list()

    def _clear_recent(self) -> None:
        self.recent.clear()
        self._fill_recent_list()

    # --- settings -----------------------------------------------------------------------------

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
            # The demo build cannot be interrupted half-way; finish it out of sight, then close.
            self._close_when_idle = True
            self.hide()
            event.ignore()
            return
        self._settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self._settings.sync()
        if self._study is not None:
            self._study.close()
            self._study = None
            self._status = None
        event.accept()
        if self._close_when_idle:
            QApplication.quit()
