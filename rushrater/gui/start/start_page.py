"""The start page: New / Open / demo study, the demo build's progress, and the recent studies."""

from __future__ import annotations

from ...services.preferences import RecentStudy
from ..qt import (
    QAction,
    QApplication,
    QDir,
    QFont,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPainter,
    QPalette,
    QProgressBar,
    QPushButton,
    QSize,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .widgets import muted, section_label

PATH_ROLE = int(Qt.ItemDataRole.UserRole) + 10
DETAIL_ROLE = int(Qt.ItemDataRole.UserRole) + 11
EXISTS_ROLE = int(Qt.ItemDataRole.UserRole) + 12


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


class StartPage(QWidget):
    """What to do (left) and the recent studies (right). The buttons trigger the window's actions;
    a recent study to open is asked for with :attr:`open_requested`, one to forget with
    :attr:`remove_requested`."""

    #: the path of a recent study to open
    open_requested = Signal(str)
    #: the path of a recent study to forget (the folder is not touched)
    remove_requested = Signal(str)
    #: the current recent study changed (the window updates what it enables)
    selection_changed = Signal()

    def __init__(self, new_action: QAction, open_action: QAction, demo_action: QAction, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(32)

        # Left: what to do.
        start = QVBoxLayout()
        start.setSpacing(10)
        start.addWidget(section_label(self.tr("Start"), self))
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(12)
        self.new_button = QPushButton(self.tr("&New study…"))
        self.open_button = QPushButton(self.tr("&Open study…"))
        self.demo_button = QPushButton(self.tr("Open &demo study"))
        rows = (
            (self.new_button, new_action, self.tr("Create a study folder for a new reading study.")),
            (self.open_button, open_action, self.tr("Open a study folder made by RUSH Rater.")),
            (
                self.demo_button,
                demo_action,
                self.tr("Try RUSH Rater on synthetic hip radiographs with six raters. Built on first use."),
            ),
        )
        for row, (button, action, text) in enumerate(rows):
            button.setMinimumWidth(180)
            button.setMinimumHeight(34)
            button.setToolTip(action.toolTip())
            button.clicked.connect(action.trigger)
            note = muted(QLabel(text))
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
        blinding_note = muted(
            QLabel(
                self.tr(
                    "This window is for study coordinators. Raters score cases on the reading "
                    "workstation; scores are never shown here.",
                )
            )
        )
        blinding_note.setWordWrap(True)
        start.addWidget(blinding_note)

        # Right: recent studies.
        recent = QVBoxLayout()
        recent.setSpacing(10)
        recent.addWidget(section_label(self.tr("Recent studies"), self))
        self.recent_list = QListWidget()
        self.recent_list.setItemDelegate(RecentStudyDelegate(self.recent_list))
        self.recent_list.setUniformItemSizes(True)
        self.recent_list.itemActivated.connect(self.open_item)
        self.recent_list.currentItemChanged.connect(lambda *_: self.selection_changed.emit())
        self.recent_empty_label = muted(QLabel(self.tr("Studies you open appear here.")))
        self.recent_empty_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.recent_stack = QStackedWidget()
        self.recent_stack.addWidget(self.recent_list)
        self.recent_stack.addWidget(self.recent_empty_label)
        recent.addWidget(self.recent_stack, 1)
        buttons = QHBoxLayout()
        self.open_recent_button = QPushButton(self.tr("O&pen selected"))
        self.open_recent_button.clicked.connect(lambda: self.open_item(self.recent_list.currentItem()))
        self.remove_recent_button = QPushButton(self.tr("Re&move from list"))
        self.remove_recent_button.setToolTip(self.tr("Forget this entry; the study folder is not touched"))
        self.remove_recent_button.clicked.connect(self._remove_current)
        buttons.addStretch(1)
        buttons.addWidget(self.open_recent_button)
        buttons.addWidget(self.remove_recent_button)
        recent.addLayout(buttons)

        layout.addLayout(start, 5)
        layout.addLayout(recent, 4)

    def fill_recent(self, entries: list[RecentStudy]) -> None:
        """Show ``entries`` (the latest first); the first study whose folder exists is selected."""
        self.recent_list.clear()
        first_existing = -1
        for row, entry in enumerate(entries):
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

    def open_item(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.open_requested.emit(item.data(PATH_ROLE))

    def _remove_current(self) -> None:
        item = self.recent_list.currentItem()
        if item is not None:
            self.remove_requested.emit(item.data(PATH_ROLE))

    def set_idle(self, idle: bool) -> None:
        """The start buttons and the recent list are off while an operation of the window runs."""
        for button in (self.new_button, self.open_button, self.demo_button):
            button.setEnabled(idle)
        current = self.recent_list.currentItem()
        self.open_recent_button.setEnabled(idle and current is not None)
        self.remove_recent_button.setEnabled(current is not None)
        self.recent_list.setEnabled(idle)

    def show_progress(self, message: str | None) -> None:
        """A long operation (the demo build) shows its step and a busy bar here; ``None`` hides them."""
        self.demo_progress_label.setVisible(message is not None)
        self.demo_progress_bar.setVisible(message is not None)
        self.demo_progress_label.setText(message or "")
