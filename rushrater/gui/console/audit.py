"""The console's Audit trail tab: every change to ratings, consensus, settings, plans and images,
filtered by entity, user and date, and written to CSV (services/audit_trail.py)."""

from __future__ import annotations

from ...domain.changes import Entity
from ...services.audit_trail import audit_trail, write_audit_csv
from ...services.study import Study
from ..errors import show_error
from ..i18n import plural
from ..qt import (
    QAbstractItemView,
    QComboBox,
    QDate,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from .tab import ConsoleTab, reading_label, saving_label


def load_trail(study: Study) -> tuple:
    """The whole trail once: its entities and its first and last day make the filters' choices."""
    everything = audit_trail(study)
    return sorted(set(everything["entity"])), everything


class AuditTab(ConsoleTab):
    # Every write adds to the trail.
    entities = (Entity.AUDIT,)

    def __init__(self, study: Study, parent: QWidget | None = None):
        super().__init__(study, parent)
        self.trail = None
        self._filtering = False
        self._filter_again = False
        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.entity_combo = QComboBox()
        entity_label = QLabel(self.tr("&Entity:"))
        entity_label.setBuddy(self.entity_combo)
        self.actor_edit = QLineEdit()
        self.actor_edit.setPlaceholderText(self.tr("part of a name, e.g. R03"))
        actor_label = QLabel(self.tr("Use&r:"))
        actor_label.setBuddy(self.actor_edit)
        self.since_edit = QDateEdit()
        self.until_edit = QDateEdit()
        for edit in (self.since_edit, self.until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        since_label = QLabel(self.tr("&From:"))
        since_label.setBuddy(self.since_edit)
        until_label = QLabel(self.tr("&To:"))
        until_label.setBuddy(self.until_edit)
        for widget in (entity_label, self.entity_combo, actor_label, self.actor_edit, since_label, self.since_edit,
                       until_label, self.until_edit):
            filters.addWidget(widget)
        self.export_button = QPushButton(self.tr("E&xport CSV…"))
        self.export_button.clicked.connect(self.export_csv)
        filters.addStretch(1)
        filters.addWidget(self.export_button)
        layout.addLayout(filters)
        self.caption = QLabel()
        layout.addWidget(self.caption)
        self.headers = [self.tr("When (UTC)"), self.tr("User"), self.tr("Action"), self.tr("Entity"), self.tr("Id"),
                        self.tr("Before"), self.tr("After"), self.tr("Reason")]
        self.table = QTableWidget(0, len(self.headers))
        self.table.setHorizontalHeaderLabels(self.headers)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.entity_combo.currentIndexChanged.connect(self.apply_filters)
        self.actor_edit.textChanged.connect(self.apply_filters)
        self.since_edit.dateChanged.connect(self.apply_filters)
        self.until_edit.dateChanged.connect(self.apply_filters)

    def loader(self):
        study = self.study
        return lambda: load_trail(study)

    def show_data(self, data) -> None:
        """Entities and date range from the trail as it is now; then the filtered rows."""
        entities, everything = data
        current = self.entity_combo.currentData()
        for edit in (self.since_edit, self.until_edit, self.entity_combo):
            edit.blockSignals(True)
        self.entity_combo.clear()
        self.entity_combo.addItem(self.tr("All"), "")
        for entity in entities:
            self.entity_combo.addItem(entity, entity)
        self.entity_combo.setCurrentIndex(max(0, self.entity_combo.findData(current or "")))
        if len(everything):
            first, last = everything["at"].iloc[0].date(), everything["at"].iloc[-1].date()
            self.since_edit.setDate(QDate(first.year, first.month, first.day))
            self.until_edit.setDate(QDate(last.year, last.month, last.day))
        for edit in (self.since_edit, self.until_edit, self.entity_combo):
            edit.blockSignals(False)
        self.apply_filters()

    def apply_filters(self) -> None:
        """The rows the filters select, read by the service (one read at a time while typing)."""
        if self._filtering:
            self._filter_again = True
            return
        study = self.study
        filters = dict(entity=self.entity_combo.currentData() or None, actor=self.actor_edit.text().strip() or None,
                       since=self.since_edit.date().toPython(), until=self.until_edit.date().toPython())
        self._filtering = True
        self.operate(lambda progress: audit_trail(study, **filters), done=self._show_trail,
                     failed=self._filter_failed, label=reading_label())

    def _filter_failed(self, exc: BaseException) -> None:
        self._filtering = False
        show_error(self, self.tr("Cannot read the study"), exc)

    def _show_trail(self, trail) -> None:
        self._filtering = False
        if self._filter_again:  # the filters changed while this read ran: show what they select now
            self._filter_again = False
            self.apply_filters()
            return
        self.trail = trail
        table = self.table
        table.setRowCount(len(self.trail))
        for i, row in enumerate(self.trail.itertuples(index=False)):
            values = [row.at.strftime("%Y-%m-%d %H:%M:%S"), row.actor, row.action, row.entity, row.entity_id,
                      row.before, row.after, row.reason]
            for j, value in enumerate(values):
                cell = QTableWidgetItem(str(value))
                if j in (5, 6) and value:
                    cell.setToolTip(str(value))
                table.setItem(i, j, cell)
        table.resizeColumnsToContents()
        for column in (5, 6):
            table.setColumnWidth(column, min(table.columnWidth(column), 320))
        n = len(self.trail)
        self.caption.setText(plural(self.tr("%n change(s) shown, oldest first", "", n), n))

    def export_csv(self, path: str | None = None) -> bool:
        """The rows shown, as CSV (``path`` given: no dialog)."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export the audit trail"),
                                                  str(self.study.root.parent / "audit-trail.csv"),
                                                  self.tr("CSV files (*.csv)"))
        if not path:
            return False
        trail = self.trail
        self.export_button.setEnabled(False)

        def written(out) -> None:
            self.export_button.setEnabled(True)
            self.status_message(self.tr("Audit trail exported to {0}").format(out), 15_000)

        def failed(exc: BaseException) -> None:
            self.export_button.setEnabled(True)
            show_error(self, self.tr("Cannot write it"), exc)

        self.operate(lambda progress: write_audit_csv(trail, path), done=written, failed=failed,
                     label=saving_label())
        return True
