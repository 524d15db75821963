"""The agreement dashboard's plots (pyqtgraph): forest plot of ICCs, Bland-Altman, per-rater score
distributions and a rater x rater agreement heatmap. Each takes tidy tables from
:class:`rushrater.services.agreement.AgreementReport`; none computes a statistic itself."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg

from ...services.agreement import ALL, TOTAL
from ..qt import QColor, QFont, Qt

# Colour-blind-safe qualitative palette (Okabe & Ito 2008).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
#: Koo & Li (2016) boundaries drawn as guides: poor < 0.5 <= moderate < 0.75 <= good < 0.9 <= excellent.
KOO_LI_BOUNDS = (0.5, 0.75, 0.9)

# The Bland–Altman partner that stands for the other raters' mean (stats/bland_altman.py says it so).
MEAN_OF_OTHERS = "mean of others"


class ForestPlot(pg.PlotWidget):
    """ICC with its CI for every time point x rater group (and between groups), one score and form."""

    def __init__(self, parent=None):
        super().__init__(parent=parent, background="w")
        self.rows: list[tuple[str, float, float, float]] = []
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.showGrid(x=True, alpha=0.15)
        for axis in ("bottom", "left"):
            item.getAxis(axis).setPen("#404040")
            item.getAxis(axis).setTextPen("#202020")

    def show_report(self, report, score: str = TOTAL, form: str = "ICC(2,1)") -> None:
        item = self.getPlotItem()
        item.clear()
        icc = report.icc[(report.icc["score"] == score) & (report.icc["form"] == form)]
        between = report.between_groups[
            (report.between_groups["score"] == score) & (report.between_groups["form"] == form)
        ]
        rows = []
        for timepoint in report.ratings.timepoints:
            for _, r in icc[icc["timepoint"] == timepoint].iterrows():
                label = f"{timepoint} · {self.tr('all raters') if r['group'] == ALL else r['group']}"
                rows.append((label, r["icc"], r["ci_low"], r["ci_high"]))
            for _, r in between[between["timepoint"] == timepoint].iterrows():
                rows.append((f"{timepoint} · {r['comparison']}", r["icc"], r["ci_low"], r["ci_high"]))
        self.rows = rows
        item.setTitle(self.tr("{0} of {1} with {2:g}% CI").format(form, score, report.confidence * 100), color="#202020", size="11pt")
        item.setLabel("bottom", self.tr("ICC"), color="#202020")
        for bound in KOO_LI_BOUNDS:
            item.addItem(pg.InfiniteLine(bound, angle=90, pen=pg.mkPen("#9a9a9a", style=Qt.PenStyle.DashLine)))
        if not rows:
            return
        n = len(rows)
        y = np.arange(n, 0, -1, dtype=float)
        est = np.array([r[1] for r in rows], dtype=float)
        low = np.array([r[2] for r in rows], dtype=float)
        high = np.array([r[3] for r in rows], dtype=float)
        ok = np.isfinite(est)
        item.addItem(
            pg.ErrorBarItem(x=est[ok], y=y[ok], left=(est - low)[ok], right=(high - est)[ok], beam=0.15,
                            pen=pg.mkPen("#303030", width=1.5))
        )
        # One colour per rater set (all raters, each group, between groups), the same at every time point.
        kinds = [r[0].split(" · ", 1)[1] for r in rows]
        order = list(dict.fromkeys(kinds))
        brushes = [pg.mkBrush(PALETTE[order.index(k) % len(PALETTE)]) for k in kinds]
        item.addItem(pg.ScatterPlotItem(x=est[ok], y=y[ok], symbol="s", size=10,
                                        brush=[b for b, good in zip(brushes, ok) if good], pen=pg.mkPen(None)))
        axis = item.getAxis("left")
        axis.setTicks([[(float(yy), r[0]) for yy, r in zip(y, rows)]])
        axis.setWidth(max(120, 7 * max(len(r[0]) for r in rows)))
        left = float(np.nanmin(np.r_[low[ok], 0.0])) if ok.any() else 0.0
        item.setXRange(min(left, 0.0), 1.0, padding=0.02)
        item.setYRange(0.4, n + 0.6, padding=0)


class BlandAltmanPlot(pg.PlotWidget):
    """Differences against means of two raters' totals, with bias and limits of agreement."""

    def __init__(self, parent=None):
        super().__init__(parent=parent, background="w")
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.showGrid(x=True, y=True, alpha=0.15)
        for axis in ("bottom", "left"):
            item.getAxis(axis).setPen("#404040")
            item.getAxis(axis).setTextPen("#202020")

    def show_pair(self, report, timepoint: str, rater_a: str, rater_b: str) -> None:
        item = self.getPlotItem()
        item.clear()
        data = report.ratings.first_reads
        data = data[data["timepoint"] == timepoint]
        wide = data.pivot_table(index="patient", columns=data["rater"].astype(str), values=TOTAL, observed=True)
        if rater_b == MEAN_OF_OTHERS:
            others = wide.drop(columns=[rater_a]).mean(axis=1)
            a, b = wide.get(rater_a), others
        else:
            a, b = wide.get(rater_a), wide.get(rater_b)
        item.setTitle(self.tr("{0} − {1}, total, {2}").format(
            rater_a, self.tr("mean of others") if rater_b == MEAN_OF_OTHERS else rater_b, timepoint), color="#202020", size="11pt")
        item.setLabel("bottom", self.tr("Mean of the two totals"), color="#202020")
        item.setLabel("left", self.tr("Difference"), color="#202020")
        if a is None or b is None:
            return
        pairs = pd.DataFrame({"a": a, "b": b}).dropna()
        mean, diff = ((pairs["a"] + pairs["b"]) / 2).to_numpy(), (pairs["a"] - pairs["b"]).to_numpy()
        # Totals are whole numbers, so points stack: a small deterministic jitter shows how many.
        jitter = np.random.default_rng(0).uniform(-0.15, 0.15, mean.size)
        item.addItem(pg.ScatterPlotItem(x=mean + jitter, y=diff + jitter, size=6, brush=pg.mkBrush(0, 114, 178, 110),
                                        pen=pg.mkPen(None)))
        ba = report.bland_altman
        row = ba[(ba["timepoint"] == timepoint) & (ba["rater_a"].astype(str) == rater_a)
                 & (ba["rater_b"].astype(str) == rater_b)]
        if row.empty:
            return
        r = row.iloc[0]
        for value, colour, style, text in (
            (r["bias"], "#D55E00", Qt.PenStyle.SolidLine, "bias {0:.2f}"),
            (r["loa_low"], "#606060", Qt.PenStyle.DashLine, "−LoA {0:.2f}"),
            (r["loa_high"], "#606060", Qt.PenStyle.DashLine, "+LoA {0:.2f}"),
        ):
            if np.isfinite(value):
                line = pg.InfiniteLine(value, angle=0, pen=pg.mkPen(colour, width=1.5, style=style),
                                       label=text.format(value), labelOpts={"position": 0.95, "color": colour})
                item.addItem(line)


