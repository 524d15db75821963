"""The body-composition window: proposed contours on a phantom, live areas, measure → review → lock."""

import pytest

pytest.importorskip("PySide6", reason="the body-composition window needs PySide6 (pip install PySide6-Essentials)")

import numpy as np  # noqa: E402

from factories import write_ct_series  # noqa: E402
from rushrater.imaging import ct  # noqa: E402
from rushrater.services import bodycomp  # noqa: E402
from rushrater.services.study import open_study  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def ct_study(small_study, tmp_path):
    study = open_study(small_study)
    image, exact = ct.phantom(spacing_mm=0.8, noise=10.0)
    write_ct_series(tmp_path / "ct", np.stack([image] * 5))
    bodycomp.import_ct(study, "P001", tmp_path / "ct", actor="test")
    bodycomp.set_anthropometry(study, "P001", 1.70, "F", actor="test")
    yield study, exact
    study.close()


@pytest.fixture
def bc_window(qtbot, ct_study):
    from rushrater.gui.bodycomp import BodyCompWindow

    study, _ = ct_study
    win = BodyCompWindow(study)
    qtbot.addWidget(win)
    win.assessor_edit.setText("A1")
    win.select_patient("P001")
    win.show()
    qtbot.waitExposed(win)
    return win


def test_start_window_opens_the_body_composition_window(window, small_study, settle):
    from rushrater.gui.bodycomp import BodyCompWindow

    assert not window.bodycomp_action.isEnabled()
    assert window.open_study_path(small_study)
    settle()  # the study opens off the GUI thread
    assert window.bodycomp_action.isEnabled()
    window.bodycomp_action.trigger()
    assert isinstance(window.bodycomp_window, BodyCompWindow)
    assert window.bodycomp_window.patient == "P001"
    assert "No CT series" in window.bodycomp_window.message.textItem.toPlainText()
    window.bodycomp_window.close()


def test_proposed_contours_show_the_phantom_areas_and_indices(bc_window, ct_study):
    _, exact = ct_study
    m = bc_window.measurement
    for key, value in exact.items():
        assert getattr(m, key) == pytest.approx(value, rel=0.015), key
    assert bc_window.result_labels["smi"].text() == f"{m.muscle_cm2 / 1.7 ** 2:.1f} cm²/m²"
    assert bc_window.outer_roi.isVisible() and bc_window.inner_roi.isVisible()


def test_dragging_a_contour_point_updates_the_areas_live(bc_window):
    before = bc_window.measurement.muscle_cm2
    roi = bc_window.outer_roi
    handle = roi.getHandles()[0]
    pos = roi.mapToParent(handle.pos())
    centre = np.array([256.0, 256.0])
    outward = np.array([pos.x(), pos.y()]) - centre
    target = centre + outward * 1.08
    roi.movePoint(handle, roi.mapFromParent(pg_point(target)), finish=True)
    after = bc_window.measurement.muscle_cm2
    assert after > before
    assert bc_window.result_labels["muscle_cm2"].text() == f"{after:.1f} cm²"


def pg_point(xy):
    from rushrater.gui.qt import QPointF

    return QPointF(float(xy[0]), float(xy[1]))


def test_self_crossing_contour_blocks_saving_with_a_clear_message(bc_window, ct_study):
    study, _ = ct_study
    inner = bc_window.contour_points(bc_window.inner_roi).tolist()
    bc_window._set_contours({"outer": [[100, 100], [400, 400], [400, 100], [100, 400]], "inner": inner})
    assert "crosses itself" in bc_window.flag_label.text()
    assert not bc_window.save_button.isEnabled()
    assert bc_window.save_measurement() is False
    assert bodycomp.current_results(study) == []


def test_measure_review_lock(bc_window, ct_study, message_boxes):
    study, _ = ct_study
    assert bc_window.save_measurement()
    assert "version 1" in bc_window.state_label.text()
    bc_window.reviewer_edit.setText("A1")
    assert not bc_window.review_measurement()
    assert message_boxes and "second assessor" in message_boxes[-1][1]
    bc_window.reviewer_edit.setText("A2")
    assert bc_window.review_measurement()
    assert bc_window.lock_button.isEnabled()
    assert bc_window.lock_measurement()
    assert "locked" in bc_window.state_label.text()
    assert not bc_window.save_button.isEnabled()
    [result] = bodycomp.current_results(study)
    assert (result.status, result.reviewed_by, result.version) == ("locked", "A2", 3)


def test_thresholds_and_level_controls(bc_window):
    before = bc_window.measurement.subcutaneous_fat_cm2
    bc_window.use_alternative_subcutaneous()
    assert bc_window.thresholds()["subcutaneous_fat"] == [-190, -30]
    assert bc_window.measurement.subcutaneous_fat_cm2 >= before
    start = bc_window.slice_index
    bc_window.step_slice(1)
    assert bc_window.slice_index == start + 1 and bc_window.level_source == "manual"
    assert bc_window.slice_spin.value() == start + 1
