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
def bc_window(qtbot, ct_study, settle):
    from rushrater.gui.bodycomp import BodyCompWindow

    study, _ = ct_study
    win = BodyCompWindow(study)
    qtbot.addWidget(win)
    win.assessor_edit.setText("A1")
    win.select_patient("P001")
    win.show()
    qtbot.waitExposed(win)
    settle()  # the patient, its CT volume and the proposed contours load off the GUI thread
    return win


def test_start_window_opens_the_body_composition_window(window, small_study, settle):
    from rushrater.gui.bodycomp import BodyCompWindow

    assert not window.bodycomp_action.isEnabled()
    assert window.open_study_path(small_study)
    settle()  # the study opens off the GUI thread
    assert window.bodycomp_action.isEnabled()
    window.bodycomp_action.trigger()
    settle()
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


def test_measure_review_lock(bc_window, ct_study, message_boxes, settle):
    study, _ = ct_study
    assert bc_window.save_measurement()
    assert not bc_window.save_button.isEnabled()  # while it saves: no second submit
    assert bc_window.save_measurement() is False
    settle()
    assert "version 1" in bc_window.state_label.text()
    bc_window.reviewer_edit.setText("A1")
    bc_window.review_measurement()
    settle()
    # Refused by the service (the assessor cannot review their own measurement): shown, nothing stored.
    assert "reviewed" not in bc_window.state_label.text()
    assert message_boxes and "second assessor" in message_boxes[-1][1]
    bc_window.reviewer_edit.setText("A2")
    assert bc_window.review_measurement()
    settle()
    assert "reviewed by A2" in bc_window.state_label.text()
    assert bc_window.lock_button.isEnabled()
    assert bc_window.lock_measurement()
    settle()
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


def test_importing_a_ct_series_shows_progress_and_can_be_cancelled(qtbot, bc_window, ct_study, tmp_path, monkeypatch,
                                                                   settle):
    from rushrater.domain.errors import NotFoundError
    from rushrater.gui.qt import QProgressDialog, QPushButton

    study, _ = ct_study
    image, _ = ct.phantom(spacing_mm=0.8, noise=5.0, seed=3)
    write_ct_series(tmp_path / "ct2", np.stack([image] * 5))
    bc_window.select_patient("P002")
    settle()
    assert "No CT series" in bc_window.message.textItem.toPlainText()
    import_ct = bodycomp.import_ct

    def slow_import(*args, progress, **kwargs):  # slow enough for the progress dialog to appear
        import time

        def slowly(step, done, total):
            time.sleep(0.15)
            progress(step, done, total)

        return import_ct(*args, progress=slowly, **kwargs)

    monkeypatch.setattr(bodycomp, "import_ct", slow_import)
    assert bc_window.import_folder(str(tmp_path / "ct2"))
    assert not bc_window.import_button.isEnabled()  # no second import while this one runs
    qtbot.waitUntil(lambda: bc_window.findChild(QProgressDialog) is not None
                    and "slice" in bc_window.findChild(QProgressDialog).labelText(), timeout=10_000)
    dialog = bc_window.findChild(QProgressDialog)
    assert "of 5" in dialog.labelText()
    dialog.findChild(QPushButton).click()
    settle()
    assert "nothing was stored" in bc_window.statusBar().currentMessage()
    with pytest.raises(NotFoundError):
        bodycomp.latest_series(study, "P002")
    assert bc_window.import_button.isEnabled()

    monkeypatch.setattr(bodycomp, "import_ct", import_ct)
    assert bc_window.import_folder(str(tmp_path / "ct2"))
    settle()
    assert bodycomp.latest_series(study, "P002").slice_count == 5
    assert bc_window.volume is not None and bc_window.series.slice_count == 5
    assert bc_window.series_label.text().startswith("5 slices")
    assert bc_window.measurement is not None  # contours proposed on the new series


def test_the_window_follows_changes_made_elsewhere(qtbot, bc_window, ct_study, settle):
    from rushrater.services import audit as audit_service
    from rushrater.services.unit_of_work import unit_of_work
    from rushrater.storage import models, queries

    study, _ = ct_study
    roi = bc_window.outer_roi  # the user is editing the contour: a refresh must not reset it
    handle = roi.getHandles()[0]
    pos = roi.mapToParent(handle.pos())
    roi.movePoint(handle, roi.mapFromParent(pg_point([pos.x() + 3, pos.y()])), finish=True)
    edited = bc_window.contour_points(roi).tolist()
    with unit_of_work(study, "coordinator:test") as uow:  # another window: a new height, a new patient
        patient = queries.patient_by_code(uow.session, "P001")
        last = queries.latest_anthropometry(uow.session, patient.id)
        uow.session.add(models.PatientAnthropometry(
            patient_id=patient.id, version=last.version + 1, supersedes_id=last.id, height_m=1.82, sex="F",
            source="app", recorded_by="test", recorded_at=audit_service.now(), change_reason="corrected"))
        uow.session.add(models.Patient(code="P009"))
    qtbot.waitUntil(lambda: bc_window.height_spin.value() == pytest.approx(1.82), timeout=10_000)
    qtbot.waitUntil(lambda: bc_window.patient_combo.findText("P009") >= 0, timeout=10_000)
    settle()
    assert bc_window.patient == "P001" and bc_window.patient_combo.currentText() == "P001"
    assert bc_window.contour_points(roi).tolist() == edited
    assert bc_window.result_labels["smi"].text() == f"{bc_window.measurement.muscle_cm2 / 1.82 ** 2:.1f} cm²/m²"


def test_closing_the_window_while_it_loads_does_not_fail(qtbot, ct_study, settle):
    import threading

    from shiboken6 import isValid

    from rushrater.gui.bodycomp import BodyCompWindow
    from rushrater.gui.operations import run_operation

    study, _ = ct_study
    gate = threading.Event()
    run_operation(None, lambda _progress: gate.wait(10), queue=study)  # the window's loads queue behind this
    win = BodyCompWindow(study)
    win.select_patient("P001")
    win.close()
    win.deleteLater()
    qtbot.waitUntil(lambda: not isValid(win), timeout=5000)
    gate.set()
    settle()  # the patient list and the volume arrive for a window that is gone: dropped
