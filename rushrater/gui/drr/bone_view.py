"""The 3D view of the hip: the CT's bone surface, rotatable, with the fracture side, a clipping
plane and measurements by points (distance; angle at the middle point, e.g. neck-shaft).

pyqtgraph's OpenGL items (GLViewWidget, GLMeshItem) rather than VTK: pyqtgraph is already the
app's image library, its GL items are pure Python over PyOpenGL (a small wheel) where VTK is
~100 MB, and they run with Mesa's software renderer under Xvfb in the tests. Picking is a ray cast
(numpy, ``imaging.bone.ray_hit``) from the clicked pixel through the inverse view-projection.

The volume is read once (on the study's operation thread, unless the DRR window hands over the one
it shows); each surface is built on a thread of its own (marching cubes takes seconds on a hip), so
the window never freezes and the study's other operations do not wait behind it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph.opengl as gl

from ...imaging import bone
from ...services import drr as drr_service
from ...services.study import Study
from ..errors import show_error
from ..operations import run_operation
from ..qt import (
    is_alive,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSlider,
    Qt,
    QVBoxLayout,
    QVector4D,
    QWidget,
)

BONE_COLOUR = (0.93, 0.89, 0.78, 1.0)
POINT_COLOUR = (1.0, 0.35, 0.1, 1.0)
AXES = ("x", "y", "z")



#: Triangles shown in the rotating view: a hip stays smooth at this size, and software OpenGL
#: (a remote desktop, a VM) turns it about twice as fast as at 120k; points picked for a
#: measurement land within a triangle's size (~1-2 mm on a hip). STL export builds its own
#: full-resolution surface.
VIEW_TRIANGLES = 60_000
#: The operation thread that builds the surfaces (pixels only, no study data).
MESH_QUEUE = object()



class PickingView(gl.GLViewWidget):
    """A GLViewWidget that reports clicks (press and release at the same place) as rays."""

    def __init__(self, on_click, parent=None):
        super().__init__(parent)
        self._on_click = on_click
        self._pressed = None

    def mousePressEvent(self, ev):
        self._pressed = ev.position()
        super().mousePressEvent(ev)

    def mouseReleaseEvent(self, ev):
        if self._pressed is not None and (ev.position() - self._pressed).manhattanLength() < 3:
            self._on_click(ev.position().x(), ev.position().y())
        self._pressed = None
        super().mouseReleaseEvent(ev)

    def ray(self, x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
        """World-space origin and direction of the ray through widget pixel (x, y)."""
        w, h = self.width(), self.height()
        viewport = (0, 0, w, h)
        inverse, ok = (self.projectionMatrix(viewport, viewport) * self.viewMatrix()).inverted()
        ndc_x, ndc_y = 2.0 * x / w - 1.0, 1.0 - 2.0 * y / h
        points = []
        for depth in (-1.0, 1.0):
            p = inverse.map(QVector4D(ndc_x, ndc_y, depth, 1.0))
            points.append(np.array([p.x(), p.y(), p.z()]) / p.w())
        return points[0], points[1] - points[0]


class BoneViewWindow(QMainWindow):
    def __init__(self, study: Study, series_id: int, *, crop=None, side: str = "right", parent: QWidget | None = None,
                 volume=None):
        super().__init__(parent)
        self.study, self.series_id, self.crop = study, series_id, crop
        self._volume = volume  # the series' CtVolume: read on the first rebuild unless given
        self._mesh_generation = 0
        self.mesh: bone.Mesh | None = None
        self.centre = np.zeros(3)
        self.points: list[np.ndarray] = []  # picked, LPS mm
        self.setWindowTitle(self.tr("3D view of the bone — series {0}").format(series_id))
        self.resize(1200, 850)
        self._build(side)
        self.rebuild()

    def _build(self, side: str) -> None:
        central = QWidget()
        layout = QHBoxLayout(central)
        self.view = PickingView(self.pick)
        self.view.setBackgroundColor((24, 24, 28))
        layout.addWidget(self.view, 1)
        panel = QWidget()
        panel.setMaximumWidth(330)
        side_layout = QVBoxLayout(panel)

        box = QGroupBox(self.tr("Surface"))
        form = QFormLayout(box)
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setRange(-500.0, 3000.0)
        self.threshold_spin.setValue(bone.BONE_THRESHOLD_HU)
        self.threshold_spin.setSuffix(" HU")
        form.addRow(self.tr("Bone &threshold:"), self.threshold_spin)
        rebuild = QPushButton(self.tr("&Rebuild surface"))
        rebuild.clicked.connect(self.rebuild)
        form.addRow(rebuild)
        self.side_combo = QComboBox()
        for label, key in ((self.tr("both sides"), "both"), (self.tr("right"), "right"), (self.tr("left"), "left")):
            self.side_combo.addItem(label, key)
        self.side_combo.setCurrentIndex(max(0, self.side_combo.findData(side)))
        self.side_combo.currentIndexChanged.connect(self.update_mesh)
        form.addRow(self.tr("Fracture &side:"), self.side_combo)
        self.info = QLabel()
        self.info.setWordWrap(True)
        form.addRow(self.info)
        side_layout.addWidget(box)

        box = QGroupBox(self.tr("Clipping plane"))
        form = QFormLayout(box)
        self.clip_check = QCheckBox(self.tr("&Clip"))
        self.clip_check.toggled.connect(self.update_mesh)
        form.addRow(self.clip_check)
        self.clip_axis = QComboBox()
        for label, axis in ((self.tr("left-right"), 0), (self.tr("front-back"), 1), (self.tr("head-feet"), 2)):
            self.clip_axis.addItem(label, axis)
        self.clip_axis.setCurrentIndex(1)
        self.clip_axis.currentIndexChanged.connect(self.update_mesh)
        form.addRow(self.tr("&Normal:"), self.clip_axis)
        self.clip_slider = QSlider(Qt.Orientation.Horizontal)
        self.clip_slider.setRange(0, 100)
        self.clip_slider.setValue(50)
        self.clip_slider.valueChanged.connect(self.update_mesh)
        form.addRow(self.tr("&Position:"), self.clip_slider)
        side_layout.addWidget(box)

        box = QGroupBox(self.tr("Measure"))
        form = QFormLayout(box)
        self.measure_check = QCheckBox(self.tr("&Pick points on the bone"))
        form.addRow(self.measure_check)
        self.measure_label = QLabel(self.tr("Click up to three points: two give a distance, three the angle at the second (neck-shaft: head centre, neck-shaft junction, shaft)."))
        self.measure_label.setWordWrap(True)
        form.addRow(self.measure_label)
        clear = QPushButton(self.tr("C&lear points"))
        clear.clicked.connect(self.clear_points)
        form.addRow(clear)
        side_layout.addWidget(box)

        export = QPushButton(self.tr("&Export STL…"))
        export.clicked.connect(self.export_stl)
        side_layout.addWidget(export)
        side_layout.addStretch(1)
        layout.addWidget(panel)
        self.setCentralWidget(central)
        self.mesh_item = gl.GLMeshItem(smooth=False, shader="shaded", color=BONE_COLOUR, glOptions="opaque")
        self.mesh_item.setVisible(False)  # until its surface arrives: pyqtgraph cannot paint an empty mesh
        self.view.addItem(self.mesh_item)
        self.point_item = gl.GLScatterPlotItem(size=12, color=POINT_COLOUR, pxMode=True)
        self.point_item.setGLOptions("translucent")
        self.view.addItem(self.point_item)
        self.line_item = gl.GLLinePlotItem(width=3, color=POINT_COLOUR, mode="line_strip")
        self.view.addItem(self.line_item)

    # --- surface -----------------------------------------------------------------------------------

    def _if_alive(self, slot):
        def call(*args):
            if is_alive(self):
                slot(*args)

        return call

    def _failed(self, exc: BaseException) -> None:
        show_error(self, self.tr("No bone surface"), exc)

    def rebuild(self) -> None:
        """Build the surface at the threshold shown (off the GUI thread), then show it."""
        if self._volume is None:
            study, series_id = self.study, self.series_id

            def loaded(volume) -> None:
                self._volume = volume
                self._build_surface()

            run_operation(self, lambda _progress: drr_service.series_volume(study, series_id), done=self._if_alive(loaded),
                          failed=self._if_alive(self._failed), title=self.windowTitle(),
                          label=self.tr("Loading {0}…").format(drr_service.series_label(series_id)), queue=study)
            return
        self._build_surface()

    def _build_surface(self) -> None:
        volume, threshold, crop = self._volume, self.threshold_spin.value(), self.crop
        where = drr_service.series_label(self.series_id)
        self._mesh_generation += 1
        generation = self._mesh_generation

        def work(_progress):
            return generation, bone.bone_surface(volume, threshold_hu=threshold, crop=crop,
                                                 target_triangles=VIEW_TRIANGLES, where=where)

        run_operation(self, work, done=self._if_alive(self._show_surface), failed=self._if_alive(self._failed),
                      title=self.windowTitle(), label=self.tr("Building the bone surface…"), queue=MESH_QUEUE)

    def _show_surface(self, built) -> None:
        generation, mesh = built
        if generation != self._mesh_generation:
            return  # rebuilt with another threshold meanwhile
        self.mesh = mesh
        self.centre = self.mesh.vertices.mean(axis=0).astype(np.float64)
        extent = float(np.ptp(self.mesh.vertices, axis=0).max())
        self.view.setCameraPosition(distance=extent * 1.8, elevation=10, azimuth=-90)  # from the front
        self.clear_points()
        self.update_mesh()

    def visible_faces(self) -> np.ndarray:
        mesh = self.mesh
        faces = mesh.faces
        side = self.side_combo.currentData()
        if side != "both":  # LPS: the patient's right has the smaller x
            faces = bone.clip_faces(mesh.vertices, faces, 0, float(self.centre[0]), keep_below=(side == "right"))
        if self.clip_check.isChecked():
            axis = int(self.clip_axis.currentData())
            lo, hi = float(mesh.vertices[:, axis].min()), float(mesh.vertices[:, axis].max())
            faces = bone.clip_faces(mesh.vertices, faces, axis, lo + (hi - lo) * self.clip_slider.value() / 100.0)
        return faces

    def update_mesh(self) -> None:
        if self.mesh is None:
            return
        faces = self.visible_faces()
        # Patient coordinates as the GL world, centred, with z (head) up: rotation is about the bone.
        self._vertices = (self.mesh.vertices - self.centre).astype(np.float32)
        self._faces = faces
        # pyqtgraph's "shaded" shader lights along (1, -1, -1) in eye space, i.e. it takes inward
        # normals (its own MeshData.sphere winds that way): show the outward STL winding reversed.
        display_faces = np.ascontiguousarray(faces[:, ::-1])
        self.mesh_item.setMeshData(meshdata=gl.MeshData(vertexes=self._vertices, faces=display_faces))
        self.mesh_item.setVisible(True)
        self.info.setText(self.tr("{0} of {1} triangles shown").format(len(faces), self.mesh.triangle_count))

    # --- measuring ---------------------------------------------------------------------------------

    def pick(self, x: float, y: float) -> np.ndarray | None:
        if self.mesh is None or not self.measure_check.isChecked():
            return None
        origin, direction = self.view.ray(x, y)
        hit = bone.ray_hit(self._vertices, self._faces, origin, direction)
        if hit is None:
            self.statusBar().showMessage(self.tr("No bone under the pointer."))
            return None
        if len(self.points) >= 3:
            self.points = []
        self.points.append(hit + self.centre)
        self._show_points()
        return self.points[-1]

    def clear_points(self) -> None:
        self.points = []
        self._show_points()

    def measurement_text(self) -> str:
        p = self.points
        if len(p) < 2:
            return self.tr("{0} point(s) picked.").format(len(p))
        text = self.tr("Distance 1–2: {0:.1f} mm").format(bone.distance_mm(p[0], p[1]))
        if len(p) == 3:
            text += "\n" + self.tr("Distance 2–3: {0:.1f} mm · angle at 2: {1:.1f}°").format(
                bone.distance_mm(p[1], p[2]), bone.angle_deg(p[0], p[1], p[2]))
        return text

    def _show_points(self) -> None:
        local = np.array([q - self.centre for q in self.points], dtype=np.float32).reshape(-1, 3)
        self.point_item.setData(pos=local)
        self.line_item.setData(pos=local if len(local) >= 2 else np.zeros((0, 3), dtype=np.float32))
        if self.points:
            self.measure_label.setText(self.measurement_text())

    def export_stl(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export the bone surface"), "hip.stl", self.tr("STL files (*.stl)"))
        if not path:
            return
        study, series_id, threshold, crop = self.study, self.series_id, self.threshold_spin.value(), self.crop
        run_operation(self, lambda _progress: drr_service.export_stl(study, series_id, path, threshold_hu=threshold,
                                                                     crop=crop, force=True),
                      done=self._if_alive(lambda _written: self.statusBar().showMessage(self.tr("Written {0}").format(path))),
                      failed=self._if_alive(lambda exc: show_error(self, self.tr("STL not written"), exc)),
                      title=self.windowTitle(), label=self.tr("Writing {0}…").format(path), queue=study)


def open_bone_view(study: Study, series_id: int, *, crop=None, side: str = "right", parent: QWidget | None = None,
                   volume=None) -> BoneViewWindow:
    window = BoneViewWindow(study, series_id, crop=crop, side=side, parent=parent, volume=volume)
    window.show()
    return window
