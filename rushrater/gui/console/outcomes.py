"""The console's Outcomes view: the outcome analysis (Tables 1–3) and its figures, per stratum.

Everything comes from :func:`rushrater.services.outcomes.run_outcomes` and the figure functions
of :mod:`rushrater.services.outcome_report` (the same as ``rushrater outcomes`` and its report),
run on the study's operation thread (:func:`~rushrater.gui.operations.run_operation`), which hands
back plain values: the tables as DataFrames and the figures as PNG bytes.
"""

from __future__ import annotations

import io

import pandas as pd

from ...domain.changes import Entity
from ...domain.errors import RushRaterError
from ...services.study import Study
from ..errors import show_error
from ..i18n import timepoint_label
from ..qt import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPixmap,
    QPushButton,
    QScrollArea,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    Slot,
)
from .tab import ConsoleTab

FIGURES = ("roc", "forest", "love", "scatter")


def compute_outcomes(study: Study, *, timepoint=None, cutoff=None, by=None, covariates=None) -> dict:
    """The analysis as plain values (runs on the operation thread)."""
    from ...services import outcome_report, outcomes

    table = outcomes.analysis_table(study, timepoint=timepoint, cutoff=cutoff)
    report = outcomes.run_outcomes(study, table=table, by=by, covariates=covariates)
    strata = []
    for stratum in report.strata:
        tables = outcomes.paper_tables(stratum, report.table, report.value_labels)
        pngs = {}
        for name, fig in outcome_report.figures(stratum, report).items():
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=90)
            pngs[name] = buffer.getvalue()
        strata.append({"name": stratum.name, "n": stratum.n, "n_slow": stratum.n_slow, "n_normal": stratum.n_normal,
                       "tables": tables, "figures": pngs, "notes": list(stratum.notes)})
    return {"timepoint": table.timepoint, "cutoff": table.cutoff, "timepoints": table.timepoints,
            "clinical": table.clinical, "strata": strata}


def load_choices(study: Study) -> tuple[list[tuple[str, str]], dict]:
    """The time points and the clinical codebook: what the analysis can be asked for (no statistics: fast)."""
    from ...services.clinical import codebook
    from ...services.study import timepoint_choices

    return [(t.key, t.label) for t in timepoint_choices(study)], codebook(study)


