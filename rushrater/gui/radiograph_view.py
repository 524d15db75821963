"""One radiograph view for every window that shows a radiograph: pyqtgraph ViewBox + ImageItem
(``axisOrder='row-major'``: arrays are rows x columns, as stored) fed with the display pipeline's
8-bit output, window/level applied to the post-rescale values (:mod:`rushrater.imaging.display`).

Used by the reading workstation (two linked views, magnifier), the import window's redaction
preview (rectangles drawn over the image) and the console's adjudication dialog.

Window/level is dragged with the right mouse button (or Ctrl + left); the left button pans, the
wheel zooms. What is drawn comes from the pyramid level closest to the screen resolution, so a
2500 x 3000 image zoomed out to fit redraws (and re-windows) at a quarter of its pixels.

Its strings keep the translation context ``ImageViewer`` (the workstation's viewer, where they
were written first).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg

from ..imaging.attributes import DisplayAttributes, Window
from ..imaging.display import DisplayPipeline, Preset, pyramid
from .qt import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QCursor,
    QEvent,
    QImage,
    QLabel,
    QPainter,
    QPixmap,
    QPointF,
    QRectF,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

# Screen pixels of mouse travel per full automatic-window width of change.
DRAG_PIXELS_PER_SPAN = 400.0
MAGNIFIER_SIZE = 260
MAGNIFIER_ZOOM = 3
# Full-resolution images larger than this are windowed only where they are in view.
CROP_ABOVE_PIXELS = 2_000_000


def _tr(text: str) -> str:
    return QCoreApplication.translate("ImageViewer", text)


@dataclass
class PreparedImage:
    """An image ready to show: its pipeline and presets, a resolution pyramid and the 8-bit rendering
    of every pyramid level but the full one for the default window (made off the GUI thread)."""

    pipeline: DisplayPipeline
    presets: list[Preset]
    levels: list[np.ndarray]  # stored values: full resolution, then halvings
    default_table: np.ndarray
    default_rendered: dict[int, np.ndarray]  # pyramid levels through the default table
    value_span: float  # width of the automatic window: the scale W/L drags move in
    image: object = None  # what it shows, for the caller (the workstation: its ImageView)

    @property
    def default_preset(self) -> Preset:
        return self.presets[0]

    @property
    def shape(self) -> tuple[int, int]:
        return self.levels[0].shape

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.levels) + sum(a.nbytes for a in self.default_rendered.values())


def _start_first(presets: list[Preset], key: str) -> list[Preset]:
    chosen = next((p for p in presets if p.key == key), None)
    return presets if chosen is None else [chosen, *(p for p in presets if p is not chosen)]


def prepare_pixels(pixels: np.ndarray, attributes: DisplayAttributes, *, start: str = "first", image=None) -> PreparedImage:
    """Everything :class:`RadiographView` needs to show ``pixels``, at the window ``start`` names:

    - ``"first"``: the first preset (the file's first window or VOI LUT, else bone), as raters see it;
    - ``"file"``: the file's first window, else the automatic window (the pipeline's default);
    - ``"full"``: the file's VOI LUT or window, else the full value range (nothing clipped: text
      burned into the image shows whatever its grey level).
    The other presets follow, for P/B/A."""
    pipeline = DisplayPipeline(attributes, pixels.dtype)
    presets = pipeline.presets(pixels)
    if start == "file" and not attributes.windows:
        presets = _start_first(presets, "auto")
    elif start == "full" and not attributes.windows and not attributes.voi_luts:
        presets = [Preset("full", "Full range", window=pipeline.default_window()), *presets]
    elif start == "full" and attributes.voi_luts:
        presets = _start_first(presets, "voi-lut-1")
    default = presets[0]
    table = pipeline.lut(default.window, voi_lut=default.voi_lut)
    levels = pyramid(pixels)
    auto = next(p.window for p in presets if p.key == "auto")
    return PreparedImage(
        pipeline=pipeline,
        presets=presets,
        levels=levels,
        default_table=table,
        # Every level but full resolution, which is drawn only when zoomed in (done then, on demand).
        default_rendered={n: pipeline.apply(level, table) for n, level in enumerate(levels) if n > 0 or len(levels) == 1},
        value_span=max(float(auto.width), 1.0),
        image=image,
    )


def preset_window(prepared: PreparedImage, preset: Preset) -> Window:
    return preset.window if preset.window is not None else prepared.pipeline.window_for_lut(preset.voi_lut)


class _ViewBox(pg.ViewBox):
    """A ViewBox whose right-button (or Ctrl + left) drag sets window/level instead of zooming."""

    window_drag = Signal(float, float, bool)  # dx, dy in screen pixels; last event of the drag

    def mouseDragEvent(self, ev, axis=None):
        ctrl_left = ev.button() == Qt.MouseButton.LeftButton and ev.modifiers() & Qt.KeyboardModifier.ControlModifier
        if ev.button() == Qt.MouseButton.RightButton or ctrl_left:
            ev.accept()
            delta = ev.screenPos() - ev.lastScreenPos()
            self.window_drag.emit(float(delta.x()), float(delta.y()), bool(ev.isFinish()))
            return
        super().mouseDragEvent(ev, axis)

    def mouseClickEvent(self, ev):
        ev.accept()  # no context menu, no auto-range on right click


# The display pipeline names these presets in English; lupdate collects the names from here.
PRESET_NAMES = {
    "bone": QT_TRANSLATE_NOOP("ImageViewer", "Bone"),
    "auto": QT_TRANSLATE_NOOP("ImageViewer", "Automatic"),
    "full": QT_TRANSLATE_NOOP("ImageViewer", "Full range"),
}


class RadiographView(QWidget):
    """Shows one prepared image; emits what the reader changes, so two views can be linked.

    The image is a :class:`PreparedImage` (:meth:`set_image`, e.g. from the workstation's loader) or
    stored pixels with their display attributes (:meth:`show_pixels`). ``overlay`` shows the caption
    with window, preset and magnification over the image. The view box (:attr:`box`) takes other
    items in image pixel coordinates (the import window's redaction rectangles)."""

    window_edited = Signal(float, float)  # change of centre and width, as fractions of the value span
    zoom_edited = Signal()
    activated = Signal()
    lens_shown = Signal()  # the magnifier is over this view: the other view's lens goes

    def __init__(self, caption: str = "", parent: QWidget | None = None, *, overlay: bool = True):
        super().__init__(parent)
        self.caption = caption
        self.overlay = overlay
        self.prepared: PreparedImage | None = None
        self.window = Window(0, 1)
        self.voi_lut: int | None = None
        self.invert = False
        self.preset_key = ""
        self._table: np.ndarray | None = None
        self._rendered: dict[int, np.ndarray] = {}
        self._level = -1
        self._crop: tuple[int, int, int, int] | None = None
        self._applying_zoom = False
        self.magnifier_on = False

        self.view = pg.GraphicsView(self, background="k")
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.box = _ViewBox(lockAspect=True, invertY=True, enableMenu=False, defaultPadding=0.0)
        self.box.setBackgroundColor("k")
        self.view.setCentralItem(self.box)
        self.item = pg.ImageItem(axisOrder="row-major")
        self.box.addItem(self.item)
        self.box.window_drag.connect(self._on_window_drag)
        self.box.sigRangeChangedManually.connect(self._on_manual_range)
        self.box.sigRangeChanged.connect(self._on_range)
        self.view.scene().sigMouseMoved.connect(self._on_mouse_moved)

        self.label = QLabel(self.view.viewport())
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.label.setStyleSheet("color: #c8c8c8; background: transparent; padding: 6px;")
        self.message = QLabel(self.view.viewport())
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("color: #9a9a9a; background: transparent;")
        self.message.setWordWrap(True)
        self.loupe = QLabel(self.view.viewport())
        self.loupe.setFixedSize(MAGNIFIER_SIZE, MAGNIFIER_SIZE)
        self.loupe.setStyleSheet("border: 2px solid #5a8dee; background: black;")
        self.loupe.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.loupe.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.label.setVisible(overlay)
        self._update_label()
        # The viewport gets its size after this widget's resizeEvent: follow it, so a message
        # (e.g. an image that failed to load) spans the whole view instead of a corner.
        self.view.viewport().installEventFilter(self)

    # -- content ---------------------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self._place_overlays()

    def clear(self, message: str = "") -> None:
        self.prepared = None
        self._rendered.clear()
        self._table = None
        self.item.clear()
        self.loupe.hide()
        self._update_label()
        self.show_message(message)

    def show_pixels(self, pixels: np.ndarray, attributes, *, start: str = "first") -> None:
        """Show stored pixels through the display pipeline (see :func:`prepare_pixels` for ``start``)."""
        self.set_image(prepare_pixels(pixels, attributes, start=start))

    def set_image(self, prepared: PreparedImage, state: dict | None = None) -> None:
        """Show a prepared image at its default window (or a ``state`` from :meth:`state`), fitted."""
        self.prepared = prepared
        self.show_message("")
        self._level, self._crop = -1, None
        preset = prepared.default_preset
        self.preset_key = preset.key
        self.window = preset_window(prepared, preset)
        self.voi_lut = preset.voi_lut
        self.invert = False
        self._table = prepared.default_table
        self._rendered = dict(prepared.default_rendered)
        if state:
            self.apply_state(state)
        self.fit()
        self._render(force=True)

    def _choose_level(self) -> int:
        if self.prepared is None:
            return 0
        px = self.box.viewPixelSize()  # image pixels per screen pixel
        ratio = max(px[0], px[1]) if px[0] > 0 else 1.0
        ratio *= max(self.devicePixelRatioF(), 1.0) ** -1
        level = int(math.floor(math.log2(ratio))) if ratio >= 1 else 0
        return max(0, min(level, len(self.prepared.levels) - 1))

    def _visible(self) -> tuple[int, int, int, int]:
        """(top, left, bottom, right) of the image part in view, in full-resolution pixels."""
        height, width = self.prepared.shape
        rect = self.box.viewRect()
        top, left = max(0, int(rect.top())), max(0, int(rect.left()))
        bottom, right = min(height, int(math.ceil(rect.bottom()))), min(width, int(math.ceil(rect.right())))
        return top, left, max(bottom, top + 1), max(right, left + 1)

    def _render(self, force: bool = False) -> None:
        if self.prepared is None:
            return
        level = self._choose_level()
        height, width = self.prepared.shape
        crop = None
        if level == 0 and height * width > CROP_ABOVE_PIXELS:
            # Zoomed in on a large image: window only what is in view (plus a margin for panning),
            # so dragging window/level stays one screenful of work whatever the image size.
            top, left, bottom, right = self._visible()
            if not force and self._level == 0 and self._crop is not None:
                ct, cl, cb, cr = self._crop
                if ct <= top and cl <= left and cb >= bottom and cr >= right:
                    return
            my, mx = (bottom - top) // 4, (right - left) // 4
            crop = (max(0, top - my), max(0, left - mx), min(height, bottom + my), min(width, right + mx))
        elif not force and level == self._level:
            return
        if self._table is None:
            self._table = self.prepared.pipeline.lut(self.window, voi_lut=self.voi_lut, invert=self.invert)
            self._rendered = {}
        if crop is not None:
            ct, cl, cb, cr = crop
            data = self.prepared.pipeline.apply(self.prepared.levels[0][ct:cb, cl:cr], self._table)
            rect = QRectF(cl, ct, cr - cl, cb - ct)
        else:
            data = self._rendered.get(level)
            if data is None:
                data = self.prepared.pipeline.apply(self.prepared.levels[level], self._table)
                self._rendered = {level: data}  # other levels are redone on demand: memory stays flat
            rect = QRectF(0, 0, width, height)
        self._level, self._crop = level, crop
        self.item.setImage(data, autoLevels=False)
        self.item.setRect(rect)
        self._update_label()

    def _retable(self) -> None:
        self._table = None
        self._render(force=True)

    # -- window / level --------------------------------------------------------------------------

    def set_window(self, window: Window, preset_key: str = "custom", voi_lut: int | None = None) -> None:
        self.window = Window(float(window.center), max(float(window.width), 1.0), window.explanation)
        self.voi_lut = voi_lut
        self.preset_key = preset_key
        self._retable()

    def apply_window_delta(self, d_center: float, d_width: float) -> None:
        if self.prepared is None:
            return
        span = self.prepared.value_span
        self.set_window(Window(self.window.center + d_center * span, self.window.width + d_width * span))

    def _on_window_drag(self, dx: float, dy: float, finished: bool) -> None:
        # Right: wider (less contrast); down: higher level (darker), as in most PACS viewers.
        d_center, d_width = dy / DRAG_PIXELS_PER_SPAN, dx / DRAG_PIXELS_PER_SPAN
        self.apply_window_delta(d_center, d_width)
        self.activated.emit()
        self.window_edited.emit(d_center, d_width)

    def apply_preset(self, key: str) -> bool:
        if self.prepared is None:
            return False
        for preset in self.prepared.presets:
            if preset.key == key:
                self.set_window(preset_window(self.prepared, preset), preset.key, preset.voi_lut)
                return True
        return False

    def next_preset(self) -> str:
        if self.prepared is None:
            return ""
        keys = [p.key for p in self.prepared.presets]
        index = (keys.index(self.preset_key) + 1) % len(keys) if self.preset_key in keys else 0
        self.apply_preset(keys[index])
        return keys[index]

    def preset_label(self) -> str:
        if self.prepared is None:
            return ""
        for preset in self.prepared.presets:
            if preset.key == self.preset_key:
                return self._preset_name(preset)
        return _tr("Custom")

    def _preset_name(self, preset) -> str:
        """Our preset names translated (a file's windows and LUTs are numbered, never named by the file)."""
        if preset.key in PRESET_NAMES:
            return _tr(PRESET_NAMES[preset.key])
        n = preset.key.rsplit("-", 1)[-1]
        if preset.label == f"File window {n}":
            return _tr("File window {0}").format(n)
        if preset.label == f"File VOI LUT {n}":
            return _tr("File VOI LUT {0}").format(n)
        return preset.label

    def set_invert(self, invert: bool) -> None:
        self.invert = invert
        self._retable()

    def reset(self) -> None:
        if self.prepared is not None:
            self.set_image(self.prepared)

    # -- zoom ------------------------------------------------------------------------------------

    def fit(self) -> None:
        if self.prepared is None:
            return
        height, width = self.prepared.shape
        self._applying_zoom = True
        try:
            self.box.setRange(QRectF(0, 0, width, height), padding=0.01)
        finally:
            self._applying_zoom = False
        self._render()

    def one_to_one(self) -> None:
        """One image pixel to one screen pixel, around the current centre."""
        if self.prepared is None:
            return
        rect = self.box.viewRect()
        centre = rect.center()
        size = self.box.size()
        dpr = max(self.devicePixelRatioF(), 1.0)
        w, h = size.width() * dpr, size.height() * dpr
        self.set_zoom_state({"scale": None, "cx": centre.x(), "cy": centre.y(), "w": w, "h": h})

    def zoom_state(self) -> dict:
        """Zoom as a fraction of the fitted view and the centre as a fraction of the image."""
        if self.prepared is None:
            return {}
        height, width = self.prepared.shape
        rect = self.box.viewRect()
        fit = max(width / max(self.box.width(), 1), height / max(self.box.height(), 1))
        current = max(rect.width() / max(self.box.width(), 1), 1e-9)
        return {"zoom": fit / current, "cx": rect.center().x() / width, "cy": rect.center().y() / height}

    def set_zoom_state(self, state: dict) -> None:
        if self.prepared is None or not state:
            return
        height, width = self.prepared.shape
        if state.get("scale", "") is None:  # absolute rectangle (1:1)
            cx, cy, w, h = state["cx"], state["cy"], state["w"], state["h"]
        else:
            fit = max(width / max(self.box.width(), 1), height / max(self.box.height(), 1))
            per_px = fit / max(state.get("zoom", 1.0), 1e-6)
            cx, cy = state.get("cx", 0.5) * width, state.get("cy", 0.5) * height
            w, h = per_px * self.box.width(), per_px * self.box.height()
        self._applying_zoom = True
        try:
            self.box.setRange(QRectF(cx - w / 2, cy - h / 2, w, h), padding=0)
        finally:
            self._applying_zoom = False
        self._render()

    def zoom_by(self, factor: float) -> None:
        self.box.scaleBy((1 / factor, 1 / factor))
        self.zoom_edited.emit()

    def _on_manual_range(self, *args) -> None:
        self.activated.emit()
        if not self._applying_zoom:
            self.zoom_edited.emit()

    def _on_range(self, *args) -> None:
        self._render()
        self._update_label()

    # -- state -----------------------------------------------------------------------------------

    def state(self) -> dict:
        """What the reader looked at: kept with the rating as viewer_state."""
        return {
            "preset": self.preset_key,
            "window_center": round(self.window.center, 2),
            "window_width": round(self.window.width, 2),
            "voi_lut": self.voi_lut,
            "invert": self.invert,
            **{k: round(v, 4) for k, v in self.zoom_state().items()},
        }

    def apply_state(self, state: dict) -> None:
        if state.get("preset") and state["preset"] != "custom" and self.apply_preset(state["preset"]):
            pass
        elif "window_center" in state:
            self.set_window(Window(state["window_center"], state["window_width"]), "custom")
        if state.get("invert"):
            self.set_invert(True)

    # -- overlays --------------------------------------------------------------------------------

    def _update_label(self) -> None:
        if self.prepared is None:
            self.label.setText(self.caption)
        else:
            window = _tr("W {width:.0f}  L {center:.0f}").format(width=self.window.width, center=self.window.center)
            extra = _tr("  inverted") if self.invert else ""
            # Magnification as radiology viewers give it: 100 % is one image pixel per screen pixel.
            magnification = self.box.width() / max(self.box.viewRect().width(), 1e-9)
            self.label.setText(f"{self.caption}   {window}  ·  {self.preset_label()}{extra}  ·  {magnification:.0%}")
        self.label.adjustSize()

    def _place_overlays(self) -> None:
        viewport = self.view.viewport()
        self.label.move(4, 4)
        self.message.setGeometry(0, 0, viewport.width(), viewport.height())

    def eventFilter(self, watched, event) -> bool:
        if watched is self.view.viewport():
            if event.type() == QEvent.Type.Resize:
                self._place_overlays()
            elif event.type() == QEvent.Type.Leave:  # the pointer left: no lens left behind
                self.loupe.hide()
        return False

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_overlays()
        if self.prepared is not None:
            self.fit()

    def set_magnifier(self, on: bool) -> None:
        self.magnifier_on = on
        if not on:
            self.loupe.hide()
        else:
            self._on_mouse_moved(self.view.mapToScene(self.view.mapFromGlobal(QCursor.pos())))

    def _on_mouse_moved(self, scene_pos) -> None:
        if not self.magnifier_on or self.prepared is None:
            return
        # The view box's coordinates are full-resolution pixels, whatever level or crop is drawn.
        point = self.box.mapSceneToView(QPointF(scene_pos))
        height, width = self.prepared.shape
        x, y = int(point.x()), int(point.y())
        if not (0 <= x < width and 0 <= y < height):
            self.loupe.hide()
            return
        half = MAGNIFIER_SIZE // (2 * MAGNIFIER_ZOOM)
        top, left = max(0, y - half), max(0, x - half)
        patch = self.prepared.levels[0][top : top + 2 * half, left : left + 2 * half]
        table = self._table if self._table is not None else self.prepared.default_table
        shown = np.ascontiguousarray(self.prepared.pipeline.apply(patch, table))
        image = QImage(shown.data, shown.shape[1], shown.shape[0], shown.strides[0], QImage.Format.Format_Grayscale8)
        pixmap = QPixmap.fromImage(image.copy()).scaled(
            shown.shape[1] * MAGNIFIER_ZOOM, shown.shape[0] * MAGNIFIER_ZOOM, Qt.AspectRatioMode.KeepAspectRatio
        )
        self.loupe.setPixmap(pixmap)
        where = self.view.mapFromScene(QPointF(scene_pos))
        viewport = self.view.viewport()
        lx = min(max(where.x() + 24, 0), viewport.width() - MAGNIFIER_SIZE)
        ly = min(max(where.y() + 24, 0), viewport.height() - MAGNIFIER_SIZE)
        self.loupe.move(int(lx), int(ly))
        self.loupe.show()
        self.lens_shown.emit()
