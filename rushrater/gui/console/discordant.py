"""The console's Discordant cases tab: the queue of cases whose raters disagree, each with its latest
decided consensus; Enter (or Adjudicate…) opens the case in the adjudication dialog."""

from __future__ import annotations

import pandas as pd

from ...domain.changes import Entity
from ...services.consensus import discordant_cases, thresholds
from ..core_text import core_text
from ..qt import (
    QAbstractItemView,
    QBrush,
    QColor,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Slot,
)
from .tab import ConsoleTab, item, reading_label, table

CASE_ROLE = int(Qt.ItemDataRole.UserRole) + 20


class DiscordantTab(ConsoleTab):
    """The discordant queue; a recorded consensus comes back through the study's change signal."""

    # The settings hold the spread and the cut-off that make a case discordant.
    entities = (Entity.RATINGS, Entity.CONSENSUS, Entity.STUDY)

    def __init__(self, study, parent: QWidget | None = None):
        super().__init__(study, parent)
        self.queue: pd.DataFrame | None = None
        layout = QVBoxLayout(self)
        self.queue_caption = QLabel()
        self.queue_caption.setWordWrap(True)
        layout.addWidget(self.queue_caption)
        self.queue_table = table([
            self.tr("Case"), self.tr("Patient"), self.tr("Time point"), self.tr("Raters"), self.tr("Median"),
            self.tr("Range"), self.tr("Why discordant"), self.tr("Decided"),
        ])
        self.queue_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.queue_table.itemActivated.connect(lambda _item: self.adjudicate_selected())
        layout.addWidget(self.queue_table, 1)
        row = QHBoxLayout()
        self.adjudicate_button = QPushButton(self.tr("&Adjudicate…"))
        self.adjudicate_button.setToolTip(self.tr("Open the selected case with every rater's scores (Enter)"))
        self.adjudicate_button.clicked.connect(self.adjudicate_selected)
        self.adjudicate_button.setEnabled(False)
        row.addStretch(1)
        row.addWidget(self.adjudicate_button)
        layout.addLayout(row)

    def loader(self):
        study = self.study
        return lambda: discordant_cases(study)

    def show_data(self, queue: pd.DataFrame) -> None:
        self.queue = queue
        spread, cutoff = thresholds(self.study)
        undecided = int(queue["decided_method"].isna().sum()) if len(queue) else 0
        self.queue_caption.setText(
            self.tr("{0} discordant case(s), {1} not yet decided: totals spanning more than {2:g} points, or raters "
                    "split on slow healing (total below {3:g}). Select a case and press Enter to adjudicate.").format(
                len(queue), undecided, spread, cutoff)
        )
        table = self.queue_table
        selected = self.selected_case()
        table.setRowCount(len(queue))
        for i, r in enumerate(queue.itertuples()):
            decided = (self.tr("{0} {1:g} — {2}").format(core_text(r.decided_method), r.decided_total, r.decided_by)
                       if isinstance(r.decided_method, str) else self.tr("not yet"))
            values = [r.case, r.patient, r.timepoint, r.n_raters, f"{r.median_total:g}",
                      f"{r.min_total:g}–{r.max_total:g}", core_text(r.reason), decided]
            for j, value in enumerate(values):
                cell = item(value, align_right=3 <= j <= 5)
                cell.setData(CASE_ROLE, r.case)
                if not isinstance(r.decided_method, str) and j == 7:
                    cell.setForeground(QBrush(QColor("#b04000")))
                table.setItem(i, j, cell)
        table.resizeColumnsToContents()
        table.horizontalHeader().setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        # The case the coordinator was on stays selected when the queue is read again.
        cases = list(queue["case"]) if len(queue) else []
        if selected in cases:
            table.selectRow(cases.index(selected))
        elif len(queue) and table.currentRow() < 0:
            table.selectRow(0)
        table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.adjudicate_button.setEnabled(len(queue) > 0)

    def selected_case(self) -> str | None:
        row = self.queue_table.currentRow()
        cell = self.queue_table.item(row, 0) if row >= 0 else None
        return cell.data(CASE_ROLE) if cell is not None else None

    @Slot()
    def adjudicate_selected(self) -> None:
        """Read the selected case (scores, images, history), then open it for adjudication."""
        case = self.selected_case()
        if case is None or not self.adjudicate_button.isEnabled():
            return
        from .adjudication import AdjudicationDialog, load_case

        study = self.study
        self.adjudicate_button.setEnabled(False)  # one case at a time

        def opened(data) -> None:
            self.adjudicate_button.setEnabled(True)
            dialog = AdjudicationDialog(study, case, data, self)
            if dialog.exec() == AdjudicationDialog.DialogCode.Accepted:
                self.status_message(self.tr("Consensus of {0} recorded").format(case))

        def failed(exc: BaseException) -> None:
            from ..errors import show_error

            self.adjudicate_button.setEnabled(True)
            show_error(self, self.tr("Cannot read the study"), exc)

        self.operate(lambda progress: load_case(study, case), done=opened, failed=failed, label=reading_label())