class DistributionPlot(pg.PlotWidget):
    """Share of each rater's totals at every value (first reads, one time point): one line per rater."""

    def __init__(self, parent=None):
        super().__init__(parent=parent, background="w")
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.showGrid(x=True, y=True, alpha=0.15)
        for axis in ("bottom", "left"):
            item.getAxis(axis).setPen("#404040")
            item.getAxis(axis).setTextPen("#202020")

    def show_timepoint(self, report, timepoint: str, cutoff: float) -> None:
        item = self.getPlotItem()
        item.clear()
        if item.legend is not None:
            item.legend.scene().removeItem(item.legend)
            item.legend = None
        item.addLegend(offset=(-10, 10), labelTextColor="#202020", brush=pg.mkBrush(255, 255, 255, 220))
        data = report.ratings.first_reads
        data = data[data["timepoint"] == timepoint]
        values = np.arange(report.ratings.min_total, report.ratings.max_total + 1)
        item.setTitle(self.tr("Totals by rater, {0}").format(timepoint), color="#202020", size="11pt")
        item.setLabel("bottom", self.tr("RUSH total"), color="#202020")
        item.setLabel("left", self.tr("Share of the rater's cases (%)"), color="#202020")
        for i, (code, group) in enumerate(data.groupby(data["rater"].astype(str), sort=True)):
            counts = group[TOTAL].value_counts().reindex(values, fill_value=0).to_numpy(dtype=float)
            share = 100.0 * counts / max(counts.sum(), 1.0)
            style = Qt.PenStyle.SolidLine if str(group["group"].iloc[0]) == report.ratings.groups[0] else Qt.PenStyle.DashLine
            item.plot(values, share, pen=pg.mkPen(PALETTE[i % len(PALETTE)], width=2, style=style),
                      name=f"{code} ({group['group'].iloc[0]})")
        item.addItem(pg.InfiniteLine(cutoff - 0.5, angle=90, pen=pg.mkPen("#9a9a9a", style=Qt.PenStyle.DotLine),
                                     label=self.tr("slow healing < {0:g}").format(cutoff), labelOpts={"position": 0.9, "color": "#606060"}))