class OutcomesView(ConsoleTab):
    """Choose the time point, cut-off, stratum variable and covariates; Run shows Tables 1–3 and the plots."""

    # The choices: time points (study) and clinical variables; a result stays until Run is pressed again.
    entities = (Entity.STUDY, Entity.CLINICAL)

    def __init__(self, study: Study, parent: QWidget | None = None):
        super().__init__(study, parent)
        self.result: dict | None = None
        self.timepoint_labels: dict[str, str] = {}
        self._running = False
        self.timepoint_combo = QComboBox()
        self.cutoff_spin = QDoubleSpinBox()
        self.cutoff_spin.setRange(10, 31)
        self.cutoff_spin.setDecimals(1)
        self.cutoff_spin.setValue(float(study.settings.slow_healing_cutoff))
        self.by_combo = QComboBox()
        self.covariates_edit = QLineEdit()
        self.covariates_edit.setPlaceholderText(self.tr("every clinical variable"))
        self.run_button = QPushButton(self.tr("&Run the analysis"))
        self.run_button.clicked.connect(self.run)
        self.status = QLabel(self.tr("Run the analysis to see the tables and plots."))
        self.status.setWordWrap(True)
        self.stratum_combo = QComboBox()
        self.stratum_combo.currentIndexChanged.connect(self._show_stratum)

        form = QFormLayout()
        form.addRow(*self._buddy(self.tr("Healing group at &time point:"), self.timepoint_combo))
        form.addRow(*self._buddy(self.tr("Slow healing below RUSH &cut-off:"), self.cutoff_spin))
        form.addRow(*self._buddy(self.tr("Analyse p&er:"), self.by_combo))
        form.addRow(*self._buddy(self.tr("Co&variates (comma-separated):"), self.covariates_edit))
        top = QHBoxLayout()
        top.addLayout(form, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addStretch(1)
        top.addLayout(buttons)

        self.tables = {key: self._table() for key in ("table1", "table2", "table3")}
        self.figure_labels = {key: QLabel() for key in FIGURES}
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        pages = QTabWidget()
        pages.addTab(self.tables["table1"], self.tr("Table &1: baseline"))
        pages.addTab(self.tables["table2"], self.tr("Table &2: indices and odds ratios"))
        pages.addTab(self.tables["table3"], self.tr("Table &3: ΔRUSH and ROC"))
        figures = QWidget()
        grid = QVBoxLayout(figures)
        row = QHBoxLayout()
        for key in ("roc", "forest", "love"):
            row.addWidget(self.figure_labels[key])
        grid.addLayout(row)
        grid.addWidget(self.figure_labels["scatter"])
        grid.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(figures)
        scroll.setWidgetResizable(True)
        pages.addTab(scroll, self.tr("Fi&gures"))
        pages.addTab(self._scrolled(self.notes), self.tr("&Notes"))
        self.pages = pages

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        strata = QHBoxLayout()
        strata.addWidget(self._buddy(self.tr("Stratu&m:"), self.stratum_combo)[0])
        strata.addWidget(self.stratum_combo, 1)
        strata.addWidget(self.status, 3)
        layout.addLayout(strata)
        layout.addWidget(pages, 1)

    # --- building --------------------------------------------------------------------------------

    @staticmethod
    def _buddy(text: str, widget: QWidget) -> tuple[QLabel, QWidget]:
        label = QLabel(text)
        label.setBuddy(widget)
        return label, widget

    @staticmethod
    def _table() -> QTableWidget:
        table = QTableWidget(0, 0)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.setWordWrap(False)
        return table

    @staticmethod
    def _scrolled(widget: QWidget) -> QScrollArea:
        scroll = QScrollArea()
        scroll.setWidget(widget)
        scroll.setWidgetResizable(True)
        return scroll

    def loader(self):
        study = self.study
        return lambda: load_choices(study)

    def show_data(self, data) -> None:
        """Time points and clinical variables from the study; a choice made stays when it still exists."""
        timepoints, book = data
        chosen_timepoint, chosen_by = self.timepoint_combo.currentData(), self.by_combo.currentData()
        self.timepoint_combo.clear()
        self.timepoint_labels = {key: timepoint_label(key, label) for key, label in timepoints}
        for key, label in timepoints:
            self.timepoint_combo.addItem(self.timepoint_labels[key], key)
        self.timepoint_combo.setCurrentIndex(len(timepoints) - 1)
        self.by_combo.clear()
        self.by_combo.addItem(self.tr("all patients together"), None)
        for name, variable in book.items():
            if variable.kind != "continuous":
                self.by_combo.addItem(variable.label, name)
        index = self.timepoint_combo.findData(chosen_timepoint)
        if chosen_timepoint is not None and index >= 0:
            self.timepoint_combo.setCurrentIndex(index)
        index = self.by_combo.findData(chosen_by if chosen_by is not None and self.loads > 1 else "institution")
        if index >= 0:
            self.by_combo.setCurrentIndex(index)

    def header_text(self, column: str) -> str:
        known = {
            "variable": self.tr("Variable"), "level": self.tr("Level"), "normal healing": self.tr("Normal healing"),
            "slow healing": self.tr("Slow healing"), "test": self.tr("Test"), "p": self.tr("p"), "smd": self.tr("SMD"),
            "index": self.tr("Index"), "OR (95% CI)": self.tr("OR (95% CI)"), "OR p": self.tr("OR p"),
            "adjusted OR (95% CI)": self.tr("Adjusted OR (95% CI)"), "adjusted p": self.tr("Adjusted p"),
            "spearman r (ΔRUSH)": self.tr("Spearman r (ΔRUSH)"), "r p": self.tr("r p"), "n (r)": self.tr("n (r)"),
            "AUC (95% CI)": self.tr("AUC (95% CI)"), "cut-off": self.tr("Cut-off"), "direction": self.tr("Direction"),
            "sensitivity": self.tr("Sensitivity"), "specificity": self.tr("Specificity"), "PPV": self.tr("PPV"),
            "NPV": self.tr("NPV"),
        }
        if column.endswith(" (matched)"):
            return self.tr("{0} (matched)").format(known.get(column[: -len(" (matched)")], column))
        return known.get(column, column)

    # --- running ---------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._running

    @Slot()
    def run(self) -> None:
        if self.busy:
            return
        study = self.study
        options = {
            "timepoint": self.timepoint_combo.currentData(), "cutoff": self.cutoff_spin.value(),
            "by": self.by_combo.currentData(),
            "covariates": [c.strip() for c in self.covariates_edit.text().split(",") if c.strip()] or None,
        }
        self._running = True
        self.run_button.setEnabled(False)
        self.status.setText(self.tr("Running the analysis…"))
        self.operate(lambda progress: compute_outcomes(study, **options), done=self._on_done, failed=self._on_failed,
                     label=self.tr("Running the analysis…"))

    @Slot(object)
    def _on_done(self, result: dict) -> None:
        self._running = False
        self.run_button.setEnabled(True)
        self.result = result
        self.stratum_combo.blockSignals(True)
        self.stratum_combo.clear()
        for stratum in result["strata"]:
            self.stratum_combo.addItem(stratum["name"])
        self.stratum_combo.blockSignals(False)
        self._show_stratum(0)

    @Slot(object)
    def _on_failed(self, exc: Exception) -> None:
        self._running = False
        self.run_button.setEnabled(True)
        self.status.setText(self.tr("The analysis could not run."))
        if isinstance(exc, (RushRaterError, ValueError, OSError)):
            show_error(self, self.tr("Cannot run the outcome analysis"), exc)
        else:
            raise exc

    @Slot(int)
    def _show_stratum(self, index: int) -> None:
        if not self.result or not (0 <= index < len(self.result["strata"])):
            return
        stratum = self.result["strata"][index]
        self.status.setText(self.tr("n = {0}: {1} slow, {2} normal healing (RUSH below {3:g} at {4})").format(
            stratum["n"], stratum["n_slow"], stratum["n_normal"], self.result["cutoff"],
            self.timepoint_labels.get(self.result["timepoint"], self.result["timepoint"])))
        for key, widget in self.tables.items():
            self._fill(widget, stratum["tables"][key])
        for key, label in self.figure_labels.items():
            pixmap = QPixmap()
            pixmap.loadFromData(stratum["figures"][key], "PNG")
            label.setPixmap(pixmap)
        self.notes.setText("\n".join(stratum["notes"]) or self.tr("No notes."))

    def _fill(self, widget: QTableWidget, frame: pd.DataFrame) -> None:
        widget.clear()
        widget.setColumnCount(len(frame.columns))
        widget.setRowCount(len(frame))
        widget.setHorizontalHeaderLabels([self.header_text(str(c)) for c in frame.columns])
        for r, row in enumerate(frame.itertuples(index=False)):
            for c, value in enumerate(row):
                text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
                cell = QTableWidgetItem(text)
                cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                widget.setItem(r, c, cell)
        widget.resizeColumnsToContents()


__all__ = ["OutcomesView", "compute_outcomes"]
