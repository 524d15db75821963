"""The study page: how big the study is (tiles), what it is (rubric, time points, groups, plan) and
how far each rater has got (never what anyone scored: blinding).

It shows a ``study_status`` dict the window loaded off the GUI thread (:meth:`StudyPage.show_status`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...domain.rubric import Rubric
from ..i18n import plural, rubric_text, timepoint_label
from ..qt import (
    QAbstractItemView,
    QAction,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPalette,
    QPushButton,
    QSizePolicy,
    QSortFilterProxyModel,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from .rater_table import SORT_ROLE, PaddedDelegate, ProgressBarDelegate, RaterTableModel
from .widgets import format_when, muted, scaled_font


class StatTile(QFrame):
    """A big number with a caption and an optional note under it."""

    def __init__(self, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.value_label = QLabel("–")
        self.value_label.setFont(scaled_font(self, 2.0, bold=True))
        self.caption_label = QLabel(caption)
        self.note_label = muted(QLabel(""))
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


class StudyPage(QWidget):
    """The open study's summary and per-rater progress. The buttons trigger the window's actions."""

    def __init__(self, enrol_action: QAction, refresh_action: QAction, read_action: QAction, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
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
            label = muted(QLabel(caption))
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
        self.no_raters_label = muted(
            QLabel(self.tr("No raters enrolled yet. Enrol the raters, import the images, then plan the reading."))
        )
        self.no_raters_label.setWordWrap(True)

        buttons = QHBoxLayout()
        self.enrol_button = QPushButton(self.tr("&Enrol rater…"))
        self.refresh_button = QPushButton(self.tr("&Refresh"))
        self.read_button = QPushButton(self.tr("Start &reading…"))
        for button, action in ((self.enrol_button, enrol_action), (self.refresh_button, refresh_action),
                               (self.read_button, read_action)):
            button.setToolTip(action.toolTip())
            button.clicked.connect(action.trigger)
            buttons.addWidget(button)
        self.updated_label = muted(QLabel())
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

    def show_status(self, status: dict[str, Any], rubric: Rubric) -> None:
        """Fill the page from a ``study_status`` dict (the rater selection is kept)."""
        info = status["study"]
        self.patients_tile.set_value(status["patients"])
        incomplete = status["cases"] - status["complete_cases"]
        self.cases_tile.set_value(
            status["cases"],
            self.tr("%n with AP + lateral", "", status["complete_cases"])
            + (plural(self.tr(" · %n without both views", "", incomplete), incomplete) if incomplete else ""),
        )
        self.images_tile.set_value(status["images"])
        self.ratings_tile.set_value(status["ratings"])

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
                    plural(self.tr("{0}: %n case(s)", "", tp["cases"]), tp["cases"]).format(
                        timepoint_label(tp["key"], tp["label"])
                    )
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
                self.tr("Seed {0}, made {1}").format(plan["seed"], format_when(plan["created_at"]))
            )
        self.created_value.setText(format_when(info["created_at"]))

        selected = self.selected_rater_code()
        self.rater_model.set_rows(status["raters"])
        self.rater_table.setColumnHidden(RaterTableModel.REREADS, not self.rater_model.has_rereads())
        has_raters = bool(status["raters"])
        self.rater_table.setVisible(has_raters)
        self.no_raters_label.setVisible(not has_raters)
        if selected:
            self.select_rater(selected)
        self.updated_label.setText(self.tr("Updated {0}").format(datetime.now().strftime("%H:%M:%S")))

    def clear(self) -> None:
        self.rater_model.set_rows([])

    def select_rater(self, code: str) -> None:
        row = self.rater_model.row_of_code(code)
        if row < 0:
            return
        index = self.rater_proxy.mapFromSource(self.rater_model.index(row, 0))
        self.rater_table.selectRow(index.row())
        self.rater_table.scrollTo(index)

    def selected_rater_code(self) -> str | None:
        rows = self.rater_table.selectionModel().selectedRows() if self.rater_table.selectionModel() else []
        if not rows:
            return None
        source = self.rater_proxy.mapToSource(rows[0])
        return self.rater_model.index(source.row(), RaterTableModel.CODE).data()

    def set_has_study(self, has_study: bool) -> None:
        self.enrol_button.setEnabled(has_study)
        self.refresh_button.setEnabled(has_study)