class AgreementHeatmap(pg.GraphicsLayoutWidget):
    """Rater x rater weighted kappa of the total (linear weights) at one time point."""

    def __init__(self, parent=None):
        super().__init__(parent=parent)
        self.setBackground("w")
        self.plot = self.addPlot()
        self.plot.setMenuEnabled(False)
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        for axis in ("bottom", "left"):
            self.plot.getAxis(axis).setPen("#404040")
            self.plot.getAxis(axis).setTextPen("#202020")
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=pg.colormap.get("viridis"), width=14,
                                        interactive=False, label="kappa")
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        self._labels: list[pg.TextItem] = []
        self.matrix = np.zeros((0, 0))

    def show_timepoint(self, report, timepoint: str, weights: str = "linear") -> None:
        for label in self._labels:
            self.plot.removeItem(label)
        self._labels = []
        kappas = report.weighted_kappa
        sel = kappas[(kappas["timepoint"] == timepoint) & (kappas["score"] == TOTAL) & (kappas["weights"] == weights)]
        raters = sorted(set(sel["rater_a"].astype(str)) | set(sel["rater_b"].astype(str)))
        n = len(raters)
        matrix = np.full((n, n), np.nan)
        np.fill_diagonal(matrix, 1.0)
        index = {r: i for i, r in enumerate(raters)}
        for _, r in sel.iterrows():
            i, j = index[str(r["rater_a"])], index[str(r["rater_b"])]
            matrix[i, j] = matrix[j, i] = r["kappa"]
        self.matrix = matrix
        self.plot.setTitle(self.tr("Weighted kappa ({0}) of the total, {1}").format(weights, timepoint), color="#202020", size="11pt")
        if n == 0:
            self.image.clear()
            return
        self.image.setImage(np.nan_to_num(matrix, nan=0.0), levels=(0, 1))
        self.image.setRect(0, 0, n, n)
        ticks = [[(i + 0.5, code) for i, code in enumerate(raters)]]
        self.plot.getAxis("bottom").setTicks(ticks)
        self.plot.getAxis("left").setTicks(ticks)
        font = QFont()
        font.setPointSizeF(9)
        for i in range(n):
            for j in range(n):
                value = matrix[i, j]
                colour = QColor("#ffffff") if (np.isfinite(value) and value < 0.6) else QColor("#101010")
                text = pg.TextItem("—" if not np.isfinite(value) else f"{value:.2f}", color=colour, anchor=(0.5, 0.5))
                text.setFont(font)
                text.setPos(j + 0.5, i + 0.5)
                self.plot.addItem(text)
                self._labels.append(text)
        self.plot.setRange(xRange=(0, n), yRange=(0, n), padding=0.02)


__all__ = ["AgreementHeatmap", "BlandAltmanPlot", "DistributionPlot", "ForestPlot", "KOO_LI_BOUNDS"]
