"""The DRR window (crop box on three sections, live previews, save as a case) and the 3D bone view
(fracture side, clipping plane, picking points for a distance and an angle, rendering)."""

import os

import pytest

pytest.importorskip("PySide6", reason="the DRR window needs PySide6 (pip install PySide6-Essentials)")
pytest.importorskip("OpenGL", reason="the 3D bone view needs PyOpenGL")

import numpy as np  # noqa: E402

from factories import lps_phantom, write_ct_series  # noqa: E402
from rushrater.services import bodycomp  # noqa: E402
from rushrater.services.study import open_study  # noqa: E402
from rushrater.storage import queries  # noqa: E402

pytestmark = pytest.mark.gui


def _world(x, y, z):
    hu = np.where(((x - 60) / 50) ** 2 + ((y - 50) / 35) ** 2 <= 1, 20.0, -1000.0)
    hu = np.where((x - 35) ** 2 + (y - 50) ** 2 <= 100, 1200.0, hu)  # a 'femur' on the patient's right
    return np.where((x - 90) ** 2 + (y - 50) ** 2 + (z - 30) ** 2 <= 144, 1200.0, hu)  # a ball on the left


@pytest.fixture
def ct_study(small_study, tmp_path):
    study = open_study(small_study)
    volume = lps_phantom(_world, (24, 50, 60), (2.5, 2.0, 2.0))
    write_ct_series(tmp_path / "ct", volume.hu, spacing=(2.0, 2.0), origins=volume.origins, orientation=volume.orientation)
    series = bodycomp.import_ct(study, "P003", tmp_path / "ct", actor="test")
    yield study, series.id
    study.close()


@pytest.fixture
def drr_window(qtbot, ct_study, settle):
    from rushrater.gui.drr import DrrWindow

    study, _ = ct_study
    win = DrrWindow(study)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    settle()  # the series list and the volume load off the GUI thread
    _refresh(qtbot, win)
    return win


def _refresh(qtbot, win):
    win.update_previews()
    qtbot.waitUntil(lambda: win.previews_ready, timeout=20_000)


def test_previews_follow_the_crop_box_and_parameters(qtbot, drr_window):
    win = drr_window
    assert win.crop == [0, 0, 0, 60, 50, 24]
    assert set(win.previews) == {"frontal", "lateral"}
    assert win.previews["frontal"].line_integral.shape[1] == 60
    roi = win.section_rois["axial"]  # drag the axial box's left edge to the patient's midline
    roi.setPos([30, 0])
    roi.setSize([30, 50])
    assert win.crop[0] == 30 and win.crop[3] == 60
    assert win.crop_label.text() == "30,0,0,60,50,24"
    _refresh(qtbot, win)
    assert win.previews["frontal"].line_integral.shape[1] == 30
    coronal = win.section_rois["coronal"]  # the other sections follow the box
    assert round(coronal.pos()[0]) == 30 and round(coronal.size()[0]) == 30
    win.geometry_combo.setCurrentIndex(win.geometry_combo.findData("cone"))
    _refresh(qtbot, win)
    assert win.sid_spin.isEnabled() and win.previews["frontal"].magnification > 1.0
    assert "magnification" in win.preview_label.text
    half = win.previews["frontal"].line_integral.shape[1]
    win.update_previews()  # two requests in a row: the older result is dropped, the newer shown
    win.set_crop([0, 0, 0, 60, 50, 24])
    win.update_previews()
    qtbot.waitUntil(lambda: win.previews_ready, timeout=20_000)
    assert win.previews["frontal"].line_integral.shape[1] > 1.8 * half  # the whole width again


def test_save_as_a_case_for_reading(drr_window, ct_study, message_boxes, settle):
    study, series_id = ct_study
    win = drr_window
    win.place_check.setChecked(True)
    win.timepoint_combo.setCurrentIndex(win.timepoint_combo.findData("month1"))
    win.save()
    assert not win.save_button.isEnabled()  # no second save while this one runs
    settle()
    assert win.save_button.isEnabled()
    assert "placed in case" in win.statusBar().currentMessage()
    with study.db.read() as session:
        views = queries.image_views_by_case(session)[("P003", "month1")]
    assert views == {"AP", "LAT"}
    win.save()  # the same radiographs again: refused with a message, nothing stored
    settle()
    assert message_boxes and "already" in str(message_boxes[-1])


def test_the_series_list_follows_changes_and_the_3d_view_shares_the_volume(qtbot, drr_window, ct_study, tmp_path,
                                                                         settle):
    from rushrater.domain.changes import Changes, Entity

    study, series_id = ct_study
    win = drr_window
    shown = win.volume
    volume = lps_phantom(_world, (20, 50, 60), (2.5, 2.0, 2.0))
    write_ct_series(tmp_path / "ct2", volume.hu, spacing=(2.0, 2.0), origins=volume.origins, orientation=volume.orientation)
    other = bodycomp.import_ct(study, "P001", tmp_path / "ct2", actor="test")
    study.notify(Changes.of(Entity.BODY_COMPOSITION))  # as a write through the unit of work tells the windows
    qtbot.waitUntil(lambda: win.series_combo.findData(other.id) >= 0, timeout=10_000)
    settle()
    assert win.series_combo.currentData() == series_id and win.volume is shown  # the shown series stays, not re-read
    win.open_bone_view()
    settle()
    assert win.bone_view._volume is shown and win.bone_view.mesh is not None
    win.series_combo.setCurrentIndex(win.series_combo.findData(other.id))
    settle()
    assert win.series_id == other.id and win.volume.hu.shape[0] == 20
    win.bone_view.close()


