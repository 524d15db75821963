"""Per-rater reading progress, as a table model over the ``raters`` rows of ``study_status``.

Coordinator view: how far each rater has got, never what anyone scored.
"""

from __future__ import annotations

from typing import Any

from ..qt import (
    QAbstractTableModel,
    QApplication,
    QModelIndex,
    QPersistentModelIndex,
    QPainter,
    QSize,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    Qt,
)

#: Role giving a value to sort on (numbers as numbers).
SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
#: Role giving the percentage done (0-100) for the progress column, else ``None``.
PERCENT_ROLE = int(Qt.ItemDataRole.UserRole) + 2

_Index = QModelIndex | QPersistentModelIndex


class RaterTableModel(QAbstractTableModel):
    CODE, NAME, GROUP, DONE, REMAINING, REREADS, PROGRESS = range(7)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []

    # --- data in ------------------------------------------------------------------------------

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = [dict(r) for r in rows]
        self.endResetModel()

    def row_of_code(self, code: str) -> int:
        for number, row in enumerate(self._rows):
            if row["code"] == code:
                return number
        return -1

    def has_rereads(self) -> bool:
        return any(r.get("reread_assigned", 0) for r in self._rows)

    # --- Qt model API -------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else 7

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                self.tr("Code"),
                self.tr("Name"),
                self.tr("Group"),
                self.tr("Read"),
                self.tr("Left"),
                self.tr("Re-reads"),
                self.tr("Progress"),
            )[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                self.tr("Rater code, used on the reading workstation"),
                None,
                self.tr("Rater group, e.g. resident or attending"),
                self.tr("Cases read / cases on the rater's reading list"),
                self.tr("Cases still to read"),
                self.tr("Repeat readings (for intra-rater agreement) read / planned"),
                self.tr("Share of the reading list done"),
            )[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in (self.DONE, self.REMAINING, self.REREADS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == PERCENT_ROLE:
            return float(row["percent_done"]) if column == self.PROGRESS and row["assigned"] else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (self.DONE, self.REMAINING, self.REREADS):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if column == self.PROGRESS:
                return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if not row["assigned"]:
                return self.tr("No reading list yet: plan the reading to give this rater a list.")
            return self.tr("{0} of {1} cases read; {2} left").format(row["done"], row["assigned"], row["remaining"])
        return None

    def _display(self, row: dict[str, Any], column: int) -> str:
        if column == self.CODE:
            return row["code"]
        if column == self.NAME:
            return row["name"]
        if column == self.GROUP:
            return row["group"]
        if column == self.DONE:
            return self.tr("{0} / {1}").format(row["done"], row["assigned"])
        if column == self.REMAINING:
            return str(row["remaining"])
        if column == self.REREADS:
            assigned = row.get("reread_assigned", 0)
            return self.tr("{0} / {1}").format(row.get("reread_done", 0), assigned) if assigned else "–"
        if column == self.PROGRESS:
            if not row["assigned"]:
                return self.tr("no list yet")
            return self.tr("{0} %").format(_percent(row["percent_done"]))
        return ""

    def _sort_key(self, row: dict[str, Any], column: int):
        if column == self.CODE:
            return row["code"]
        if column == self.NAME:
            return row["name"].lower()
        if column == self.GROUP:
            return (row["group"].lower(), row["code"])
        if column == self.DONE:
            return row["done"]
        if column == self.REMAINING:
            return row["remaining"]
        if column == self.REREADS:
            return row.get("reread_done", 0)
        return float(row["percent_done"]) if row["assigned"] else -1.0


def _percent(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


class PaddedDelegate(QStyledItemDelegate):
    """Cells sized to their text plus some air, so fitted columns do not touch."""

    EXTRA_WIDTH = 16

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + self.EXTRA_WIDTH, size.height())


class ProgressBarDelegate(PaddedDelegate):
    """Draws :data:`PERCENT_ROLE` as a progress bar with the display text on it."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        percent = index.data(PERCENT_ROLE)
        if percent is None:
            super().paint(painter, option, index)
            return
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        # Background and selection as for any cell, without the text.
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        item.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)

        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(6, 5, -6, -5)
        bar.palette = option.palette
        bar.fontMetrics = option.fontMetrics
        bar.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Horizontal
        bar.minimum = 0
        bar.maximum = 1000
        bar.progress = max(0, min(1000, round(percent * 10)))
        bar.text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, widget)
