"""The console's Plots tab: forest plot, Bland–Altman, score distributions and the rater x rater
heatmap (:mod:`.plots`) of the agreement report the Agreement tab read; it reads nothing itself."""

from __future__ import annotations

from ...services.agreement import TOTAL, AgreementReport
from ..qt import QComboBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget, Slot
from .plots import (
    MEAN_OF_OTHERS,
    AgreementHeatmap,
    BlandAltmanPlot,
    DistributionPlot,
    ForestPlot,
)
from .tab import ConsoleTab


class PlotsTab(ConsoleTab):
    """Draws :meth:`show_report`'s report in the ICC form of :meth:`set_form`."""

    def __init__(self, study, parent: QWidget | None = None, form: str = "ICC(2,1)"):
        super().__init__(study, parent)
        self.report: AgreementReport | None = None
        self.form = form
        layout = QVBoxLayout(self)
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

    @Slot(object)
    def show_report(self, report: AgreementReport) -> None:
        self.report = report
        self._fill_plot_controls()
        self._show_plots()

    @Slot(str)
    def set_form(self, form: str) -> None:
        self.form = form
        self._show_plots()

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
        self.forest.show_report(report, score, self.form)
        pair = self.ba_pair.currentData()
        if pair:
            self.bland_altman.show_pair(report, timepoint, *pair)
        self.distribution.show_timepoint(report, timepoint, report.cutoff)
        self.heatmap.show_timepoint(report, timepoint)
