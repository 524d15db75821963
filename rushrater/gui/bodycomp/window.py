"""The body-composition window: choose the mid-T12 slice, edit two contours, measure, review, lock.

Left: patient, CT import, height and sex, assessor. Centre: the axial slice (soft-tissue window)
with colour overlays (muscle red, visceral fat yellow, subcutaneous fat cyan) and two editable
contours (outer wall orange, inner visceral boundary blue). Right: a sagittal or coronal reformat
with the level marker (drag it, or PgUp/PgDn/mouse wheel on the slice), thresholds, results and
the measure → review → lock buttons. Areas update while a contour point is dragged: the threshold
masks are computed once per slice, a drag only rasterises the two polygons (~1 ms).

Every service call (loading a patient and its CT volume, importing a series, saving) runs through
``gui.operations.run_operation`` on the study's operation thread; proposing contours and a level
(image computations, no study data) runs on a thread of its own. The window follows the study's
changes (``StudyEvents``): new patients refill the list, body-composition changes refresh the shown
patient's records without resetting the contours being edited.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyqtgraph as pg

from ...domain.changes import Changes, Entity
from ...domain.errors import RushRaterError
from ...imaging import ct
from ...services import audit, bodycomp, staging
from ...services.study import Study
from ..errors import show_error
from ..operations import OperationCancelled, StudyEvents, run_operation
from ..qt import (
    is_alive,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFont,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QShortcut,
    QSpinBox,
    QSplitter,
    Qt,
    QVBoxLayout,
    QWidget,
)

SOFT_TISSUE = (-160.0, 240.0)  # window 400 / level 40 HU
COLOURS = {
    "muscle": (235, 64, 52, 120),
    "visceral_fat": (255, 204, 0, 120),
    "subcutaneous_fat": (0, 190, 255, 110),
}
OUTER_PEN = pg.mkPen((255, 150, 30), width=2)
INNER_PEN = pg.mkPen((90, 160, 255), width=2)
#: The operation thread of contour and level proposals (pixels only): one for every window, so they
#: neither wait behind the study's writes nor hold them up.
COMPUTE_QUEUE = object()



class BodyCompWindow(QMainWindow):
    def __init__(self, study: Study, parent: QWidget | None = None):
        super().__init__(parent)
        self.study = study
        self.volume: ct.CtVolume | None = None
        self.series = None
        self.slice_index = 0
        self.level_source = "manual"
        self._masks: dict[str, np.ndarray] | None = None
        self._contour_error: str | None = None
        self.measurement: ct.Measurement | None = None
        self._updating = False
        #: The shown patient's records (height, series, results), and which patient is shown or loading.
        self._records: bodycomp.PatientBodyComposition | None = None
        self._patient_code: str | None = None
        self._wanted_patient: str | None = None
        self._generation = 0  # a newer load supersedes an older one still running
        self._loading = False
        self._writing = False
        self._proposing = False
        self.setWindowTitle(self.tr("Body composition at T12 — {0}").format(study.title))
        self.resize(1500, 920)
        self._build()
        self._events = StudyEvents(study, self)
        self._events.changed.connect(self._on_changes)
        self.reload_patients()

    # --- layout ---------------------------------------------------------------------------------

    def _build(self) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self._left_panel())
        splitter.addWidget(self._axial_view())
        splitter.addWidget(self._right_panel())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([290, 760, 450])
        self.setCentralWidget(splitter)
        for keys, slot in (("PgUp", lambda: self.step_slice(1)), ("PgDown", lambda: self.step_slice(-1)),
                           ("Ctrl+Up", lambda: self.step_slice(1)), ("Ctrl+Down", lambda: self.step_slice(-1)),
                           ("Ctrl+P", self.propose_contours), ("Ctrl+S", self.save_measurement)):
            QShortcut(QKeySequence(keys), self, activated=slot)
        self.statusBar().showMessage(self.tr("PgUp/PgDn or the wheel: slice · Ctrl+P: propose contours · Ctrl+S: save"))

    def _left_panel(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)

        patient_box = QGroupBox(self.tr("Patient"))
        form = QFormLayout(patient_box)
        self.patient_combo = QComboBox()
        self.patient_combo.currentTextChanged.connect(self._on_patient)
        form.addRow(self.tr("&Patient:"), self.patient_combo)
        self.series_label = QLabel()
        self.series_label.setWordWrap(True)
        form.addRow(self.tr("CT series:"), self.series_label)
        self.import_button = QPushButton(self.tr("&Import CT series…"))
        self.import_button.clicked.connect(self.import_series)
        form.addRow(self.import_button)
        self.height_spin = QDoubleSpinBox()
        self.height_spin.setRange(0.0, 2.6)
        self.height_spin.setDecimals(2)
        self.height_spin.setSingleStep(0.01)
        self.height_spin.setSuffix(" m")
        self.height_spin.setSpecialValueText(self.tr("not entered"))
        form.addRow(self.tr("&Height:"), self.height_spin)
        self.sex_combo = QComboBox()
        self.sex_combo.addItem(self.tr("not given"), None)
        self.sex_combo.addItem(self.tr("female"), "F")
        self.sex_combo.addItem(self.tr("male"), "M")
        form.addRow(self.tr("Se&x:"), self.sex_combo)
        self.height_button = QPushButton(self.tr("Save height and sex"))
        self.height_button.clicked.connect(self.save_height)
        form.addRow(self.height_button)
        layout.addWidget(patient_box)

        who = QGroupBox(self.tr("Assessor"))
        form = QFormLayout(who)
        self.assessor_edit = QLineEdit(audit.coordinator_actor().split(":", 1)[-1])
        self.assessor_edit.editingFinished.connect(self._on_patient_reload)
        form.addRow(self.tr("&Measured by:"), self.assessor_edit)
        self.reviewer_edit = QLineEdit()
        self.reviewer_edit.setPlaceholderText(self.tr("second assessor"))
        form.addRow(self.tr("Re&viewed by:"), self.reviewer_edit)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText(self.tr("needed when changing a saved measurement"))
        form.addRow(self.tr("R&eason:"), self.reason_edit)
        layout.addWidget(who)

        level = QGroupBox(self.tr("Level (mid-T12)"))
        form = QFormLayout(level)
        self.slice_spin = QSpinBox()
        self.slice_spin.valueChanged.connect(self._on_slice_spin)
        form.addRow(self.tr("&Slice:"), self.slice_spin)
        self.level_label = QLabel()
        form.addRow(self.level_label)
        self.labels_button = QPushButton(self.tr("Propose from &TotalSegmentator labels…"))
        self.labels_button.clicked.connect(self.propose_from_labels)
        form.addRow(self.labels_button)
        layout.addWidget(level)

        work = QGroupBox(self.tr("Measure → review → lock"))
        box = QVBoxLayout(work)
        self.propose_button = QPushButton(self.tr("&Propose contours"))
        self.propose_button.setToolTip(self.tr("Outer wall (orange) and visceral boundary (blue) by image processing; drag the points to correct them"))
        self.propose_button.clicked.connect(self.propose_contours)
        self.save_button = QPushButton(self.tr("&Save measurement"))
        self.save_button.clicked.connect(self.save_measurement)
        self.review_button = QPushButton(self.tr("&Review (second assessor)"))
        self.review_button.clicked.connect(self.review_measurement)
        self.lock_button = QPushButton(self.tr("&Lock"))
        self.lock_button.clicked.connect(self.lock_measurement)
        for button in (self.propose_button, self.save_button, self.review_button, self.lock_button):
            box.addWidget(button)
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        box.addWidget(self.state_label)
        layout.addWidget(work)
        layout.addStretch(1)
        return panel

    def _axial_view(self) -> QWidget:
        self.axial = pg.GraphicsLayoutWidget()
        self.axial.setBackground("k")
        self.axial_box = self.axial.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.overlay_item = pg.ImageItem(axisOrder="row-major")
        self.axial_box.addItem(self.image_item)
        self.axial_box.addItem(self.overlay_item)
        self.outer_roi = pg.PolyLineROI([[0, 0], [1, 0], [1, 1]], closed=True, pen=OUTER_PEN, movable=False,
                                        handlePen=(255, 190, 120), handleHoverPen=(255, 255, 255))
        self.inner_roi = pg.PolyLineROI([[0, 0], [1, 0], [1, 1]], closed=True, pen=INNER_PEN, movable=False,
                                        handlePen=(150, 200, 255), handleHoverPen=(255, 255, 255))
        for roi in (self.outer_roi, self.inner_roi):
            roi.handleSize = 4  # many points along a contour: small handles keep the anatomy visible
            roi.setVisible(False)
            roi.sigRegionChanged.connect(self._on_contour_changed)
            self.axial_box.addItem(roi)
        # The trunk's outline where an arm touches it (proposed, not dragged): subcutaneous fat
        # is counted inside it only.
        self.skin_curve = pg.PlotCurveItem(pen=pg.mkPen((0, 190, 255), width=1, style=Qt.PenStyle.DashLine))
        self.axial_box.addItem(self.skin_curve)
        self._skin: np.ndarray | None = None
        self.axial.wheelEvent = self._axial_wheel  # the wheel scrolls slices; zoom with the buttons
        self.message = pg.TextItem(color=(200, 200, 200), anchor=(0.5, 0.5))
        self.axial_box.addItem(self.message)
        return self.axial

    def _right_panel(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Reformat:")))
        self.plane_combo = QComboBox()
        self.plane_combo.addItem(self.tr("sagittal"), "sagittal")
        self.plane_combo.addItem(self.tr("coronal"), "coronal")
        self.plane_combo.currentIndexChanged.connect(self._show_reformat)
        row.addWidget(self.plane_combo, 1)
        layout.addLayout(row)
        self.reformat = pg.GraphicsLayoutWidget()
        self.reformat.setBackground("k")
        self.reformat_box = self.reformat.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.reformat_item = pg.ImageItem(axisOrder="row-major")
        self.reformat_box.addItem(self.reformat_item)
        self.level_line = pg.InfiniteLine(angle=0, movable=True, pen=pg.mkPen((0, 230, 120), width=2))
        self.level_line.sigPositionChangeFinished.connect(self._on_level_dragged)
        self.reformat_box.addItem(self.level_line)
        self.reformat.setFixedHeight(230)
        layout.addWidget(self.reformat)
        hint = QLabel(self.tr("Drag the green line to change the level."))
        hint.setStyleSheet("color: #777;")
        layout.addWidget(hint)

        thresholds = QGroupBox(self.tr("HU thresholds"))
        grid = QGridLayout(thresholds)
        self.threshold_spins: dict[str, tuple[QSpinBox, QSpinBox]] = {}
        names = {"muscle": self.tr("Muscle"), "visceral_fat": self.tr("Visceral fat"),
                 "subcutaneous_fat": self.tr("Subcutaneous fat")}
        current = bodycomp.study_thresholds(self.study)
        for row_index, key in enumerate(ct.DEFAULT_THRESHOLDS):
            low, high = QSpinBox(), QSpinBox()
            for spin, value in ((low, current[key][0]), (high, current[key][1])):
                spin.setRange(-1024, 3000)
                spin.setSuffix(" HU")
                spin.setMinimumWidth(90)
                spin.setValue(value)
                spin.valueChanged.connect(self._on_thresholds)
            swatch = QLabel("■")
            swatch.setStyleSheet("color: rgb({}, {}, {});".format(*COLOURS[key][:3]))
            grid.addWidget(swatch, row_index, 0)
            grid.addWidget(QLabel(names[key]), row_index, 1)
            grid.addWidget(low, row_index, 2)
            grid.addWidget(QLabel("…"), row_index, 3)
            grid.addWidget(high, row_index, 4)
            self.threshold_spins[key] = (low, high)
        buttons = QHBoxLayout()
        alternative = QPushButton(self.tr("Subcutaneous −190…−30"))
        alternative.setToolTip(self.tr("The common alternative range for subcutaneous fat"))
        alternative.clicked.connect(self.use_alternative_subcutaneous)
        buttons.addWidget(alternative)
        self.defaults_button = QPushButton(self.tr("Save as study default"))
        self.defaults_button.clicked.connect(self.save_threshold_defaults)
        buttons.addWidget(self.defaults_button)
        grid.addLayout(buttons, 3, 0, 1, 5)
        layout.addWidget(thresholds)

        results = QGroupBox(self.tr("Results"))
        form = QFormLayout(results)
        self.result_labels: dict[str, QLabel] = {}
        bold = QFont()
        bold.setBold(True)
        for key, text in (("muscle_cm2", self.tr("Muscle")), ("visceral_fat_cm2", self.tr("Visceral fat")),
                          ("subcutaneous_fat_cm2", self.tr("Subcutaneous fat")), ("muscle_mean_hu", self.tr("Mean muscle")),
                          ("smi", self.tr("SMI")), ("vfi", self.tr("VFI")), ("sfi", self.tr("SFI")), ("vsr", self.tr("VSR"))):
            label = QLabel("–")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if key in ("smi", "vfi", "sfi", "vsr"):
                label.setFont(bold)
            self.result_labels[key] = label
            form.addRow(text + ":", label)
        self.flag_label = QLabel()
        self.flag_label.setWordWrap(True)
        form.addRow(self.flag_label)
        layout.addWidget(results)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(panel)
        scroll.setMinimumWidth(440)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return scroll

    # --- data -------------------------------------------------------------------------------------

    def reload_patients(self) -> None:
        """Refill the patient list (off the GUI thread); the shown patient stays selected."""
        study = self.study
        run_operation(self, lambda _progress: staging.patient_codes(study), done=self._if_alive(self._show_patients),
                      failed=self._if_alive(self._show_failure), title=self.windowTitle(), queue=study)

    def _show_patients(self, codes: list[str]) -> None:
        wanted = self._wanted_patient or self.patient_combo.currentText() or self._patient_code
        self.patient_combo.blockSignals(True)
        self.patient_combo.clear()
        self.patient_combo.addItems(codes)
        if wanted in codes:
            self.patient_combo.setCurrentText(wanted)
        self.patient_combo.blockSignals(False)
        self._wanted_patient = None
        code = self.patient_combo.currentText()
        if code != self._patient_code:
            self._on_patient(code)

    @property
    def patient(self) -> str:
        """The patient shown (or being loaded)."""
        return self._patient_code or ""

    @property
    def assessor(self) -> str:
        return self.assessor_edit.text().strip()

    def _on_patient_reload(self) -> None:
        # Another assessor: show their saved measurement of the same volume (no need to read it again).
        if self.volume is not None and self._records is not None and not self._loading:
            self._show_volume_state()

    def select_patient(self, code: str) -> None:
        self._wanted_patient = code  # kept when the patient list arrives after this
        self.patient_combo.setCurrentText(code)
        if code != self._patient_code:
            self._on_patient(code)

    def _on_patient(self, code: str) -> None:
        self.volume, self.series, self._records = None, None, None
        self._masks = None
        self._patient_code = code
        self._generation += 1
        if not code:
            self._loading = False
            self._show_empty(self.tr("The study has no patients yet: import radiographs first."))
            return
        self._load(code, loaded_series=None)

    def _refresh(self) -> None:
        """Read the shown patient's records again; the volume only when a new series arrived."""
        if not self._patient_code or self._loading:
            return  # a load in flight started after the change: it reads the new records
        self._generation += 1
        self._load(self._patient_code, loaded_series=self.series.id if self.series is not None else None)

    def _load(self, code: str, *, loaded_series: int | None) -> None:
        study, generation = self.study, self._generation

        def work(_progress):
            records = bodycomp.patient_body_composition(study, code)
            series = records.series
            volume = bodycomp.load_volume(study, series) if series is not None and series.id != loaded_series else None
            return generation, records, volume

        self._loading = True
        self._update_buttons()
        run_operation(self, work, done=self._if_alive(self._show_loaded), failed=self._if_alive(self._load_failed),
                      title=self.windowTitle(), label=self.tr("Loading {0}…").format(code), queue=study)

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = False
        self._update_buttons()
        self._show_failure(exc)

    def _show_failure(self, exc: BaseException) -> None:
        show_error(self, self.windowTitle(), exc)

    def _show_loaded(self, loaded) -> None:
        generation, records, volume = loaded
        if generation != self._generation:
            return  # another patient was chosen (or a newer refresh started) meanwhile
        self._loading = False
        self._records = records
        self.height_spin.setValue(records.height_m or 0.0)
        self.sex_combo.setCurrentIndex(self.sex_combo.findData(records.sex) if records.sex else 0)
        series = records.series
        if series is None:
            self.volume, self.series = None, None
            self.series_label.setText(self.tr("none imported"))
            self._show_empty(self.tr("No CT series for {0}: use Import CT series….").format(records.patient))
            return
        if volume is None:  # the same series as shown: keep the slice and the contours being edited
            self._show_results()
            self._update_state()
            return
        self.volume, self.series = volume, series
        self.series_label.setText(self.tr("{0} slices, {1:.2f} × {2:.2f} × {3:.1f} mm").format(
            series.slice_count, series.row_spacing_mm, series.column_spacing_mm, series.slice_spacing_mm))
        self.message.setText("")
        self.slice_spin.blockSignals(True)
        self.slice_spin.setRange(0, self.volume.slice_count - 1)
        self.slice_spin.blockSignals(False)
        self._show_volume_state()

    def _show_volume_state(self) -> None:
        """The assessor's saved slice, thresholds and contours, else the middle slice with proposed contours."""
        saved = self._saved_result()
        if saved is not None:
            self._set_slice(saved.slice_index, saved.level_source)
            self._set_thresholds(saved.thresholds)
            self._set_contours(saved.contours)
        else:
            self._set_slice(self.volume.slice_count // 2, "manual")
            self.propose_contours()
        self._update_state()

    def _saved_result(self):
        return self._records.result_by(self.assessor) if self._records is not None else None

    def _keep_result(self, result: bodycomp.Result) -> None:
        """Show what a measurement, review or lock stored (the write returns it)."""
        if self._records is not None and self._records.patient == result.patient:
            others = tuple(r for r in self._records.results if r.assessor != result.assessor)
            self._records = replace(self._records, results=others + (result,))
        self._update_state()

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(Entity.CASES):
            self.reload_patients()  # a patient added (a CT import with the key file may add one)
        if changes.touches(Entity.BODY_COMPOSITION):
            self._refresh()

    def _if_alive(self, slot):
        def call(*args):
            if is_alive(self):
                slot(*args)

        return call

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._events.close()
        super().closeEvent(event)

    def _show_empty(self, text: str) -> None:
        self.image_item.clear()
        self.overlay_item.clear()
        self.reformat_item.clear()
        for roi in (self.outer_roi, self.inner_roi):
            roi.setVisible(False)
        self.skin_curve.setData([], [])
        self._skin = None
        self.message.setText(text)
        self.message.setPos(0, 0)
        self.axial_box.autoRange()
        self.measurement = None
        self._show_results()
        self._update_state()

    # --- slice and reformat ---------------------------------------------------------------------

    def step_slice(self, delta: int) -> None:
        if self.volume is not None:
            self._set_slice(self.slice_index + delta, "manual")

    def _axial_wheel(self, event) -> None:
        self.step_slice(1 if event.angleDelta().y() > 0 else -1)
        event.accept()

    def _on_slice_spin(self, value: int) -> None:
        if not self._updating:
            self._set_slice(value, "manual")

    def _on_level_dragged(self) -> None:
        if self.volume is None:
            return
        aspect = self._reformat_aspect()
        row = int(self.level_line.value() / aspect)
        self._set_slice(self.volume.slice_count - 1 - row, "manual")

    def _set_slice(self, index: int, source: str) -> None:
        if self.volume is None:
            return
        index = int(np.clip(index, 0, self.volume.slice_count - 1))
        self.slice_index, self.level_source = index, source
        self._updating = True
        self.slice_spin.setValue(index)
        self._updating = False
        image = self.volume.hu[index]
        self.image_item.setImage(image, levels=SOFT_TISSUE, autoLevels=False)
        self._masks = ct.tissue_masks(image, self.thresholds(), self.volume.row_spacing_mm)
        self.level_label.setText(self.tr("{0:.1f} mm · {1}").format(float(self.volume.positions_mm[index]), {
            "labels": self.tr("from the T12 label"), "manual": self.tr("chosen by scrolling"),
            "given": self.tr("given"), "middle": self.tr("middle")}.get(source, source)))
        if not self.outer_roi.isVisible():
            self.axial_box.autoRange(padding=0.02)
        self._show_reformat()
        self._recompute()

    def _reformat_aspect(self) -> float:
        plane = self.plane_combo.currentData()
        _, aspect = ct.reformat(self.volume, plane, 0)
        return aspect

    def _show_reformat(self) -> None:
        if self.volume is None:
            return
        plane = self.plane_combo.currentData()
        middle = self.volume.hu.shape[2 if plane == "sagittal" else 1] // 2
        image, aspect = ct.reformat(self.volume, plane, middle)
        self.reformat_item.setImage(image, levels=(-400.0, 1000.0), autoLevels=False)
        self.reformat_item.resetTransform()
        self.reformat_item.setTransform(pg.QtGui.QTransform.fromScale(1.0, aspect))
        row = self.volume.slice_count - 1 - self.slice_index
        self.level_line.blockSignals(True)
        self.level_line.setValue((row + 0.5) * aspect)
        self.level_line.blockSignals(False)
        self.reformat_box.autoRange(padding=0.02)

    # --- thresholds -------------------------------------------------------------------------------

    def thresholds(self) -> dict[str, list[int]]:
        return {key: [low.value(), high.value()] for key, (low, high) in self.threshold_spins.items()}

    def _set_thresholds(self, values: dict) -> None:
        self._updating = True
        for key, (low, high) in self.threshold_spins.items():
            low.setValue(values[key][0])
            high.setValue(values[key][1])
        self._updating = False
        self._on_thresholds()

    def _on_thresholds(self) -> None:
        if self._updating or self.volume is None:
            return
        try:
            self._masks = ct.tissue_masks(self.volume.hu[self.slice_index], self.thresholds(), self.volume.row_spacing_mm)
        except RushRaterError as exc:
            self._contour_error = exc.message
            self._masks = None
        self._recompute()

    def use_alternative_subcutaneous(self) -> None:
        low, high = self.threshold_spins["subcutaneous_fat"]
        self._updating = True
        low.setValue(ct.SUBCUTANEOUS_ALTERNATIVE[0])
        high.setValue(ct.SUBCUTANEOUS_ALTERNATIVE[1])
        self._updating = False
        self._on_thresholds()

    def save_threshold_defaults(self) -> bool:
        study, thresholds = self.study, self.thresholds()
        return self._write(lambda _progress: bodycomp.set_thresholds(study, thresholds),
                           lambda _saved: self.statusBar().showMessage(self.tr("Saved as the study's default thresholds"), 5000),
                           self.tr("Thresholds not saved"))

    # --- contours and live areas ----------------------------------------------------------------

    def propose_contours(self) -> None:
        if self.volume is None:
            return
        volume, index, thresholds = self.volume, self.slice_index, self.thresholds()

        def work(_progress):
            contours = ct.auto_contours(volume.hu[index], thresholds, volume.row_spacing_mm)
            # Within half a pixel of the proposal, with a handle where the outline bends.
            return {"outer": ct.simplify_contour(contours["outer"]), "inner": ct.simplify_contour(contours["inner"]),
                    "skin": contours.get("skin")}

        def done(contours: dict) -> None:
            self._proposing = False
            if self.volume is volume and self.slice_index == index:  # else the user moved on: not for this slice
                self._set_contours(contours)
            self._update_buttons()

        def failed(exc: BaseException) -> None:
            self._proposing = False
            self._update_buttons()
            show_error(self, self.tr("No contours proposed"), exc)

        self._proposing = True
        self._update_buttons()
        run_operation(self, work, done=self._if_alive(done), failed=self._if_alive(failed),
                      title=self.windowTitle(), queue=COMPUTE_QUEUE)

    def _set_contours(self, contours: dict) -> None:
        self._updating = True
        for roi, key in ((self.outer_roi, "outer"), (self.inner_roi, "inner")):
            roi.setPos(0, 0)
            roi.setPoints([list(p) for p in contours[key]], closed=True)
            roi.setVisible(True)
        self._skin = np.asarray(contours["skin"], dtype=float) if contours.get("skin") else None
        if self._skin is not None:
            closed = np.vstack([self._skin, self._skin[:1]])
            self.skin_curve.setData(closed[:, 0], closed[:, 1])
        else:
            self.skin_curve.setData([], [])
        self._updating = False
        self.axial_box.autoRange(padding=0.02)
        self._recompute()

    def contour_points(self, roi) -> np.ndarray:
        return np.array([[p.x(), p.y()] for p in (roi.mapToParent(pos) for _, pos in roi.getLocalHandlePositions())])

    def _on_contour_changed(self) -> None:
        if not self._updating:
            self._recompute()

    def _recompute(self) -> None:
        self.measurement = None
        self._contour_error = None
        if self.volume is None or self._masks is None or not self.outer_roi.isVisible():
            self._show_results()
            return
        image = self.volume.hu[self.slice_index]
        try:
            outer = ct.check_contour(self.contour_points(self.outer_roi), self.tr("outer"))
            inner = ct.check_contour(self.contour_points(self.inner_roi), self.tr("inner"))
        except RushRaterError as exc:
            self._contour_error = exc.message
            self.overlay_item.clear()
            self._show_results()
            return
        self.measurement, tissue = ct.measure_masks(self._masks, image, outer, inner, self.volume.pixel_area_cm2, self._skin)
        rgba = np.zeros(image.shape + (4,), dtype=np.uint8)
        for key, mask in tissue.items():
            rgba[mask] = COLOURS[key]
        self.overlay_item.setImage(rgba, autoLevels=False)
        self._show_results()

    def _show_results(self) -> None:
        m = self.measurement
        labels = self.result_labels
        if m is None:
            for label in labels.values():
                label.setText("–")
            self.flag_label.setText(f"<span style='color:#c0392b'>{self._contour_error}</span>" if self._contour_error else "")
            self._update_buttons()
            return
        labels["muscle_cm2"].setText(f"{m.muscle_cm2:.1f} cm²")
        labels["visceral_fat_cm2"].setText(f"{m.visceral_fat_cm2:.1f} cm²")
        labels["subcutaneous_fat_cm2"].setText(f"{m.subcutaneous_fat_cm2:.1f} cm²")
        labels["muscle_mean_hu"].setText("–" if m.muscle_mean_hu is None else f"{m.muscle_mean_hu:.1f} HU")
        height = self.height_spin.value()
        if height > 0:
            values = ct.indices(m, height)
            for key in ("smi", "vfi", "sfi"):
                labels[key].setText(f"{values[key]:.1f} cm²/m²")
            labels["vsr"].setText("–" if values["vsr"] is None else f"{values['vsr']:.2f}")
            flags = bodycomp.flags_for(values, self.sex_combo.currentData())
            lines = [f"<b style='color:#c0392b'>{f['flag']}</b><br>{f['index'].upper()} below {f['cutoff']:g} "
                     f"{f['unit'].replace('cm2/m2', 'cm²/m²')} ({f['source']}, doi:{f['doi']})" for f in flags["flags"]]
            lines += [self.tr("Not assessed: {0}").format(n) for n in flags["not_assessed"]]
            self.flag_label.setText("<br>".join(lines) or self.tr("No reference cut-off crossed (table {0})").format(flags["table_version"]))
        else:
            for key in ("smi", "vfi", "sfi", "vsr"):
                labels[key].setText("–")
            self.flag_label.setText(self.tr("Enter the height to compute the indices."))
        self._update_buttons()

    # --- workflow -------------------------------------------------------------------------------

    def _update_state(self) -> None:
        saved = self._saved_result() if self.volume is not None else None
        if saved is None:
            self.state_label.setText(self.tr("Not saved yet."))
        else:
            text = self.tr("Saved version {0}: {1}").format(saved.version, saved.status)
            if saved.reviewed_by:
                text += self.tr(", reviewed by {0}").format(saved.reviewed_by)
            if saved.locked_by:
                text += self.tr(", locked by {0}").format(saved.locked_by)
            self.state_label.setText(text)
        self._update_buttons()

    def _update_buttons(self) -> None:
        """What may start now: nothing while a load or a save runs (no double submits)."""
        idle = not (self._loading or self._writing)
        saved = self._saved_result() if self.volume is not None else None
        locked = saved is not None and saved.status == "locked"
        for button in (self.import_button, self.height_button):
            button.setEnabled(idle and bool(self.patient))
        self.defaults_button.setEnabled(idle)
        for button in (self.labels_button, self.propose_button):
            button.setEnabled(idle and self.volume is not None and not self._proposing)
        self.save_button.setEnabled(idle and self.measurement is not None and not locked and not self._proposing)
        self.review_button.setEnabled(idle and saved is not None and not locked)
        self.lock_button.setEnabled(idle and saved is not None and saved.status == "reviewed")

    def _write(self, work, done, title: str, *, label: str = "", cancellable: bool = False) -> bool:
        """Run a service write on the study's operation thread, the action buttons disabled meanwhile.
        True: started (``done(result)`` follows on success; a failure is shown titled ``title``);
        False while another write of this window runs (a shortcut pressed twice)."""
        if self._writing:
            return False

        def succeeded(result) -> None:
            self._writing = False
            done(result)
            self._update_buttons()

        def failed(exc: BaseException) -> None:
            self._writing = False
            self._update_buttons()
            if isinstance(exc, OperationCancelled):
                self.statusBar().showMessage(self.tr("Cancelled: nothing was stored."), 5000)
            else:
                show_error(self, title, exc)

        self._writing = True
        self._update_buttons()
        # The progress dialog is titled by the window; ``title`` names a failure.
        run_operation(self, work, done=self._if_alive(succeeded), failed=self._if_alive(failed), title=self.windowTitle(),
                      label=label, cancellable=cancellable, queue=self.study)
        return True

    def save_height(self) -> bool:
        if not self.patient:
            return False
        study, patient, height, sex = self.study, self.patient, self.height_spin.value(), self.sex_combo.currentData()
        reason = self.reason_edit.text().strip() or None

        def saved(_row) -> None:
            if self._records is not None and self._records.patient == patient:
                self._records = replace(self._records, height_m=height, sex=sex)
            self.statusBar().showMessage(self.tr("Height and sex saved for {0}").format(patient), 5000)
            self._show_results()

        return self._write(lambda _progress: bodycomp.set_anthropometry(study, patient, height, sex, reason=reason),
                           saved, self.tr("Height not saved"))

    def import_series(self) -> None:
        if not self.patient:
            return
        folder = QFileDialog.getExistingDirectory(self, self.tr("CT series folder (DICOM) for {0}").format(self.patient))
        if folder:
            self.import_folder(folder)

    def import_folder(self, folder: str) -> bool:
        """Import a CT series for the shown patient, with progress; Cancel stops it while the slices are read."""
        if not self.patient:
            return False
        study, patient = self.study, self.patient
        steps = {"read": self.tr("Reading file {0} of {1}…"), "decode": self.tr("Reading slice {0} of {1}…")}

        def work(progress):
            def step(kind: str, done: int, total: int) -> None:
                progress.check()
                progress(steps[kind].format(done + 1, total))

            return bodycomp.import_ct(study, patient, folder, progress=step)

        def imported(_series) -> None:
            self.statusBar().showMessage(self.tr("CT series imported for {0}").format(patient), 5000)
            # Show it: the change listener may have started this refresh already (then nothing to do).
            if self.patient == patient:
                self._refresh()

        return self._write(work, imported, self.tr("CT series not imported"), label=self.tr("Importing the CT series…"),
                           cancellable=True)

    def propose_from_labels(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("TotalSegmentator label file"), "",
                                              self.tr("NIfTI labels (*.nii *.nii.gz)"))
        if path:
            self.use_labels(path)

    def use_labels(self, path: str) -> bool:
        """Propose the level from a label file (read off the GUI thread), then the contours there."""
        if self.volume is None:
            return False
        volume = self.volume

        def done(proposal) -> None:
            self._proposing = False
            self._update_buttons()
            if self.volume is not volume:
                return  # another patient meanwhile
            self._set_slice(proposal.slice_index, "labels")
            self.propose_contours()
            if not proposal.complete:
                self.statusBar().showMessage(self.tr("T12 touches the edge of the label volume: check the level"), 10000)

        def failed(exc: BaseException) -> None:
            self._proposing = False
            self._update_buttons()
            show_error(self, self.tr("No level proposed"), exc)

        self._proposing = True
        self._update_buttons()
        run_operation(self, lambda _progress: ct.propose_level(path, volume), done=self._if_alive(done),
                      failed=self._if_alive(failed), title=self.windowTitle(), queue=COMPUTE_QUEUE)
        return True

    def _contours(self) -> dict:
        contours = {"outer": self.contour_points(self.outer_roi).tolist(), "inner": self.contour_points(self.inner_roi).tolist(),
                    "edited": True}
        if self._skin is not None:
            contours["skin"] = self._skin.tolist()
        return contours

    def save_measurement(self) -> bool:
        """Save the shown measurement; False when there is none to save (else the save has started)."""
        if self.volume is None or self.measurement is None or self._writing or self._loading:
            return False
        study, patient, volume, series = self.study, self.patient, self.volume, self.series
        height, sex = self.height_spin.value(), self.sex_combo.currentData()
        values = {"assessor": self.assessor, "slice_index": self.slice_index, "contours": self._contours(),
                  "thresholds": self.thresholds(), "level_source": self.level_source,
                  "reason": self.reason_edit.text().strip() or None, "series": series, "volume": volume}

        def work(_progress):
            if height > 0 and bodycomp.anthropometry(study, patient) is None:
                bodycomp.set_anthropometry(study, patient, height, sex)
            return bodycomp.measure(study, patient, **values)

        def saved(result: bodycomp.Result) -> None:
            self.reason_edit.clear()
            self.statusBar().showMessage(self.tr("Measurement saved"), 5000)
            self._keep_result(result)

        return self._write(work, saved, self.tr("Measurement not saved"))

    def review_measurement(self) -> bool:
        if not self.patient:
            return False
        study, patient, assessor = self.study, self.patient, self.assessor
        reviewer, reason = self.reviewer_edit.text().strip(), self.reason_edit.text().strip() or None
        return self._write(lambda _progress: bodycomp.review(study, patient, assessor, reviewer=reviewer, reason=reason),
                           self._keep_result, self.tr("Not reviewed"))

    def lock_measurement(self) -> bool:
        if not self.patient:
            return False
        study, patient, assessor, actor = self.study, self.patient, self.assessor, audit.coordinator_actor()
        return self._write(lambda _progress: bodycomp.lock(study, patient, assessor, actor=actor),
                           self._keep_result, self.tr("Not locked"))


def open_bodycomp_window(study: Study, parent: QWidget | None = None) -> BodyCompWindow:
    window = BodyCompWindow(study, parent)
    window.show()
    return window
