"""The console's Agreement tab: the ICC table by time point x rater group (and between the groups),
healing-status agreement and test-retest, from one :func:`agreement_report`.

The report is also what the Plots tab draws and the Progress tab counts: :attr:`AgreementTab.report_changed`
hands it on, so the ratings are analysed once per change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ... import stats
from ...domain.changes import Entity
from ...services.agreement import (
    ALL,
    POOLED,
    TOTAL,
    AgreementReport,
    StudyRatings,
    agreement_report,
    study_ratings,
)
from ..core_text import core_text
from ..qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
    Signal,
    Slot,
)
from .tab import ConsoleTab, item, reading_label, table


def _available(row) -> float | None:
    """The all-available ICC of a table row, when the cell dropped cases and has one."""
    value = row.get("icc_all_available") if hasattr(row, "get") else None
    return float(value) if value is not None and np.isfinite(value) else None


def icc_cell(icc: float, low: float, high: float) -> str:
    """``0.774 (0.749–0.799)``: three decimals, as published reliability tables show ICCs."""
    if icc is None or not math.isfinite(icc):
        return "n/a"
    return f"{icc:.3f} ({low:.3f}–{high:.3f})"


@dataclass(frozen=True)
class AgreementData:
    ratings: StudyRatings
    report: AgreementReport


def load_agreement(study, raters: str, ratings: StudyRatings | None = None) -> AgreementData:
    """The report over ``raters`` ("all" or "finished"); ``ratings`` given: not read again."""
    ratings = study_ratings(study) if ratings is None else ratings
    return AgreementData(ratings, agreement_report(study, ratings=ratings, raters=raters))


class AgreementTab(ConsoleTab):
    """ICC table, healing status and test-retest; the ICC form chosen here is the console's."""

    # The plan decides who has finished; the settings hold the cut-off and the washout.
    entities = (Entity.RATINGS, Entity.READING_PLAN, Entity.STUDY)
    #: The report just shown (:class:`AgreementReport`).
    report_changed = Signal(object)
    #: The ICC form chosen (``"ICC(2,1)"``...).
    form_changed = Signal(str)

    def __init__(self, study, parent: QWidget | None = None):
        super().__init__(study, parent)
        self.report: AgreementReport | None = None
        self.ratings: StudyRatings | None = None
        layout = QVBoxLayout(self)
        controls = QHBoxLayout()
        self.form_combo = QComboBox()
        for form, name in zip(stats.FORMS, stats.MCGRAW_WONG):
            self.form_combo.addItem(f"{form} — {name}", form)
        self.form_combo.setCurrentIndex(stats.FORMS.index("ICC(2,1)"))
        self.form_combo.currentIndexChanged.connect(self._form_chosen)
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
        self.icc_table = table([])
        self.icc_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        layout.addWidget(self.icc_table, 3)
        lower = QHBoxLayout()
        healing_box = QGroupBox(self.tr("Healing status agreement"))
        healing_layout = QVBoxLayout(healing_box)
        self.healing_table = table([self.tr("Time point"), self.tr("Raters"), self.tr("Agreement"),
                                    self.tr("Cases"), self.tr("Fleiss' kappa"), self.tr("Cases (kappa)")])
        healing_layout.addWidget(self.healing_table)
        retest_box = QGroupBox(self.tr("Test–retest (read 1 vs read 2), total"))
        retest_layout = QVBoxLayout(retest_box)
        self.retest_table = table([self.tr("Rater"), self.tr("ICC (CI)"), self.tr("Cases")])
        retest_layout.addWidget(self.retest_table)
        lower.addWidget(healing_box, 3)
        lower.addWidget(retest_box, 2)
        layout.addLayout(lower, 2)
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        layout.addWidget(self.notes_label)

    @property
    def form(self) -> str:
        return self.form_combo.currentData()

    def loader(self):
        study, raters = self.study, self.raters_combo.currentData()
        return lambda: load_agreement(study, raters)

    def show_data(self, data: AgreementData) -> None:
        self.ratings, self.report = data.ratings, data.report
        self._show_agreement()
        self.report_changed.emit(data.report)

    @Slot()
    def _form_chosen(self) -> None:
        self._show_agreement()
        self.form_changed.emit(self.form)

    @Slot()
    def _change_rater_set(self) -> None:
        if self.ratings is None:
            return
        if self._loading:  # the ratings are being read again: that read's report follows the new choice
            self._again = True
            return
        study, ratings, raters = self.study, self.ratings, self.raters_combo.currentData()
        self.loads += 1
        # The ratings already read: only the report over the other rater set is computed.
        self.operate(lambda progress: load_agreement(study, raters, ratings), done=self.show_data,
                     label=reading_label())

    def _groups(self) -> list[str]:
        report = self.report
        return [ALL] + [g for g in report.ratings.groups if (report.icc["group"] == g).any()]

    @Slot()
    def _show_agreement(self) -> None:
        report = self.report
        if report is None:
            return
        form = self.form
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
                    table.setItem(i, j, item("n/a", True))
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
                table.setItem(i, j, item(text, True, bold=score == TOTAL, tip=tip))
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
                self.healing_table.setItem(i, j, item(value, align_right=j >= 2, tip=core_text(r.note)))
        self.healing_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        retest = report.test_retest
        sel = retest[(retest["form"] == form) & (retest["score"] == TOTAL)] if not retest.empty else retest
        self.retest_table.clearSpans()
        self.retest_table.setRowCount(len(sel))
        for i, (_, r) in enumerate(sel.iterrows()):
            values = [self.tr("Pooled") if r["rater"] == POOLED else r["rater"],
                      icc_cell(r["icc"], r["ci_low"], r["ci_high"]), int(r["n_targets"])]
            for j, value in enumerate(values):
                self.retest_table.setItem(i, j, item(value, align_right=j >= 1, bold=r["rater"] == POOLED,
                                                     tip=core_text(r["note"])))
        self.retest_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        if retest.empty:
            self.retest_table.setRowCount(1)
            self.retest_table.setSpan(0, 0, 1, 3)
            self.retest_table.setItem(0, 0, item(self.tr("No re-reads yet: plan them with a washout (Study ▸ Plan reading…)")))
        self.notes_label.setText("\n".join(core_text(note) for note in report.notes))
