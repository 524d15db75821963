"""What every console tab is: a widget that names the parts of the study it shows, reads them off the
GUI thread (:func:`~rushrater.gui.operations.run_operation`) and reads them again only when a write
touches them (the window hands each tab the study's :class:`~rushrater.domain.changes.Changes`).

Also the table helpers the tabs share.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...domain.changes import Changes, Entity
from ...services.agreement import TOTAL
from ...services.study import Study
from ..i18n import component_label, item_label
from ..operations import Operation, run_operation
from ..qt import (
    is_alive,
    QAbstractItemView,
    QCoreApplication,
    QFont,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)


#: Whether the Qt side of a tab's widget still exists (a window closed while its operation ran).
alive = is_alive


class ConsoleTab(QWidget):
    """One tab of the coordinator console.

    Subclasses set :attr:`entities`, return from :meth:`loader` a function that reads the study
    (called on the operation thread with plain values captured on the GUI thread) and fill their
    widgets in :meth:`show_data`. While a read runs the old contents stay (no flicker).
    """

    #: The parts of the study this tab shows: a write touching one of them makes it read again.
    entities: tuple[Entity, ...] = ()

    def __init__(self, study: Study, parent: QWidget | None = None):
        super().__init__(parent)
        self.study = study
        #: How many times this tab has read the study (a write elsewhere must not reload every tab).
        self.loads = 0
        self._loading = False
        self._again = False

    def follows(self, changes: Changes) -> bool:
        """Whether ``changes`` alter what this tab shows."""
        return changes.touches(*self.entities)

    def loader(self) -> Callable[[], Any] | None:
        """The read of this tab's data, or None for a tab that shows only what it is handed."""
        return None

    def show_data(self, data: Any) -> None:
        """Fill the widgets from what :meth:`loader` read (GUI thread)."""

    def reload(self) -> None:
        """Read the study again (one read at a time: a request during a read runs once after it)."""
        reload_tabs(self, [self])

    def _loaded(self, data: Any) -> None:
        self._loading = False
        self.show_data(data)
        self._read_again_if_asked()

    def _load_failed(self, exc: BaseException) -> None:
        from ..errors import show_error

        self._loading = False
        show_error(self, self.tr("Cannot read the study"), exc)
        self._read_again_if_asked()

    def _read_again_if_asked(self) -> None:
        if self._again:
            self._again = False
            self.reload()

    def operate(self, fn: Callable[[Any], Any], *, done: Callable[[Any], None] | None = None,
            failed: Callable[[BaseException], None] | None = None, title: str = "", label: str = "",
            cancellable: bool = False) -> Operation:
        """:func:`run_operation` on this study's queue; the callbacks are skipped once the tab is gone."""

        def guarded(callback):
            if callback is None:
                return None
            return lambda value: callback(value) if alive(self) else None

        return run_operation(self, fn, done=guarded(done), failed=guarded(failed), title=title, label=label,
                             cancellable=cancellable, queue=self.study)

    def score_label(self, score: str) -> str:
        """The rubric's label of an item or component (in the user's language), "Total" for the total."""
        if score == TOTAL:
            return self.tr("Total")
        rubric = self.study.rubric
        component = next((c for c in rubric.components if c.key == score), None)
        if component is not None:
            return component_label(component)
        return item_label(rubric.item(score)) if score in rubric.item_keys else score

    def status_message(self, text: str, msecs: int = 5_000) -> None:
        """Say what an action did in the console's status bar."""
        window = self.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(text, msecs)


def reload_tabs(parent: QWidget, tabs: list[ConsoleTab]) -> Operation | None:
    """Read the data of ``tabs`` in one operation (one progress dialog, not one per tab), then show it.

    A tab whose read is still running reads once more after it instead (no pile-up while a burst of
    writes arrives). A tab whose read fails says so; the others still show theirs.
    """
    reads = []
    for tab in tabs:
        if tab._loading:
            tab._again = True
            continue
        load = tab.loader()
        if load is None:
            continue
        tab._loading = True
        tab.loads += 1
        reads.append((tab, load))
    if not reads:
        return None
    study = reads[0][0].study

    def read(progress) -> list[tuple[ConsoleTab, bool, Any]]:
        results = []
        for tab, load in reads:
            try:
                results.append((tab, True, load()))
            except Exception as exc:  # noqa: BLE001 - shown by its tab; the other tabs' reads go on
                results.append((tab, False, exc))
        return results

    def deliver(results) -> None:
        for tab, ok, value in results:
            if alive(tab):
                tab._loaded(value) if ok else tab._load_failed(value)

    def failed(exc: BaseException) -> None:  # only what the per-tab catch lets through (an interrupt)
        for tab, _ in reads:
            if alive(tab):
                tab._loading = False

    return run_operation(parent, read, done=deliver, failed=failed, label=reading_label(), queue=study)


def reading_label() -> str:
    """What a slow read's progress dialog says."""
    return QCoreApplication.translate("ConsoleTab", "Reading the study…")


def saving_label() -> str:
    """What a slow write's progress dialog says."""
    return QCoreApplication.translate("ConsoleTab", "Saving…")


def item(text: Any, align_right: bool = False, bold: bool = False, tip: str = "") -> QTableWidgetItem:
    """A read-only table cell."""
    cell = QTableWidgetItem("" if text is None else str(text))
    cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if align_right:
        cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if bold:
        font = QFont()
        font.setBold(True)
        cell.setFont(font)
    if tip:
        cell.setToolTip(tip)
    return cell


def table(headers: list[str]) -> QTableWidget:
    """A read-only table of whole rows."""
    widget = QTableWidget(0, len(headers))
    widget.setHorizontalHeaderLabels(headers)
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    widget.setAlternatingRowColors(True)
    widget.verticalHeader().setVisible(False)
    widget.horizontalHeader().setHighlightSections(False)
    return widget
