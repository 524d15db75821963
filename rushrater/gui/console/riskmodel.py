"""The console's Risk model view: a Cox model of a follow-up event, its figures and a nomogram calculator.

Everything comes from :func:`rushrater.services.riskmodel.run_riskmodel` and the figures of
:mod:`rushrater.services.riskmodel_report` (the same as ``rushrater riskmodel`` and its report),
run on the study's operation thread (:func:`~rushrater.gui.operations.run_operation`), which hands
back plain values: table rows, PNG bytes of the figures and the fitted
:class:`~rushrater.stats.nomogram.Nomogram` (numbers only), which the calculator evaluates on
the GUI thread as a clinician types a patient's values.
"""

from __future__ import annotations

import io

from ...domain.changes import Entity
from ...domain.errors import RushRaterError
from ...services.study import Study
from ..errors import show_error
from ..i18n import timepoint_label
from ..qt import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPixmap,
    QPushButton,
    QScrollArea,
    QSpinBox,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    Slot,
)
from .tab import ConsoleTab

FIGURES = ("nomogram", "calibration", "roc", "schoenfeld")
UNITS = ("months", "weeks", "days", "years")


def compute_riskmodel(study: Study, *, event: str, predictors: list[str], times: list[float], unit: str,
                      train_where: str | None, validate_where: str | None, B: int) -> dict:
    """The model as plain values (runs on the operation thread)."""
    from ...services import riskmodel
    from ...services import riskmodel_report as rr

    source = riskmodel.riskmodel_data(study, event, predictors, unit=unit)
    model = riskmodel.run_riskmodel(source=source, times=times, unit=unit, train_where=train_where or None,
                                    validate_where=validate_where or None, B=B)
    pngs = {}
    for caption, fig in rr.figures(model).items():
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=85)
        pngs[_figure_key(caption)] = buffer.getvalue()
    fit, o, v = model.fit, model.optimism, model.validation
    return {
        "event": event, "unit": unit, "labels": source.labels, "n": fit.n, "events": fit.events,
        "epv": model.events_per_predictor, "c": fit.concordance.concordance, "c_se": fit.concordance.se,
        "c_corrected": o.c_corrected, "B": o.B_used, "seed": o.seed,
        "terms": rr.term_rows(model), "ph": rr.ph_rows(model), "auc": rr.auc_rows(model),
        "calibration": rr.calibration_rows(model), "figures": pngs, "nomogram": model.nomogram,
        "validation": None if v is None else {"n": v.validate_n, "events": v.validate_events, "c": v.c_validate,
                                              "auc": v.auc},
        "warnings": list(model.warnings),
    }


def load_choices(study: Study) -> tuple[dict, list[tuple[str, str]], dict]:
    """Follow-up event types, time points and the clinical codebook (no statistics: fast)."""
    from ...services.clinical import codebook
    from ...services.followup import event_types
    from ...services.study import timepoint_choices

    return event_types(study), [(t.key, t.label) for t in timepoint_choices(study)], codebook(study)


def _figure_key(caption: str) -> str:
    lowered = caption.lower()
    for key, word in (("nomogram", "nomogram"), ("calibration", "calibration"), ("roc", "roc"),
                      ("schoenfeld", "schoenfeld")):
        if word in lowered:
            return key
    raise KeyError(caption)


