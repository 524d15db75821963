"""The one radiograph view (gui/radiograph_view.py) the workstation, the import window's redaction
preview and the adjudication dialog share: the display pipeline's 8-bit output in row-major order,
the starting window each of them asks for, window/level, invert and zoom."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the radiograph view needs PySide6")

import numpy as np  # noqa: E402

from rushrater.imaging.attributes import DisplayAttributes, Window  # noqa: E402


def _attributes(**extra) -> DisplayAttributes:
    return DisplayAttributes(photometric="MONOCHROME2", bits_stored=12, **extra)


def _pixels() -> np.ndarray:
    # 40 rows x 60 columns: a ramp along the columns, so row-major order is visible in the shape.
    return np.tile(np.linspace(0, 4095, 60).astype(np.uint16), (40, 1))


def _view(qtbot, **kwargs):
    from rushrater.gui.radiograph_view import RadiographView

    view = RadiographView("AP", **kwargs)
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_the_start_window_each_user_asks_for(qtbot):
    from rushrater.gui.radiograph_view import prepare_pixels
    from rushrater.imaging.display import DisplayPipeline

    pixels, plain = _pixels(), _attributes()
    pipeline = DisplayPipeline(plain, pixels.dtype)
    # The workstation: the first preset (no file window here: bone); adjudication: automatic;
    # the import preview: the full value range, nothing clipped.
    assert prepare_pixels(pixels, plain).default_preset.key == "bone"
    assert prepare_pixels(pixels, plain, start="file").default_preset.window == pipeline.default_window(pixels)
    full = prepare_pixels(pixels, plain, start="full")
    assert full.default_preset.key == "full"
    assert np.array_equal(pipeline.apply(pixels, full.default_table), pipeline.render(pixels))
    windowed = _attributes(windows=(Window(2000.0, 1000.0),))
    for start in ("first", "file", "full"):
        assert prepare_pixels(pixels, windowed, start=start).default_preset.key == "file-1"


def test_pixels_shown_row_major_with_window_level_invert_and_zoom(qtbot):
    view = _view(qtbot)
    pixels = _pixels()
    view.show_pixels(pixels, _attributes(), start="full")
    shown = view.item.image.copy()
    assert shown.shape == pixels.shape  # rows x columns, as stored
    assert shown[0, 0] < shown[0, -1]  # the ramp runs along the columns
    assert "AP" in view.label.text() and "W " in view.label.text()
    view._on_window_drag(-200.0, 0.0, True)  # narrower window: more contrast
    assert view.window.width < 4095 and not np.array_equal(view.item.image, shown)
    before = view.item.image.copy()
    view.set_invert(True)
    assert np.array_equal(view.item.image, 255 - before)
    fitted = view.box.viewRect().width()
    view.zoom_by(2.0)
    assert view.box.viewRect().width() == pytest.approx(fitted / 2, rel=0.05)
    view.fit()
    assert view.box.viewRect().width() == pytest.approx(fitted, rel=0.05)


def test_the_three_windows_use_the_one_view(qtbot):
    from rushrater.gui.console.adjudication import CaseImageView
    from rushrater.gui.importing.window import RedactionView
    from rushrater.gui.radiograph_view import RadiographView
    from rushrater.gui.workstation.viewer import ImageViewer

    assert issubclass(ImageViewer, RadiographView) and issubclass(CaseImageView, RadiographView)
    assert isinstance(RedactionView().radiograph, RadiographView)
