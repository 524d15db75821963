"""The DRR window: pick a CT series, crop it to the hip on the three MPR views, preview the
radiographs live while changing the parameters, and save them (optionally as a case for reading).

Left: series, views, geometry, SID, bone boost, affected side, pixel size, placement, Save and
the 3D view. Centre: axial, coronal and sagittal sections through the crop box's centre, each with
the box drawn as a rectangle to drag or resize (the three stay in step). Right: the previews,
recomputed on a thread of their own 150 ms after the last change (cone beam on a half-resolution
volume; Save projects at full resolution), so dragging the box never waits for a projection.

Service calls (the series list, loading a volume, saving) run through ``gui.operations.run_operation``
on the study's operation thread; the window follows the study's changes (``StudyEvents``): a CT
series imported elsewhere appears in the list.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ...domain.changes import Changes, Entity
from ...domain.errors import RushRaterError
from ...imaging import drr as projector
from ...imaging.ct import CtVolume
from ...imaging.display import DisplayPipeline
from ...services import drr as drr_service
from ...services.study import Study, timepoint_choices
from ..errors import show_error
from ..operations import StudyEvents, run_operation
from ..qt import (
    is_alive,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)

BONE_WINDOW = (-200.0, 1300.0)
BOX_PEN = pg.mkPen((255, 170, 0), width=2)
PREVIEW_DELAY_MS = 150
#: The operation thread of the previews (projections, no study data): one for every window, so a
#: preview neither waits behind the study's writes nor holds them up.
PREVIEW_QUEUE = object()



class DrrWindow(QMainWindow):
    def __init__(self, study: Study, parent: QWidget | None = None):
        super().__init__(parent)
        self.study = study
        self.volume: CtVolume | None = None
        self.series_id: int | None = None
        self.crop: list[int] = [0, 0, 0, 1, 1, 1]  # x0, y0, z0, x1, y1, z1 (columns, rows, slices)
        self.previews: dict[str, projector.Drr] = {}
        self.preview_error: str | None = None
        self._syncing = False
        self.bone_view = None
        self._generation = 0
        #: The newest preview request, read by queued previews to skip themselves when superseded.
        self._latest = [0]
        self.previews_ready = False
        self._series_rows: list[dict] = []
        self._volume_generation = 0
        self._saving = False
        self.setWindowTitle(self.tr("Radiographs from CT — {0}").format(study.title))
        self.resize(1500, 900)
        self._timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.update_previews)
        self._build()
        self._update_buttons()  # nothing to save before a series is loaded
        self._events = StudyEvents(study, self)
        self._events.changed.connect(self._on_changes)
        self.reload_timepoints()
        self.reload_series()

    # --- layout ---------------------------------------------------------------------------------

    def _build(self) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self._controls())
        splitter.addWidget(self._sections())
        splitter.addWidget(self._preview_panel())
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 1)
        splitter.setSizes([300, 600, 600])
        self.setCentralWidget(splitter)
        self.statusBar().showMessage(self.tr("Drag the orange box on any section to crop to the hip; the previews follow."))

    def _controls(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        box = QGroupBox(self.tr("CT series"))
        form = QFormLayout(box)
        self.series_combo = QComboBox()
        self.series_combo.currentIndexChanged.connect(self._on_series)
        form.addRow(self.tr("&Series:"), self.series_combo)
        self.series_info = QLabel()
        self.series_info.setWordWrap(True)
        form.addRow(self.series_info)
        self.crop_label = QLabel()
        form.addRow(self.tr("Crop box:"), self.crop_label)
        reset = QPushButton(self.tr("&Whole volume"))
        reset.clicked.connect(self.reset_crop)
        form.addRow(reset)
        layout.addWidget(box)

        box = QGroupBox(self.tr("Projection"))
        form = QFormLayout(box)
        self.view_checks = {}
        for key, label in (("frontal", self.tr("Frontal (AP)")), ("lateral", self.tr("Lateral")), ("axial", self.tr("Axial"))):
            check = QCheckBox(label)
            check.setChecked(key != "axial")
            check.toggled.connect(self.schedule_preview)
            self.view_checks[key] = check
            form.addRow(check)
        self.geometry_combo = QComboBox()
        self.geometry_combo.addItem(self.tr("parallel beam"), "parallel")
        self.geometry_combo.addItem(self.tr("cone beam (point source)"), "cone")
        self.geometry_combo.currentIndexChanged.connect(self._on_geometry)
        form.addRow(self.tr("&Geometry:"), self.geometry_combo)
        self.sid_spin = QDoubleSpinBox()
        self.sid_spin.setRange(300.0, 5000.0)
        self.sid_spin.setValue(1000.0)
        self.sid_spin.setSingleStep(50.0)
        self.sid_spin.setSuffix(" mm")
        self.sid_spin.setEnabled(False)
        self.sid_spin.valueChanged.connect(self.schedule_preview)
        form.addRow(self.tr("Source-image &distance:"), self.sid_spin)
        self.boost_spin = QDoubleSpinBox()
        self.boost_spin.setRange(0.0, 10.0)
        self.boost_spin.setSingleStep(0.25)
        self.boost_spin.valueChanged.connect(self.schedule_preview)
        form.addRow(self.tr("&Bone boost:"), self.boost_spin)
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setRange(-1000.0, 3000.0)
        self.threshold_spin.setValue(projector.BONE_THRESHOLD_HU)
        self.threshold_spin.setSuffix(" HU")
        self.threshold_spin.valueChanged.connect(self.schedule_preview)
        form.addRow(self.tr("Bone &threshold:"), self.threshold_spin)
        self.side_combo = QComboBox()
        self.side_combo.addItem(self.tr("right"), "right")
        self.side_combo.addItem(self.tr("left"), "left")
        self.side_combo.currentIndexChanged.connect(self.schedule_preview)
        form.addRow(self.tr("Affected &side:"), self.side_combo)
        self.pixel_spin = QDoubleSpinBox()
        self.pixel_spin.setRange(0.0, 10.0)
        self.pixel_spin.setDecimals(3)
        self.pixel_spin.setSingleStep(0.1)
        self.pixel_spin.setSuffix(" mm")
        self.pixel_spin.setSpecialValueText(self.tr("finest CT spacing"))
        self.pixel_spin.valueChanged.connect(self.schedule_preview)
        form.addRow(self.tr("&Pixel:"), self.pixel_spin)
        layout.addWidget(box)

        box = QGroupBox(self.tr("Save"))
        form = QFormLayout(box)
        self.place_check = QCheckBox(self.tr("Place as a case for &reading"))
        form.addRow(self.place_check)
        self.timepoint_combo = QComboBox()
        form.addRow(self.tr("&Time point:"), self.timepoint_combo)
        self.save_button = QPushButton(self.tr("&Save radiographs"))
        self.save_button.clicked.connect(self.save)
        form.addRow(self.save_button)
        self.bone_button = QPushButton(self.tr("&3D view of the bone…"))
        self.bone_button.clicked.connect(self.open_bone_view)
        form.addRow(self.bone_button)
        layout.addWidget(box)
        layout.addStretch(1)
        return panel

    def _sections(self) -> QWidget:
        self.sections = pg.GraphicsLayoutWidget()
        self.section_boxes, self.section_items, self.section_rois = {}, {}, {}
        for row, (plane, title) in enumerate((("axial", self.tr("Axial")), ("coronal", self.tr("Coronal")),
                                              ("sagittal", self.tr("Sagittal")))):
            self.sections.addLabel(title, row=2 * row, col=0)
            box = self.sections.addViewBox(row=2 * row + 1, col=0, lockAspect=True, invertY=True, enableMenu=False)
            item = pg.ImageItem(axisOrder="row-major")
            box.addItem(item)
            roi = pg.RectROI([0, 0], [1, 1], pen=BOX_PEN, rotatable=False)
            roi.addScaleHandle([0, 0], [1, 1])
            roi.sigRegionChanged.connect(lambda _roi, plane=plane: self._on_roi(plane))
            box.addItem(roi)
            self.section_boxes[plane], self.section_items[plane], self.section_rois[plane] = box, item, roi
        return self.sections

    def _preview_panel(self) -> QWidget:
        self.preview_widget = pg.GraphicsLayoutWidget()
        self.preview_boxes, self.preview_items = {}, {}
        # Frontal and lateral side by side (the pair a rater reads), the axial view below.
        for view, title, row, col in (("frontal", self.tr("Frontal (AP)"), 0, 0), ("lateral", self.tr("Lateral"), 0, 1),
                                      ("axial", self.tr("Axial"), 2, 0)):
            self.preview_widget.addLabel(title, row=row, col=col)
            box = self.preview_widget.addViewBox(row=row + 1, col=col, lockAspect=True, invertY=True, enableMenu=False)
            item = pg.ImageItem(axisOrder="row-major")
            box.addItem(item)
            self.preview_boxes[view], self.preview_items[view] = box, item
        self.preview_label = self.preview_widget.addLabel("", row=4, col=0, colspan=2)
        return self.preview_widget

    # --- series and crop box ----------------------------------------------------------------------

    def _if_alive(self, slot):
        def call(*args):
            if is_alive(self):
                slot(*args)

        return call

    def _show_failure(self, exc: BaseException) -> None:
        show_error(self, self.windowTitle(), exc)

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(Entity.BODY_COMPOSITION, Entity.CASES):
            self.reload_series()  # a CT series imported (or its patient added) elsewhere
        if changes.touches(Entity.STUDY):
            self.reload_timepoints()

    def reload_timepoints(self) -> None:
        study = self.study
        run_operation(self, lambda _progress: timepoint_choices(study),
                      done=self._if_alive(self._show_timepoints), failed=self._if_alive(self._show_failure),
                      title=self.windowTitle(), queue=study)

    def _show_timepoints(self, choices) -> None:
        current = self.timepoint_combo.currentData()
        self.timepoint_combo.clear()
        for choice in choices:
            self.timepoint_combo.addItem(choice.label, choice.key)
        if current is not None and self.timepoint_combo.findData(current) >= 0:
            self.timepoint_combo.setCurrentIndex(self.timepoint_combo.findData(current))

    def reload_series(self) -> None:
        """Refill the series list (off the GUI thread); the shown series stays selected."""
        study = self.study
        run_operation(self, lambda _progress: drr_service.list_series(study), done=self._if_alive(self._show_series),
                      failed=self._if_alive(self._show_failure), title=self.windowTitle(), queue=study)

    def _show_series(self, rows: list[dict]) -> None:
        self._series_rows = rows
        current = self.series_combo.currentData()
        self.series_combo.blockSignals(True)
        self.series_combo.clear()
        for row in rows:
            self.series_combo.addItem(self.tr("Series {0} · patient {1}").format(row["series"], row["patient"]), row["series"])
        if current is not None and self.series_combo.findData(current) >= 0:
            self.series_combo.setCurrentIndex(self.series_combo.findData(current))
        self.series_combo.blockSignals(False)
        if self.series_combo.count():
            if self.series_combo.currentData() != self.series_id:
                self._on_series()
        else:
            self.series_info.setText(self.tr("The study has no CT series yet: import one in the body-composition window."))
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = self.series_id is not None and self.volume is not None
        self.save_button.setEnabled(ready and not self._saving)
        self.bone_button.setEnabled(ready)

    def _on_series(self) -> None:
        series_id = self.series_combo.currentData()
        if series_id is None:
            return
        study, series_id = self.study, int(series_id)
        self._volume_generation += 1
        generation = self._volume_generation

        def shown(volume: CtVolume) -> None:
            if generation != self._volume_generation:
                return  # another series was chosen meanwhile
            self.volume, self.series_id = volume, series_id
            nz, ny, nx = self.volume.hu.shape
            self.series_info.setText(self.tr("{0} × {1} × {2} voxels, {3:.2f} × {4:.2f} × {5:.2f} mm").format(
                nx, ny, nz, self.volume.column_spacing_mm, self.volume.row_spacing_mm, abs(self.volume.slice_spacing_mm)))
            self.reset_crop()
            for box in self.section_boxes.values():
                box.autoRange(padding=0.02)
            self._update_buttons()

        run_operation(self, lambda _progress: drr_service.series_volume(study, series_id), done=self._if_alive(shown),
                      failed=self._if_alive(self._show_failure), title=self.windowTitle(), label=self.tr("Loading {0}…").format(drr_service.series_label(series_id)),
                      queue=study)

    def reset_crop(self) -> None:
        if self.volume is None:
            return
        nz, ny, nx = self.volume.hu.shape
        self.set_crop([0, 0, 0, nx, ny, nz])

    def set_crop(self, crop) -> None:
        nz, ny, nx = self.volume.hu.shape
        x0, y0, z0, x1, y1, z1 = (int(round(v)) for v in crop)
        x0, x1 = sorted((int(np.clip(x0, 0, nx - 1)), int(np.clip(x1, 1, nx))))
        y0, y1 = sorted((int(np.clip(y0, 0, ny - 1)), int(np.clip(y1, 1, ny))))
        z0, z1 = sorted((int(np.clip(z0, 0, nz - 1)), int(np.clip(z1, 1, nz))))
        self.crop = [x0, y0, z0, max(x1, x0 + 1), max(y1, y0 + 1), max(z1, z0 + 1)]
        self.crop_label.setText(",".join(str(v) for v in self.crop))
        self._draw_sections()
        self.schedule_preview()

    def _aspect(self, plane: str) -> float:
        return abs(self.volume.slice_spacing_mm) / (self.volume.column_spacing_mm if plane == "coronal" else self.volume.row_spacing_mm)

    def _draw_sections(self) -> None:
        hu = self.volume.hu
        nz = hu.shape[0]
        x0, y0, z0, x1, y1, z1 = self.crop
        cx, cy, cz = (x0 + x1) // 2, (y0 + y1) // 2, (z0 + z1) // 2
        # Coronal and sagittal sections show the most superior slice at the top.
        images = {"axial": hu[min(cz, nz - 1)], "coronal": hu[::-1, min(cy, hu.shape[1] - 1), :],
                  "sagittal": hu[::-1, :, min(cx, hu.shape[2] - 1)]}
        boxes = {"axial": (x0, y0, x1 - x0, y1 - y0), "coronal": (x0, nz - z1, x1 - x0, z1 - z0),
                 "sagittal": (y0, nz - z1, y1 - y0, z1 - z0)}
        self._syncing = True
        try:
            for plane, image in images.items():
                item = self.section_items[plane]
                item.setImage(np.ascontiguousarray(image), levels=BONE_WINDOW, autoLevels=False)
                scale = 1.0 if plane == "axial" else self._aspect(plane)
                item.setTransform(pg.QtGui.QTransform.fromScale(1.0, scale))
                bx, by, bw, bh = boxes[plane]
                roi = self.section_rois[plane]
                roi.setPos([bx, by * scale], update=False)
                roi.setSize([bw, bh * scale], update=False)
                roi.stateChanged(finish=False)
        finally:
            self._syncing = False

    def _on_roi(self, plane: str) -> None:
        if self._syncing or self.volume is None:
            return
        nz = self.volume.hu.shape[0]
        roi = self.section_rois[plane]
        (px, py), (sx, sy) = roi.pos(), roi.size()
        x0, y0, z0, x1, y1, z1 = self.crop
        if plane == "axial":
            x0, y0, x1, y1 = px, py, px + sx, py + sy
        else:
            scale = self._aspect(plane)
            top, bottom = py / scale, (py + sy) / scale
            z0, z1 = nz - bottom, nz - top
            if plane == "coronal":
                x0, x1 = px, px + sx
            else:
                y0, y1 = px, px + sx
        self.set_crop([x0, y0, z0, x1, y1, z1])

    # --- parameters, previews, save ------------------------------------------------------------------

    def _on_geometry(self) -> None:
        self.sid_spin.setEnabled(self.geometry_combo.currentData() == "cone")
        self.schedule_preview()

    def views(self) -> tuple[str, ...]:
        return tuple(v for v, check in self.view_checks.items() if check.isChecked())

    def parameters(self) -> projector.DrrParameters:
        return projector.DrrParameters(
            geometry=self.geometry_combo.currentData(), sid_mm=self.sid_spin.value(), bone_boost=self.boost_spin.value(),
            bone_threshold_hu=self.threshold_spin.value(), pixel_mm=self.pixel_spin.value() or None,
            side=self.side_combo.currentData(), crop=tuple(self.crop),
        )

    def schedule_preview(self) -> None:
        self._timer.start()

    def update_previews(self) -> None:
        """Project the checked views on a pool thread (cone beam on every second voxel in-plane);
        a newer request supersedes an older one still running, whose result is dropped."""
        if self.volume is None:
            return
        self._generation += 1
        generation, volume, views, params = self._generation, self.volume, self.views(), self.parameters()
        where = drr_service.series_label(self.series_id)
        self.previews_ready = False
        latest = self._latest
        latest[0] = generation

        def work(_progress):
            if latest[0] != generation:
                return generation, ({}, None)  # superseded while queued: not worth projecting
            return generation, compute_previews(volume, views, params, where)

        # A preview is shown beside the controls, never in a progress dialog over them: dragging goes on.
        run_operation(
            self, work, done=self._if_alive(self._show_previews),
            failed=self._if_alive(lambda exc: self._show_previews((generation, ({}, str(exc))))),
            title=self.windowTitle(), queue=PREVIEW_QUEUE, quiet=True)

    def _show_previews(self, result) -> None:
        generation, (previews, error) = result
        if generation != self._generation:
            return  # parameters changed while it ran: a newer preview is on its way
        self.previews, self.preview_error = previews, error
        for view, item in self.preview_items.items():
            drr_result = self.previews.get(view)
            if drr_result is None:
                item.clear()
                continue
            item.setImage(DisplayPipeline(drr_result.display()).render(drr_result.pixels()), levels=(0, 255), autoLevels=False)
            self.preview_boxes[view].autoRange(padding=0.02)
        if self.preview_error:
            self.preview_label.setText(self.preview_error)
        elif self.previews:
            any_result = next(iter(self.previews.values()))
            self.preview_label.setText(self.tr("pixel {0:.3f} mm at the isocentre · magnification {1:.3f}").format(
                any_result.pixel_mm, any_result.magnification))
        else:
            self.preview_label.setText(self.tr("Tick at least one view."))
        self.previews_ready = True

    def save(self) -> None:
        if self.series_id is None:
            return
        if self.series_id is None or self._saving:
            return
        as_case = None
        if self.place_check.isChecked():
            patient = next(r["patient"] for r in self._series_rows if r["series"] == self.series_id)
            as_case = (patient, self.timepoint_combo.currentData())
        study, series_id, views, params = self.study, self.series_id, self.views(), self.parameters()

        def saved(made) -> None:
            self._saving = False
            self._update_buttons()
            placed = [d for d in made if d.case]
            if placed:
                self.statusBar().showMessage(self.tr("Saved {0} radiograph(s); placed in case {1}.").format(len(made), placed[0].case))
            else:
                self.statusBar().showMessage(self.tr("Saved {0} radiograph(s); they wait for assignment in the import window.").format(len(made)))

        def failed(exc: BaseException) -> None:
            self._saving = False
            self._update_buttons()
            show_error(self, self.tr("Radiographs not saved"), exc)

        self._saving = True  # no second save of the same radiographs while this one runs
        self._update_buttons()
        run_operation(self, lambda _progress: drr_service.make_drrs(study, series_id, views, params, as_case=as_case),
                      done=self._if_alive(saved), failed=self._if_alive(failed), title=self.windowTitle(), queue=study)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._generation += 1  # a preview still running is not shown
        self._latest[0] = self._generation
        self._events.close()  # results still on their way check that the window exists
        super().closeEvent(event)

    def open_bone_view(self) -> None:
        if self.series_id is None:
            return
        from .bone_view import open_bone_view

        self.bone_view = open_bone_view(self.study, self.series_id, crop=tuple(self.crop), side=self.side_combo.currentData(),
                                        parent=self, volume=self.volume)


def compute_previews(volume: CtVolume, views, params: projector.DrrParameters, where: str):
    """({view: Drr}, error message or None): what the preview panel shows. No widgets touched."""
    try:
        preview_volume, preview_params = volume, params
        if params.geometry == "cone":
            preview_volume, preview_params = _half_resolution(volume, params)
        canon = projector.canonical(preview_volume, preview_params.crop, where=where)
        return {view: projector.project(preview_volume, view, preview_params, canon=canon) for view in views}, None
    except RushRaterError as exc:
        return {}, exc.message


def _half_resolution(volume: CtVolume, params: projector.DrrParameters):
    """Every second row and column (slices kept), for a quick cone-beam preview."""
    from dataclasses import replace

    origins = volume.origins
    small = replace(volume, hu=volume.hu[:, ::2, ::2], row_spacing_mm=volume.row_spacing_mm * 2,
                    column_spacing_mm=volume.column_spacing_mm * 2, origins=origins)
    crop = params.crop
    if crop:
        x0, y0, z0, x1, y1, z1 = crop
        nz, ny, nx = small.hu.shape
        crop = (x0 // 2, y0 // 2, z0, max(x0 // 2 + 1, min(nx, -(-x1 // 2))), max(y0 // 2 + 1, min(ny, -(-y1 // 2))), z1)
    pixel = params.pixel_mm * 2 if params.pixel_mm else None
    return small, replace(params, crop=crop, pixel_mm=pixel)


def open_drr_window(study: Study, parent: QWidget | None = None) -> DrrWindow:
    window = DrrWindow(study, parent)
    window.show()
    return window