def test_bone_view_side_clipping_and_measurements(qtbot, ct_study, settle):
    from rushrater.gui.drr import BoneViewWindow

    study, series_id = ct_study
    win = BoneViewWindow(study, series_id, side="both")
    qtbot.addWidget(win)
    win.resize(800, 600)
    win.show()
    qtbot.waitExposed(win)
    settle()  # the volume is read and the surface built off the GUI thread
    total = len(win.visible_faces())
    assert total == win.mesh.triangle_count > 100
    win.side_combo.setCurrentIndex(win.side_combo.findData("right"))
    right = win._vertices[win.visible_faces()] + win.centre
    assert right[..., 0].max() <= win.centre[0] + 1e-3  # the patient's right: the smaller LPS x
    win.side_combo.setCurrentIndex(win.side_combo.findData("both"))
    win.clip_check.setChecked(True)
    win.clip_slider.setValue(30)
    assert 0 < len(win.visible_faces()) < total
    win.clip_check.setChecked(False)
    # Picking: a click at the view's centre looks at the mesh centre from the front; the ray meets
    # the bone's front surface.
    win.measure_check.setChecked(True)
    w, h = win.view.width(), win.view.height()
    origin, direction = win.view.ray(w / 2, h / 2)
    tilt = np.radians(10)  # from the front (A→P, +y), 10° above
    assert np.allclose(direction / np.linalg.norm(direction), [0, np.cos(tilt), -np.sin(tilt)], atol=1e-3)
    from rushrater.gui.qt import QVector4D

    viewport = (0, 0, w, h)
    to_screen = win.view.projectionMatrix(viewport, viewport) * win.view.viewMatrix()
    left = to_screen.map(QVector4D(10.0, 0.0, 0.0, 1.0))  # towards the patient's left (+x)
    head = to_screen.map(QVector4D(0.0, 0.0, 10.0, 1.0))
    assert left.x() / left.w() > 0 and head.y() / head.w() > 0  # as on an AP: left on the right, head up
    win.points = [np.array([0.0, 0.0, 0.0]), np.array([10.0, 0.0, 0.0]), np.array([10.0, 0.0, -10.0])]
    win._show_points()
    assert "10.0 mm" in win.measure_label.text() and "90.0°" in win.measure_label.text()
    win.clear_points()
    hits = [win.pick(w / 2 + dx, h / 2) for dx in (-40, 0, 40)]
    assert any(hit is not None for hit in hits)
    assert len(win.points) == sum(hit is not None for hit in hits)


def _gl_context_available(view) -> bool:
    context = view.context()
    return context is not None and context.isValid()


def test_bone_view_renders_with_software_opengl(qtbot, ct_study, tmp_path, settle):
    """Needs a GL context: run under ``LIBGL_ALWAYS_SOFTWARE=1 QT_QPA_PLATFORM=xcb xvfb-run``."""
    from rushrater.gui.drr import BoneViewWindow

    study, series_id = ct_study
    win = BoneViewWindow(study, series_id)
    qtbot.addWidget(win)
    win.resize(800, 600)
    win.show()
    qtbot.waitExposed(win)
    settle()
    if not _gl_context_available(win.view):
        pytest.skip(f"no OpenGL context on the {os.environ.get('QT_QPA_PLATFORM')} platform (run under xvfb-run)")
    image = win.view.grabFramebuffer()
    pixels = np.array([[image.pixelColor(x, y).red() for x in range(0, image.width(), 8)] for y in range(0, image.height(), 8)])
    assert (pixels > 120).mean() > 0.01  # bone-coloured pixels on the dark background


def test_the_drr_window_and_bone_view_show_no_english_in_chinese(qtbot, chinese, ct_study, settle):  # noqa: F811 (fixture)
    from test_translation_zh_CN import _study_data, untranslated, visible_texts

    from rushrater.gui.drr import BoneViewWindow, DrrWindow

    study, series_id = ct_study
    data = _study_data(study) + ["P003", "Month 1", "Day 1", "0,0,0,60,50,24"]
    drr_window = DrrWindow(study)
    qtbot.addWidget(drr_window)
    drr_window.show()
    bone_window = BoneViewWindow(study, series_id)
    qtbot.addWidget(bone_window)
    bone_window.show()
    settle()
    texts = visible_texts(drr_window) + visible_texts(bone_window)
    assert len(texts) >= 50 and any(text == "保存 X 线片(&S)" for _, text in texts)
    assert untranslated(texts, data) == []


from test_translation_zh_CN import chinese, zh_qm  # noqa: E402,F401  (the fixtures)
