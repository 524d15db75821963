"""The coordinator console window.

Tabs: Progress (per rater and group), Agreement (ICC table by time point x group, healing status,
test-retest), Plots (forest plot, Bland-Altman, score distributions, rater x rater heatmap),
Discordant cases (the queue that opens the adjudication view) and Settings. Everything shown comes
from one service call (:func:`agreement_report`, :func:`reading_progress`,
:func:`discordant_cases`); F5 reads the study again.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ... import stats
from ...domain.errors import RushRaterError
from ...services.agreement import ALL, POOLED, TOTAL, AgreementReport, agreement_report, reading_progress, study_ratings
from ...services.consensus import add_panel_member, discordant_cases, panel_members, thresholds
from ...services.raters import list_raters, rater_credentials
from ...services.reading import image_load_failures, set_rater_pin
from ...services.settings import update_settings
from ...services.study import Study
from ..core_text import core_text
from ..errors import show_error, wait_cursor
from ..i18n import component_label, item_label
from ..qt import (
    QAbstractItemView,
    QAction,
    QBrush,
    QCheckBox,
    QColor,
    QComboBox,
    QDoubleSpinBox,
    QFont,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSpinBox,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    Slot,
)
from .adjudication import AdjudicationDialog
from .outcomes import OutcomesView
from .password import unlock
from .riskmodel import RiskModelView
from .training import TrainingView
from .plots import MEAN_OF_OTHERS, AgreementHeatmap, BlandAltmanPlot, DistributionPlot, ForestPlot

CASE_ROLE = int(Qt.ItemDataRole.UserRole) + 20


def _item(text: Any, align_right: bool = False, bold: bool = False, tip: str = "") -> QTableWidgetItem:
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


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setHighlightSections(False)
    return table


def _available(row) -> float | None:
    """The all-available ICC of a table row, when the cell dropped cases and has one."""
    value = row.get("icc_all_available") if hasattr(row, "get") else None
    return float(value) if value is not None and np.isfinite(value) else None


def icc_cell(icc: float, low: float, high: float) -> str:
    """``0.774 (0.749–0.799)``: three decimals, as published reliability tables show ICCs."""
    if icc is None or not math.isfinite(icc):
        return "n/a"
    return f"{icc:.3f} ({low:.3f}–{high:.3f})"


class ConsoleWindow(QMainWindow):
    """The coordinator console of one open study (the caller keeps the study open)."""

    def __init__(self, study: Study, parent: QWidget | None = None):
        super().__init__(parent)
        self.study = study
        self.report: AgreementReport | None = None
        self.progress: pd.DataFrame | None = None
        self.queue: pd.DataFrame | None = None
        self.setWindowTitle(self.tr("Coordinator console — {0}").format(study.title))
        self.resize(1320, 860)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.tabs.addTab(self._progress_tab(), self.tr("&Progress"))
        self.tabs.addTab(self._agreement_tab(), self.tr("&Agreement"))
        self.tabs.addTab(self._plots_tab(), self.tr("P&lots"))
        self.discordant_page = self._discordant_tab()
        self.tabs.addTab(self.discordant_page, self.tr("&Discordant cases"))
        self.outcomes = OutcomesView(study)
        self.tabs.addTab(self.outcomes, self.tr("&Outcomes"))
        self.riskmodel = RiskModelView(study)
        self.tabs.addTab(self.riskmodel, self.tr("Ris&k model"))
        self.training = TrainingView(study)
        self.tabs.addTab(self.training, self.tr("&Training"))
        from .audit import AuditTab  # its own file: the audit-trail viewer

        self.audit_tab = AuditTab(study)
        self.tabs.addTab(self.audit_tab, self.tr("A&udit trail"))
        # Settin&gs, not &Settings: Alt+S is the Study menu's.
        self.tabs.addTab(self._settings_tab(), self.tr("Settin&gs"))
        refresh = QAction(self.tr("&Refresh"), self)
        refresh.setShortcut(QKeySequence("F5"))
        refresh.triggered.connect(self.refresh)
        self.addAction(refresh)
        close = QAction(self.tr("&Close"), self)
        close.setShortcut(QKeySequence("Ctrl+W"))
        close.triggered.connect(self.close)
        self.addAction(close)
        study_menu = self.menuBar().addMenu(self.tr("&Study"))
        export = QAction(self.tr("&Export…"), self)
        export.setShortcut(QKeySequence("Ctrl+E"))
        export.triggered.connect(lambda: self.open_output_dialog("export"))
        report = QAction(self.tr("Make &report…"), self)
        report.setShortcut(QKeySequence("Ctrl+Shift+R"))
        report.triggered.connect(lambda: self.open_output_dialog("report"))
        self.plan_action = QAction(self.tr("&Plan reading…"), self)
        self.plan_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.plan_action.setStatusTip(self.tr("Create or extend the reading plan and add re-reads after a washout"))
        self.plan_action.triggered.connect(self.open_plan_dialog)
        self.study_menu = study_menu
        for action in (self.plan_action, export, report, refresh, close):
            study_menu.addAction(action)
        study_menu.insertSeparator(export)
        self.statusBar().showMessage(self.tr("F5 reads the study again"))
        self.tabs.currentChanged.connect(self._focus_tab)
        self.refresh()

    @Slot()
    def _focus_tab(self) -> None:
        # The queue's caption says "press Enter to adjudicate": Enter must reach the table.
        if self.tabs.currentWidget() is self.discordant_page:
            self.queue_table.setFocus(Qt.FocusReason.TabFocusReason)

    # --- building ------------------------------------------------------------------------------

    def _progress_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.progress_summary = QLabel()
        layout.addWidget(self.progress_summary)
        self.progress_table = _table([
            self.tr("Rater"), self.tr("Name"), self.tr("Group"), self.tr("Cases done"), self.tr("Progress"),
            self.tr("Median s / case"), self.tr("Re-reads done"), self.tr("Re-reads due now"),
            self.tr("In washout"), self.tr("Next re-read from"),
        ])
        layout.addWidget(self.progress_table, 1)
        self.group_table = _table([self.tr("Group"), self.tr("Raters"), self.tr("Cases done"), self.tr("Median s / case"),
                                   self.tr("Re-reads due now")])
        self.group_table.setMaximumHeight(140)
        layout.addWidget(QLabel(self.tr("By rater group")))
        layout.addWidget(self.group_table)
        layout.addWidget(self._trust_box())
        return page

    def _trust_box(self) -> QWidget:
        """Who can still be impersonated at a workstation, and cases scored on images that failed."""
        box = QGroupBox(self.tr("Rater identity and image failures"))
        box_layout = QVBoxLayout(box)
        self.credential_label = QLabel()
        self.credential_label.setObjectName("credentialLabel")
        self.credential_label.setWordWrap(True)
        box_layout.addWidget(self.credential_label)
        self.failure_table = _table([self.tr("When"), self.tr("Rater"), self.tr("Case"), self.tr("View"),
                                     self.tr("Error")])
        self.failure_table.setMaximumHeight(130)
        box_layout.addWidget(self.failure_table)
        return box

    def _agreement_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        controls = QHBoxLayout()
        self.form_combo = QComboBox()
        for form, name in zip(stats.FORMS, stats.MCGRAW_WONG):
            self.form_combo.addItem(f"{form} — {name}", form)
        self.form_combo.setCurrentIndex(stats.FORMS.index("ICC(2,1)"))
        self.form_combo.currentIndexChanged.connect(self._show_agreement)
        self.items_check = QCheckBox(self.tr("Show the 10 &items"))
        self.items_check.setChecked(True)
        self.items_check.toggled.connect(self._show_agreement)
        label = QLabel(self.tr("ICC &form:"))
        label.setBuddy(self.form_combo)
        controls.addWidget(label)
        controls.addWidget(self.form_combo)
        controls.addSpacing(16)
        controls.addWidget(self.items_check)
        controls.addSpacing(16)
        # Mid-study an unfinished rater shrinks every complete-case cell: offer the finished raters only.
        self.raters_combo = QComboBox()
        self.raters_combo.addItem(self.tr("All raters with ratings"), "all")
        self.raters_combo.addItem(self.tr("Raters who have finished"), "finished")
        self.raters_combo.currentIndexChanged.connect(self._change_rater_set)
        raters_label = QLabel(self.tr("&Raters:"))
        raters_label.setBuddy(self.raters_combo)
        controls.addWidget(raters_label)
        controls.addWidget(self.raters_combo)
        controls.addStretch(1)
        layout.addLayout(controls)
        self.agreement_caption = QLabel()
        self.agreement_caption.setWordWrap(True)
        layout.addWidget(self.agreement_caption)
        self.icc_table = _table([])
        self.icc_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        layout.addWidget(self.icc_table, 3)
        lower = QHBoxLayout()
        healing_box = QGroupBox(self.tr("Healing status agreement"))
        healing_layout = QVBoxLayout(healing_box)
        self.healing_table = _table([self.tr("Time point"), self.tr("Raters"), self.tr("Agreement"),
                                     self.tr("Cases"), self.tr("Fleiss' kappa"), self.tr("Cases (kappa)")])
        healing_layout.addWidget(self.healing_table)
        retest_box = QGroupBox(self.tr("Test–retest (read 1 vs read 2), total"))
        retest_layout = QVBoxLayout(retest_box)
        self.retest_table = _table([self.tr("Rater"), self.tr("ICC (CI)"), self.tr("Cases")])
        retest_layout.addWidget(self.retest_table)
        lower.addWidget(healing_box, 3)
        lower.addWidget(retest_box, 2)
        layout.addLayout(lower, 2)
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        layout.addWidget(self.notes_label)
        return page

    def _plots_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        controls = QHBoxLayout()
        self.plot_timepoint = QComboBox()
        self.plot_score = QComboBox()
        self.ba_pair = QComboBox()
        for text, combo in ((self.tr("&Time point:"), self.plot_timepoint), (self.tr("S&core:"), self.plot_score),
                            (self.tr("&Bland–Altman:"), self.ba_pair)):
            label = QLabel(text)
            label.setBuddy(combo)
            controls.addWidget(label)
            controls.addWidget(combo)
            controls.addSpacing(12)
        controls.addStretch(1)
        layout.addLayout(controls)
        grid = QGridLayout()
        self.forest = ForestPlot()
        self.bland_altman = BlandAltmanPlot()
        self.distribution = DistributionPlot()
        self.heatmap = AgreementHeatmap()
        grid.addWidget(self.forest, 0, 0)
        grid.addWidget(self.bland_altman, 0, 1)
        grid.addWidget(self.distribution, 1, 0)
        grid.addWidget(self.heatmap, 1, 1)
        layout.addLayout(grid, 1)
        self.plot_timepoint.currentIndexChanged.connect(self._show_plots)
        self.plot_score.currentIndexChanged.connect(self._show_plots)
        self.ba_pair.currentIndexChanged.connect(self._show_plots)
        return page

    def _discordant_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.queue_caption = QLabel()
        self.queue_caption.setWordWrap(True)
        layout.addWidget(self.queue_caption)
        self.queue_table = _table([
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
        row.addStretch(1)
        row.addWidget(self.adjudicate_button)
        layout.addLayout(row)
        return page

    def _settings_tab(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        box = QGroupBox(self.tr("Reading and analysis"))
        form = QFormLayout(box)
        self.edit_policy = QComboBox()
        self.edit_policy.addItem(self.tr("Raters may go back and correct the previous case"), "previous")
        self.edit_policy.addItem(self.tr("No going back: a submitted score is final"), "none")
        form.addRow(self.tr("&Edit policy:"), self.edit_policy)
        self.blank_ms = QSpinBox()
        self.blank_ms.setRange(0, 10_000)
        self.blank_ms.setSingleStep(250)
        self.blank_ms.setSuffix(self.tr(" ms"))
        form.addRow(self.tr("&Blank screen between cases:"), self.blank_ms)
        self.washout = QDoubleSpinBox()
        self.washout.setRange(0, 365)
        self.washout.setDecimals(0)
        self.washout.setSuffix(self.tr(" days"))
        form.addRow(self.tr("&Washout before re-reads:"), self.washout)
        self.spread = QDoubleSpinBox()
        self.spread.setRange(0, 20)
        self.spread.setDecimals(0)
        self.spread.setSuffix(self.tr(" points"))
        form.addRow(self.tr("Discordant when totals span &more than:"), self.spread)
        self.cutoff = QDoubleSpinBox()
        self.cutoff.setRange(10, 30)
        self.cutoff.setDecimals(0)
        form.addRow(self.tr("Slow healing when the total is &below:"), self.cutoff)
        save = QPushButton(self.tr("Sa&ve settings"))
        save.clicked.connect(self.save_settings)
        form.addRow("", save)
        outer.addWidget(box)

        pins = QGroupBox(self.tr("Rater PINs"))
        pin_form = QFormLayout(pins)
        self.pin_rater = QComboBox()
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setPlaceholderText(self.tr("4 to 32 characters"))
        pin_form.addRow(self.tr("R&ater:"), self.pin_rater)
        pin_form.addRow(self.tr("New &PIN:"), self.pin_edit)
        buttons = QHBoxLayout()
        set_pin = QPushButton(self.tr("Set PIN"))
        set_pin.clicked.connect(lambda: self.set_pin(self.pin_edit.text()))
        clear_pin = QPushButton(self.tr("Remove PIN"))
        clear_pin.clicked.connect(lambda: self.set_pin(None))
        buttons.addWidget(set_pin)
        buttons.addWidget(clear_pin)
        buttons.addStretch(1)
        pin_form.addRow("", buttons)
        outer.addWidget(pins)

        panel = QGroupBox(self.tr("Consensus panel"))
        panel_form = QFormLayout(panel)
        self.panel_label = QLabel()
        self.panel_label.setWordWrap(True)
        panel_form.addRow(self.tr("Who may adjudicate:"), self.panel_label)
        self.panel_edit = QLineEdit()
        self.panel_edit.setPlaceholderText(self.tr("Name of a panel member"))
        add_member = QPushButton(self.tr("Add to the panel"))
        add_member.clicked.connect(lambda: self.add_panel_member(self.panel_edit.text()))
        self.panel_edit.returnPressed.connect(add_member.click)
        member_row = QHBoxLayout()
        member_row.addWidget(self.panel_edit, 1)
        member_row.addWidget(add_member)
        panel_form.addRow(self.tr("&New member:"), member_row)
        outer.addWidget(panel)
        for group in (box, pins, panel):
            group.setMaximumWidth(760)  # a form stretched over a wide window is hard to read
        outer.addStretch(1)
        return page

    # --- filling -------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        try:
            with wait_cursor():
                ratings = study_ratings(self.study)
                self.ratings = ratings
                self.report = agreement_report(self.study, ratings=ratings, raters=self.raters_combo.currentData())
                self.progress = reading_progress(self.study)
                self.queue = discordant_cases(self.study, ratings=ratings)
                raters = list_raters(self.study)
        except (RushRaterError, OSError) as exc:
            show_error(self, self.tr("Cannot read the study"), exc)
            return
        self._show_progress()
        self._fill_plot_controls()
        self._show_agreement()
        self._show_plots()
        self._show_queue()
        self._show_settings(raters)
        self._show_trust()
        self.audit_tab.reload()
        self.training.refresh()

    def _show_progress(self) -> None:
        progress = self.progress
        table = self.progress_table
        table.setRowCount(len(progress))
        for i, r in enumerate(progress.itertuples()):
            share = f"{100.0 * r.done / r.assigned:.0f}%" if r.assigned else "—"
            seconds = "—" if not np.isfinite(r.median_seconds) else f"{r.median_seconds:.0f}"
            next_from = r.next_reread_from.strftime("%Y-%m-%d") if r.next_reread_from is not None else "—"
            values = [r.rater, r.name, r.group, f"{r.done} / {r.assigned}", share, seconds,
                      f"{r.rereads_done} / {r.rereads_assigned}", r.rereads_due, r.rereads_waiting, next_from]
            for j, value in enumerate(values):
                table.setItem(i, j, _item(value, align_right=j >= 3))
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
                self.group_table.setItem(i, j, _item(value, align_right=j >= 1))
        self.group_table.resizeColumnsToContents()
        for j in range(1, self.group_table.columnCount()):
            self.group_table.setColumnWidth(j, self.group_table.columnWidth(j) + 24)
        counts = self.report.counts
        self.progress_summary.setText(
            self.tr("{0} raters · {1} first reads of {2} cases · {3} re-reads · {4} unreadable").format(
                len(progress), counts["first_reads"], counts["cases_rated"], counts["rereads"], counts["unreadable"]
            )
        )

    @Slot()
    def _change_rater_set(self) -> None:
        if getattr(self, "ratings", None) is None:
            return
        try:
            with wait_cursor():
                self.report = agreement_report(self.study, ratings=self.ratings,
                                               raters=self.raters_combo.currentData())
        except (RushRaterError, OSError) as exc:
            show_error(self, self.tr("Cannot read the study"), exc)
            return
        self._show_agreement()

    def _groups(self) -> list[str]:
        report = self.report
        return [ALL] + [g for g in report.ratings.groups if (report.icc["group"] == g).any()]

    @Slot()
    def _show_agreement(self) -> None:
        report = self.report
        if report is None:
            return
        form = self.form_combo.currentData()
        scores = report.ratings.scores if self.items_check.isChecked() else [TOTAL, *report.ratings.subtotals]
        timepoints = [t for t in report.ratings.timepoints if (report.icc["timepoint"] == t).any()]
        groups = self._groups()
        between = report.between_groups[report.between_groups["form"] == form]
        comparison = between["comparison"].iloc[0] if not between.empty else None
        columns = [(t, g) for t in timepoints for g in groups] + ([(t, None) for t in timepoints] if comparison else [])
        columns.sort(key=lambda c: timepoints.index(c[0]))
        labels = [f"{t}\n{(self.tr('All raters') if g == ALL else g) if g is not None else comparison}" for t, g in columns]
        table = self.icc_table
        table.clear()
        table.setColumnCount(len(columns))
        table.setRowCount(len(scores))
        table.setHorizontalHeaderLabels(labels)
        table.verticalHeader().setVisible(True)
        table.setVerticalHeaderLabels([self.score_label(score) for score in scores])
        for i, score in enumerate(scores):  # the key stays at hand for those who script the exports
            table.verticalHeaderItem(i).setToolTip(score)
        icc = report.icc[report.icc["form"] == form].set_index(["timepoint", "group", "score"])
        between_index = between.set_index(["timepoint", "score"])
        for i, score in enumerate(scores):
            for j, (t, g) in enumerate(columns):
                if g is None:
                    row = between_index.loc[(t, score)] if (t, score) in between_index.index else None
                else:
                    row = icc.loc[(t, g, score)] if (t, g, score) in icc.index else None
                if row is None:
                    table.setItem(i, j, _item("n/a", True))
                    continue
                tip = "\n".join(filter(None, [
                    f"F = {row['f']:.3f}, df = {row['df1']:.0f}, {row['df2']:.1f}, p = {row['p']:.3g}"
                    if np.isfinite(row["f"]) else "",
                    f"{int(row['n_targets'])} cases x {int(row['n_raters'])} raters; "
                    f"{int(row['excluded_targets'])} excluded (not rated by all)",
                    stats.interpret_icc(row["icc"], row["ci_low"], row["ci_high"], confidence=report.confidence)
                    if np.isfinite(row["icc"]) else "",
                    self.tr("All available data: {0}, {1} cases").format(
                        icc_cell(available, row["ci_low_all_available"], row["ci_high_all_available"]),
                        int(row["n_targets_all_available"])) if (available := _available(row)) is not None else "",
                    core_text(row["note"]),
                ]))
                text = icc_cell(row["icc"], row["ci_low"], row["ci_high"])
                if available is not None:  # cases were dropped: the all-available estimate beside it
                    text += "\n" + self.tr("all data {0:.3f}").format(available)
                table.setItem(i, j, _item(text, True, bold=score == TOTAL, tip=tip))
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        sizes = []
        for t in timepoints:
            if (t, ALL, TOTAL) in icc.index:
                cell = icc.loc[(t, ALL, TOTAL)]
                sizes.append(self.tr("{0}: {1} cases x {2} raters").format(t, int(cell["n_targets"]), int(cell["n_raters"]))
                             + (self.tr(" ({0} cases dropped)").format(int(cell["excluded_targets"]))
                                if cell["excluded_targets"] else ""))
        self.agreement_caption.setText(
            self.tr("{0} with {1:g}% confidence intervals, first reads only (complete cases; \"all data\": "
                    "the all-available estimate where cases were dropped). {2}.").format(
                form, report.confidence * 100, "; ".join(sizes)
            )
        )
        self._show_healing_and_retest(form)

    def _show_healing_and_retest(self, form: str) -> None:
        report = self.report
        healing = report.healing
        self.healing_table.setRowCount(len(healing))
        for i, r in enumerate(healing.itertuples()):
            values = [r.timepoint, self.tr("All raters") if r.group == ALL else r.group,
                      "n/a" if not np.isfinite(r.percent_agreement) else f"{r.percent_agreement:.1f}%",
                      r.n_targets, "n/a" if not np.isfinite(r.fleiss_kappa) else f"{r.fleiss_kappa:.3f}",
                      r.n_targets_kappa]
            for j, value in enumerate(values):
                self.healing_table.setItem(i, j, _item(value, align_right=j >= 2, tip=core_text(r.note)))
        self.healing_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        retest = report.test_retest
        sel = retest[(retest["form"] == form) & (retest["score"] == TOTAL)] if not retest.empty else retest
        self.retest_table.clearSpans()
        self.retest_table.setRowCount(len(sel))
        for i, (_, r) in enumerate(sel.iterrows()):
            values = [self.tr("Pooled") if r["rater"] == POOLED else r["rater"],
                      icc_cell(r["icc"], r["ci_low"], r["ci_high"]), int(r["n_targets"])]
            for j, value in enumerate(values):
                self.retest_table.setItem(i, j, _item(value, align_right=j >= 1, bold=r["rater"] == POOLED,
                                                      tip=core_text(r["note"])))
        self.retest_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        if retest.empty:
            self.retest_table.setRowCount(1)
            self.retest_table.setSpan(0, 0, 1, 3)
            self.retest_table.setItem(0, 0, _item(self.tr("No re-reads yet: plan them with a washout (Study ▸ Plan reading…)")))
        self.notes_label.setText("\n".join(core_text(note) for note in report.notes))

    def score_label(self, score: str) -> str:
        """The rubric's label of an item or component (in the user's language), "Total" for the total."""
        if score == TOTAL:
            return self.tr("Total")
        rubric = self.study.rubric
        component = next((c for c in rubric.components if c.key == score), None)
        if component is not None:
            return component_label(component)
        return item_label(rubric.item(score)) if score in rubric.item_keys else score

    def _fill_plot_controls(self) -> None:
        report = self.report
        for combo, values, labels in (
            (self.plot_timepoint, report.ratings.timepoints, report.ratings.timepoints),
            (self.plot_score, report.ratings.scores, [self.score_label(s) for s in report.ratings.scores]),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for value, label in zip(values, labels):
                combo.addItem(label, value)
            if current in values:
                combo.setCurrentIndex(values.index(current))
            combo.blockSignals(False)
        raters = sorted(report.ratings.first_reads["rater"].astype(str).unique())
        pairs = [(r, MEAN_OF_OTHERS) for r in raters] + [
            (a, b) for i, a in enumerate(raters) for b in raters[i + 1:]
        ]
        current = self.ba_pair.currentData()
        self.ba_pair.blockSignals(True)
        self.ba_pair.clear()
        for a, b in pairs:
            shown = self.tr("mean of others") if b == MEAN_OF_OTHERS else b
            self.ba_pair.addItem(self.tr("{0} vs {1}").format(a, shown), (a, b))
        if current in pairs:
            self.ba_pair.setCurrentIndex(pairs.index(current))
        self.ba_pair.blockSignals(False)

    @Slot()
    def _show_plots(self) -> None:
        report = self.report
        if report is None or report.icc.empty:
            return
        timepoint = self.plot_timepoint.currentData()
        score = self.plot_score.currentData() or TOTAL
        form = self.form_combo.currentData()
        self.forest.show_report(report, score, form)
        pair = self.ba_pair.currentData()
        if pair:
            self.bland_altman.show_pair(report, timepoint, *pair)
        self.distribution.show_timepoint(report, timepoint, report.cutoff)
        self.heatmap.show_timepoint(report, timepoint)

    def _show_queue(self) -> None:
        queue = self.queue
        spread, cutoff = thresholds(self.study)
        undecided = int(queue["decided_method"].isna().sum()) if len(queue) else 0
        self.queue_caption.setText(
            self.tr("{0} discordant case(s), {1} not yet decided: totals spanning more than {2:g} points, or raters "
                    "split on slow healing (total below {3:g}). Select a case and press Enter to adjudicate.").format(
                len(queue), undecided, spread, cutoff)
        )
        table = self.queue_table
        table.setRowCount(len(queue))
        for i, r in enumerate(queue.itertuples()):
            decided = (self.tr("{0} {1:g} — {2}").format(core_text(r.decided_method), r.decided_total, r.decided_by)
                       if isinstance(r.decided_method, str) else self.tr("not yet"))
            values = [r.case, r.patient, r.timepoint, r.n_raters, f"{r.median_total:g}",
                      f"{r.min_total:g}–{r.max_total:g}", core_text(r.reason), decided]
            for j, value in enumerate(values):
                cell = _item(value, align_right=3 <= j <= 5)
                cell.setData(CASE_ROLE, r.case)
                if not isinstance(r.decided_method, str) and j == 7:
                    cell.setForeground(QBrush(QColor("#b04000")))
                table.setItem(i, j, cell)
        table.resizeColumnsToContents()
        table.horizontalHeader().setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        if len(queue) and table.currentRow() < 0:
            table.selectRow(0)
        table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.adjudicate_button.setEnabled(len(queue) > 0)

    def _show_settings(self, raters) -> None:
        settings = self.study.settings
        self.edit_policy.setCurrentIndex(max(0, self.edit_policy.findData(settings.edit_policy)))
        self.blank_ms.setValue(int(settings.blank_screen_ms))
        self.washout.setValue(float(settings.washout_days))
        spread, cutoff = thresholds(self.study)
        self.spread.setValue(spread)
        self.cutoff.setValue(cutoff)
        self.pin_rater.clear()
        for rater in raters:
            self.pin_rater.addItem(f"{rater.code} — {rater.name} ({rater.group})", rater.code)

    # --- actions -------------------------------------------------------------------------------

    @Slot()
    def adjudicate_selected(self) -> bool:
        row = self.queue_table.currentRow()
        if row < 0:
            return False
        case = self.queue_table.item(row, 0).data(CASE_ROLE)
        dialog = AdjudicationDialog(self.study, case, self)
        accepted = dialog.exec() == AdjudicationDialog.DialogCode.Accepted
        if accepted:
            self.statusBar().showMessage(self.tr("Consensus of {0} recorded").format(case), 5_000)
            self.refresh()
        return accepted

    @Slot()
    def save_settings(self) -> None:
        changes = {
            "edit_policy": self.edit_policy.currentData(),
            "blank_screen_ms": self.blank_ms.value(),
            "washout_days": self.washout.value(),
            "discordance_spread": self.spread.value(),
            "slow_healing_cutoff": self.cutoff.value(),
        }
        try:
            update_settings(self.study, changes)
        except (RushRaterError, OSError) as exc:
            show_error(self, self.tr("Cannot save the settings"), exc)
            return
        self.statusBar().showMessage(self.tr("Settings saved"), 5_000)
        self.refresh()

    def _show_trust(self) -> None:
        try:
            credentials = rater_credentials(self.study)
            failures = image_load_failures(self.study)
        except (RushRaterError, OSError) as exc:
            show_error(self, self.tr("Cannot read the study"), exc)
            return
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
                table.setItem(i, j, _item(value))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        table.setVisible(bool(failures))
        members = panel_members(self.study)
        self.panel_label.setText(
            self.tr("the study coordinator; {0}").format(", ".join(members)) if members
            else self.tr("the study coordinator only")
        )

    def add_panel_member(self, name: str) -> None:
        try:
            stored = add_panel_member(self.study, name)
        except (RushRaterError, OSError) as exc:
            show_error(self, self.tr("Cannot add the panel member"), exc)
            return
        self.panel_edit.clear()
        self.statusBar().showMessage(self.tr("{0} may now adjudicate").format(stored), 5_000)
        self._show_trust()

    def set_pin(self, pin: str | None) -> None:
        code = self.pin_rater.currentData()
        if not code:
            return
        try:
            set_rater_pin(self.study, code, pin)
        except (RushRaterError, OSError) as exc:
            show_error(self, self.tr("Cannot change the PIN"), exc)
            return
        self.pin_edit.clear()
        message = self.tr("PIN of {0} set") if pin else self.tr("PIN of {0} removed")
        self.statusBar().showMessage(message.format(code), 5_000)
        self._show_trust()

    def open_plan_dialog(self) -> bool:
        """Study ▸ Plan reading…: the plan service, as ``rushrater plan``; the status bar says what changed."""
        from .planning import PlanDialog

        dialog = PlanDialog(self.study, self)
        if dialog.exec() != PlanDialog.DialogCode.Accepted:
            return False
        self.statusBar().showMessage(dialog.summary(), 15_000)
        self.refresh()
        return True

    def open_output_dialog(self, kind: str) -> bool:
        """Export… / Make report…: the dialog writes the files; the status bar says where."""
        from .export import OutputDialog

        dialog = OutputDialog(self.study, kind, self, icc_form=self.form_combo.currentData())
        if dialog.exec() != OutputDialog.DialogCode.Accepted:
            return False
        where = ", ".join(str(p) for p in dialog.written)
        message = self.tr("Exported to {0}") if kind == "export" else self.tr("Report written to {0}")
        self.statusBar().showMessage(message.format(where), 15_000)
        return True


def open_console(study: Study, parent: QWidget | None = None) -> ConsoleWindow | None:
    """Ask for the study admin password (set on first use), then show the console."""
    if not unlock(study, parent):
        return None
    try:
        window = ConsoleWindow(study, parent)
    except (RushRaterError, OSError) as exc:
        show_error(parent, QMessageBox.tr("Cannot open the coordinator console"), exc)
        return None
    window.setWindowFlag(Qt.WindowType.Window, True)
    window.show()
    return window
