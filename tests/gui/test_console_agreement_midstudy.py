"""The console's agreement table mid-study (issue 12): a rater who has not finished shrinks the
complete-case cells; the all-available estimate stands beside them, the caption says how many cases
were dropped, and "Raters who have finished" recomputes the table without that rater."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the coordinator console needs PySide6 (pip install PySide6-Essentials)")

from factories import MID_STUDY_HALF as HALF  # noqa: E402
from factories import MID_STUDY_PATIENTS as PATIENTS  # noqa: E402
from factories import mid_study as _mid_study  # noqa: E402
from rushrater.services.agreement import agreement_report  # noqa: E402


@pytest.fixture
def console(qtbot, make_study, tmp_path, settle):
    from rushrater.gui.console import ConsoleWindow

    study = _mid_study(make_study, tmp_path)
    window = ConsoleWindow(study)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    settle()
    return window.agreement, study


def test_all_available_estimate_beside_the_complete_case_cell_and_the_finished_option(console, settle):
    window, study = console  # the Agreement tab
    table = window.icc_table
    total = [table.verticalHeaderItem(i).text() for i in range(table.rowCount())].index("Total")  # rows show labels (issue 17), the key in the tooltip
    headers = [table.horizontalHeaderItem(j).text() for j in range(table.columnCount())]
    day1_all = headers.index("day1\nAll raters")
    cell = agreement_report(study).cell("day1", "all")
    text = table.item(total, day1_all).text()
    assert text.startswith(f"{cell['icc']:.3f}") and f"all data {cell['icc_all_available']:.3f}" in text
    assert f"({PATIENTS - HALF} cases dropped)" in window.agreement_caption.text()
    healing_headers = [window.healing_table.horizontalHeaderItem(j).text()
                       for j in range(window.healing_table.columnCount())]
    assert healing_headers[-1] == "Cases (kappa)"

    window.raters_combo.setCurrentIndex(window.raters_combo.findData("finished"))
    settle()  # the report over the finished raters, computed off the GUI thread
    finished = agreement_report(study, raters="finished").cell("day1", "all")
    assert table.item(total, day1_all).text() == f"{finished['icc']:.3f} ({finished['ci_low']:.3f}–{finished['ci_high']:.3f})"
    assert f"day1: {PATIENTS} cases x 5 raters" in window.agreement_caption.text()
