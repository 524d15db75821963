"""The console's Progress tab: per rater and rater group, cases and re-reads done; who can still be
impersonated at a workstation (no PIN) and cases scored on images that failed to load."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...domain.changes import Changes, Entity
from ...services.agreement import reading_progress
from ...services.raters import rater_credentials
from ...services.reading import image_load_failures
from ..qt import QGroupBox, QLabel, QVBoxLayout, QWidget
from .tab import ConsoleTab, item, table

#: The audit action of an image a workstation could not show (it changes no other entity).
IMAGE_FAILURE_ACTION = "image.load_failed"


@dataclass(frozen=True)
class ProgressData:
    progress: pd.DataFrame
    credentials: list
    failures: list


def load_progress(study) -> ProgressData:
    return ProgressData(reading_progress(study), rater_credentials(study), image_load_failures(study))


class ProgressTab(ConsoleTab):
    """Progress per rater and group; the counts line comes with the agreement report (:meth:`show_counts`)."""

    entities = (Entity.RATERS, Entity.READING_PLAN, Entity.RATINGS)

    def __init__(self, study, parent: QWidget | None = None):
        super().__init__(study, parent)
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        layout.addWidget(self.summary)
        self.progress_table = table([
            self.tr("Rater"), self.tr("Name"), self.tr("Group"), self.tr("Cases done"), self.tr("Progress"),
            self.tr("Median s / case"), self.tr("Re-reads done"), self.tr("Re-reads due now"),
            self.tr("In washout"), self.tr("Next re-read from"),
        ])
        layout.addWidget(self.progress_table, 1)
        self.group_table = table([self.tr("Group"), self.tr("Raters"), self.tr("Cases done"),
                                  self.tr("Median s / case"), self.tr("Re-reads due now")])
        self.group_table.setMaximumHeight(140)
        layout.addWidget(QLabel(self.tr("By rater group")))
        layout.addWidget(self.group_table)
        layout.addWidget(self._trust_box())
        self.progress: pd.DataFrame | None = None
        self._counts: dict[str, int] | None = None

    def _trust_box(self) -> QWidget:
        """Who can still be impersonated at a workstation, and cases scored on images that failed."""
        box = QGroupBox(self.tr("Rater identity and image failures"))
        box_layout = QVBoxLayout(box)
        self.credential_label = QLabel()
        self.credential_label.setObjectName("credentialLabel")
        self.credential_label.setWordWrap(True)
        box_layout.addWidget(self.credential_label)
        self.failure_table = table([self.tr("When"), self.tr("Rater"), self.tr("Case"), self.tr("View"),
                                    self.tr("Error")])
        self.failure_table.setMaximumHeight(130)
        box_layout.addWidget(self.failure_table)
        return box

    def follows(self, changes: Changes) -> bool:
        # A failed image is only an audit row: the action names it.
        return super().follows(changes) or IMAGE_FAILURE_ACTION in changes.actions

    def loader(self):
        study = self.study
        return lambda: load_progress(study)

    def show_data(self, data: ProgressData) -> None:
        self.progress = progress = data.progress
        table = self.progress_table
        table.setRowCount(len(progress))
        for i, r in enumerate(progress.itertuples()):
            share = f"{100.0 * r.done / r.assigned:.0f}%" if r.assigned else "—"
            seconds = "—" if not np.isfinite(r.median_seconds) else f"{r.median_seconds:.0f}"
            next_from = r.next_reread_from.strftime("%Y-%m-%d") if r.next_reread_from is not None else "—"
            values = [r.rater, r.name, r.group, f"{r.done} / {r.assigned}", share, seconds,
                      f"{r.rereads_done} / {r.rereads_assigned}", r.rereads_due, r.rereads_waiting, next_from]
            for j, value in enumerate(values):
                table.setItem(i, j, item(value, align_right=j >= 3))
        table.resizeColumnsToContents()
        for j in range(3, table.columnCount()):  # room to read the numbers at a glance
            table.setColumnWidth(j, table.columnWidth(j) + 24)
        table.horizontalHeader().setStretchLastSection(True)
        groups = progress.groupby("group", sort=True) if len(progress) else []
        self.group_table.setRowCount(len(groups) if len(progress) else 0)
        for i, (name, rows) in enumerate(groups):
            values = [name, len(rows), f"{rows['done'].sum()} / {rows['assigned'].sum()}",
                      "—" if rows["median_seconds"].isna().all() else f"{rows['median_seconds'].median():.0f}",
                      int(rows["rereads_due"].sum())]
            for j, value in enumerate(values):
                self.group_table.setItem(i, j, item(value, align_right=j >= 1))
        self.group_table.resizeColumnsToContents()
        for j in range(1, self.group_table.columnCount()):
            self.group_table.setColumnWidth(j, self.group_table.columnWidth(j) + 24)
        self._show_trust(data.credentials, data.failures)
        self._show_summary()

    def show_counts(self, counts: dict[str, int]) -> None:
        """The line above the table, from the agreement report's counts (one read of the ratings)."""
        self._counts = counts
        self._show_summary()

    def _show_summary(self) -> None:
        counts = self._counts
        if counts is None or self.progress is None:
            return
        raters = len(self.progress)
        self.summary.setText(
            self.tr("{0} raters · {1} first reads of {2} cases · {3} re-reads · {4} unreadable").format(
                raters, counts["first_reads"], counts["cases_rated"], counts["rereads"], counts["unreadable"]
            )
        )

    def _show_trust(self, credentials, failures) -> None:
        missing = [f"{c.code} {c.name}" for c in credentials if c.needs_pin]
        open_ = [f"{c.code} {c.name}" for c in credentials if c.open_workstation]
        text = (self.tr("No PIN yet (they choose one at their next login): {0}").format(", ".join(missing))
                if missing else self.tr("Every rater has a PIN."))
        if open_:
            text += " " + self.tr("Open workstation (reads without a PIN): {0}").format(", ".join(open_))
        self.credential_label.setText(text)
        table = self.failure_table
        table.setRowCount(len(failures))
        for i, f in enumerate(failures):
            for j, value in enumerate((f.at.strftime("%Y-%m-%d %H:%M"), f.rater, f.case, f.view, f.error)):
                table.setItem(i, j, item(value))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        table.setVisible(bool(failures))