class RiskModelView(ConsoleTab):
    """Choose the event and predictors; Run shows the model, its figures and a nomogram calculator."""

    # The choices: follow-up events, time points (study) and clinical variables.
    entities = (Entity.FOLLOW_UP, Entity.STUDY, Entity.CLINICAL)

    def __init__(self, study: Study, parent: QWidget | None = None):
        super().__init__(study, parent)
        self.result: dict | None = None
        self._running = False
        self.event_combo = QComboBox()
        self.predictor_list = QListWidget()
        self.predictor_list.setMaximumHeight(120)
        self.times_edit = QLineEdit("1,3,6")
        self.unit_combo = QComboBox()
        for unit, text in zip(UNITS, (self.tr("months"), self.tr("weeks"), self.tr("days"), self.tr("years"))):
            self.unit_combo.addItem(text, unit)
        self.train_edit = QLineEdit()
        self.train_edit.setPlaceholderText(self.tr("all patients (e.g. institution == 1)"))
        self.validate_edit = QLineEdit()
        self.validate_edit.setPlaceholderText(self.tr("bootstrap only (e.g. institution == 2)"))
        self.bootstrap_spin = QSpinBox()
        self.bootstrap_spin.setRange(0, 2000)
        self.bootstrap_spin.setValue(200)
        self.run_button = QPushButton(self.tr("&Fit the model"))
        self.run_button.clicked.connect(self.run)
        self.status = QLabel(self.tr("Choose the event and the predictors, then fit the model."))
        self.status.setWordWrap(True)

        form = QFormLayout()
        form.addRow(*self._buddy(self.tr("&Event:"), self.event_combo))
        form.addRow(*self._buddy(self.tr("&Predictors:"), self.predictor_list))
        times = QHBoxLayout()
        times.addWidget(self.times_edit, 1)
        times.addWidget(self.unit_combo)
        times_label = QLabel(self.tr("&Times:"))
        times_label.setBuddy(self.times_edit)
        form.addRow(times_label, times)
        form.addRow(*self._buddy(self.tr("Fit &on rows where:"), self.train_edit))
        form.addRow(*self._buddy(self.tr("&Validate on rows where:"), self.validate_edit))
        form.addRow(*self._buddy(self.tr("&Bootstrap resamples:"), self.bootstrap_spin))
        top = QHBoxLayout()
        top.addLayout(form, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addStretch(1)
        top.addLayout(buttons)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.terms_table = self._table([self.tr("Predictor"), self.tr("coef"), self.tr("HR"), self.tr("95% CI"),
                                        self.tr("SE"), self.tr("z"), self.tr("p")])
        self.ph_table = self._table([self.tr("Term"), self.tr("χ²"), self.tr("df"), self.tr("p")])
        self.auc_table = self._table([self.tr("Time"), self.tr("AUC"), self.tr("95% CI"), self.tr("Cases"),
                                      self.tr("Controls"), self.tr("Censored before")])
        self.calibration_table = self._table([self.tr("Time"), self.tr("Slope"), self.tr("Calibration-in-the-large"),
                                              self.tr("ICI"), self.tr("E90"), self.tr("Groups")])
        self.figure_labels = {key: QLabel() for key in FIGURES}
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        pages = QTabWidget()
        model_page = QWidget()
        model_layout = QVBoxLayout(model_page)
        model_layout.addWidget(self.summary)
        model_layout.addWidget(self.terms_table, 2)
        model_layout.addWidget(QLabel(self.tr("Proportional-hazards test (cox.zph):")))
        model_layout.addWidget(self.ph_table, 1)
        pages.addTab(model_page, self.tr("&Model"))
        pages.addTab(self._with_figure(self.auc_table, "roc"), self.tr("&Discrimination"))
        pages.addTab(self._with_figure(self.calibration_table, "calibration"), self.tr("&Calibration"))
        pages.addTab(self._nomogram_page(), self.tr("&Nomogram"))
        pages.addTab(self._scrolled(self.figure_labels["schoenfeld"]), self.tr("&Schoenfeld residuals"))
        pages.addTab(self._scrolled(self.notes), self.tr("No&tes"))
        self.pages = pages

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(pages, 1)

    # --- building --------------------------------------------------------------------------------

    @staticmethod
    def _buddy(text: str, widget: QWidget) -> tuple[QLabel, QWidget]:
        label = QLabel(text)
        label.setBuddy(widget)
        return label, widget

    @staticmethod
    def _table(headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
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

    def _with_figure(self, table: QTableWidget, key: str) -> QWidget:
        page = QWidget()
        layout = QHBoxLayout(page)
        layout.addWidget(table, 1)
        layout.addWidget(self._scrolled(self.figure_labels[key]), 2)
        return page

    def _nomogram_page(self) -> QWidget:
        page = QWidget()
        layout = QHBoxLayout(page)
        layout.addWidget(self._scrolled(self.figure_labels["nomogram"]), 3)
        calculator = QWidget()
        self.calculator_form = QGridLayout(calculator)
        self.calculator_inputs: dict[str, QDoubleSpinBox] = {}
        self.calculator_result = QLabel(self.tr("Fit a model to use the calculator."))
        self.calculator_result.setWordWrap(True)
        self.calculator_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        side = QVBoxLayout()
        side.addWidget(QLabel(self.tr("<b>Calculator</b>: enter a patient's values")))
        side.addWidget(calculator)
        side.addWidget(self.calculator_result)
        side.addStretch(1)
        layout.addLayout(side, 1)
        return page

    def loader(self):
        study = self.study
        return lambda: load_choices(study)

    def show_data(self, data) -> None:
        """Event types and the analysis table's columns; the event and predictors chosen stay."""
        from ...services.outcomes import INDEX_LABELS

        events, timepoints, book = data
        chosen_event, chosen_predictors = self.event_combo.currentData(), self.predictors()
        self.event_combo.clear()
        for name, (records, count) in events.items():
            self.event_combo.addItem(self.tr("{0} ({1} events in {2} patients)").format(name, count, records), name)
        if chosen_event is not None:
            self.event_combo.setCurrentIndex(max(0, self.event_combo.findData(chosen_event)))
        choices = [(f"rush_{key}", self.tr("RUSH at {0}").format(timepoint_label(key, label))) for key, label in timepoints]
        if len(timepoints) >= 2:
            choices += [("delta_rush", self.tr("ΔRUSH")), ("slow_healing", self.tr("Slow healing"))]
        choices += [(name, label) for name, label in INDEX_LABELS.items()]
        choices += [(name, v.label) for name, v in book.items()]
        self.predictor_list.clear()
        for name, label in choices:
            item = QListWidgetItem(f"{label} [{name}]")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in chosen_predictors else Qt.CheckState.Unchecked)
            self.predictor_list.addItem(item)

    def set_predictors(self, names: list[str]) -> None:
        for i in range(self.predictor_list.count()):
            item = self.predictor_list.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in names
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def predictors(self) -> list[str]:
        items = (self.predictor_list.item(i) for i in range(self.predictor_list.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items if item.checkState() == Qt.CheckState.Checked]

    # --- running ---------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._running

    @Slot()
    def run(self) -> None:
        if self.busy:
            return
        if self.event_combo.currentData() is None:
            show_error(self, self.tr("Cannot fit the risk model"),
                       RushRaterError(self.tr("The study has no follow-up events yet: import them with "
                                              "rushrater clinical events.")))
            return
        try:
            times = [float(t) for t in self.times_edit.text().split(",") if t.strip()]
        except ValueError:
            show_error(self, self.tr("Cannot fit the risk model"),
                       RushRaterError(self.tr("Times must be numbers separated by commas, e.g. 1,3,6.")))
            return
        study = self.study
        options = {"event": self.event_combo.currentData(), "predictors": self.predictors(), "times": times,
                   "unit": self.unit_combo.currentData(), "train_where": self.train_edit.text().strip(),
                   "validate_where": self.validate_edit.text().strip(), "B": self.bootstrap_spin.value()}
        self._running = True
        self.run_button.setEnabled(False)
        self.status.setText(self.tr("Fitting the model and bootstrapping…"))
        self.operate(lambda progress: compute_riskmodel(study, **options), done=self._on_done,
                     failed=self._on_failed, label=self.tr("Fitting the model and bootstrapping…"))

    @Slot(object)
    def _on_failed(self, exc: Exception) -> None:
        self._running = False
        self.run_button.setEnabled(True)
        self.status.setText(self.tr("The model could not be fitted."))
        if isinstance(exc, (RushRaterError, ValueError, OSError)):
            show_error(self, self.tr("Cannot fit the risk model"), exc)
        else:
            raise exc

    @Slot(object)
    def _on_done(self, result: dict) -> None:
        self._running = False
        self.run_button.setEnabled(True)
        self.result = result
        self.status.setText(self.tr("{0}: n = {1}, {2} events, {3:.1f} events per predictor").format(
            result["event"], result["n"], result["events"], result["epv"]))
        text = self.tr("Harrell's C = {0:.3f} (SE {1:.3f}); optimism-corrected C = {2:.3f} (bootstrap B = {3}, "
                       "seed {4}).").format(result["c"], result["c_se"], result["c_corrected"], result["B"], result["seed"])
        if result["epv"] < 10:
            text += " " + self.tr("Fewer than 10 events per predictor: the model is likely overfitted (TRIPOD).")
        v = result["validation"]
        if v is not None:
            text += " " + self.tr("Validation: n = {0}, {1} events, C = {2:.3f}.").format(v["n"], v["events"], v["c"])
        self.summary.setText(text)
        for table, rows in ((self.terms_table, result["terms"]), (self.ph_table, result["ph"]),
                            (self.auc_table, result["auc"]), (self.calibration_table, result["calibration"])):
            self._fill(table, rows)
        for key, label in self.figure_labels.items():
            pixmap = QPixmap()
            if key in result["figures"]:
                pixmap.loadFromData(result["figures"][key], "PNG")
            label.setPixmap(pixmap)
        self.notes.setText("\n".join(result["warnings"]) or self.tr("No notes."))
        self._build_calculator()

    @staticmethod
    def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)
        table.resizeColumnsToContents()

    # --- the nomogram calculator -----------------------------------------------------------------

    def _build_calculator(self) -> None:
        while self.calculator_form.count():
            item = self.calculator_form.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.calculator_inputs = {}
        nom = self.result["nomogram"] if self.result else None
        if nom is None or self.result is None:
            self.calculator_result.setText(self.tr("No nomogram for this model (see the notes)."))
            return
        labels = self.result["labels"]
        for row, axis in enumerate(nom.axes):
            spin = QDoubleSpinBox()
            lo, hi = float(axis.values.min()), float(axis.values.max())
            span = hi - lo or 1.0
            spin.setDecimals(2)
            spin.setRange(lo - span, hi + span)
            spin.setSingleStep(span / 20)
            spin.setValue(float(axis.values[len(axis.values) // 2]))
            spin.valueChanged.connect(self.update_calculator)
            label = QLabel(labels.get(axis.predictor, axis.predictor))
            label.setBuddy(spin)
            self.calculator_form.addWidget(label, row, 0)
            self.calculator_form.addWidget(spin, row, 1)
            self.calculator_inputs[axis.predictor] = spin
        self.update_calculator()

    def set_patient(self, values: dict[str, float]) -> None:
        for name, value in values.items():
            self.calculator_inputs[name].setValue(value)

    @Slot()
    def update_calculator(self) -> dict | None:
        nom = self.result["nomogram"] if self.result else None
        if nom is None or self.result is None or not self.calculator_inputs:
            return None
        prediction = nom.predict({name: spin.value() for name, spin in self.calculator_inputs.items()})
        labels = self.result["labels"]
        lines = [self.tr("{0}: {1:.0f} points").format(labels.get(name, name), points)
                 for name, points in prediction["points"].items()]
        lines.append(self.tr("<b>Total: {0:.0f} points</b>").format(prediction["total_points"]))
        unit = self.unit_combo.itemText(self.unit_combo.findData(self.result["unit"]))
        for t in nom.times:
            lines.append(self.tr("Predicted event-free survival at {0:g} {1}: {2:.1%}").format(
                t, unit, prediction[f"S({t:g})"]))
        self.calculator_result.setText("<br>".join(lines))
        return prediction
