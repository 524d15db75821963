"""The console follows the study: a write made elsewhere (here: the test thread, as another window or
a script would) reaches the window through the study's change signal, and only the tabs showing what
it changed read the study again."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the coordinator console needs PySide6 (pip install PySide6-Essentials)")

from factories import AGREEMENT_RATERS, image_rows, write_manifest  # noqa: E402
from rushrater.domain.changes import Changes, Entity  # noqa: E402
from rushrater.gui.qt import QCoreApplication  # noqa: E402
from rushrater.services.imports import import_manifest  # noqa: E402
from rushrater.services.planning import plan_reading  # noqa: E402
from rushrater.services.raters import add_rater  # noqa: E402
from rushrater.services.study import create_study  # noqa: E402
from rushrater.services.unit_of_work import unit_of_work  # noqa: E402
from rushrater.services.audit import now as audit_now  # noqa: E402
from rushrater.storage import models  # noqa: E402


@pytest.fixture
def console(rated_console):
    return rated_console("Console follows", 4)


def _enrol_fellow(study) -> None:
    """A new rater group with one rater, written through the unit of work (it tells the listeners)."""
    with unit_of_work(study, "test") as uow:
        group = models.RaterGroup(name="fellow")
        uow.session.add(group)
        uow.session.flush()
        uow.session.add(models.Rater(code="R99", name="Dr Fellow", name_key="dr fellow", group_id=group.id,
                                     created_at=audit_now()))
        uow.record("rater.add", "rater", "R99", after={"code": "R99", "group": "fellow"})


def test_a_rater_enrolled_elsewhere_reloads_the_rater_tabs_only(console, settle):
    loads = {page: page.loads for page, _ in console.pages}
    assert all(n == 1 for page, n in loads.items() if page.loader() is not None), loads  # one read each at opening
    rows = console.progress.progress_table.rowCount()

    _enrol_fellow(console.study)
    QCoreApplication.processEvents()  # the change signal is a queued call, as from the operation thread
    settle()

    read_again = {page for page, _ in console.pages if page.loads > loads[page]}
    assert read_again == {console.progress, console.settings_tab, console.training, console.audit_tab}
    assert console.progress.progress_table.rowCount() == rows + 1
    codes = [console.settings_tab.pin_rater.itemData(i) for i in range(console.settings_tab.pin_rater.count())]
    assert "R99" in codes
    # Untouched: the agreement report (computed once), the discordant queue, outcomes, risk model.
    for page in (console.agreement, console.discordant, console.outcomes, console.riskmodel):
        assert page.loads == loads[page]


def test_each_tab_reloads_on_the_entities_it_shows(console, settle):
    """Ratings reach the agreement, progress and discordant tabs; a consensus only the queue (and the trail)."""
    loads = {page: page.loads for page, _ in console.pages}
    console.follow(Changes.of(Entity.RATINGS))
    settle()
    read_again = {page for page, _ in console.pages if page.loads > loads[page]}
    assert read_again == {console.progress, console.agreement, console.discordant}

    loads = {page: page.loads for page, _ in console.pages}
    console.follow(Changes.of(Entity.CONSENSUS, Entity.AUDIT))
    settle()
    read_again = {page for page, _ in console.pages if page.loads > loads[page]}
    assert read_again == {console.discordant, console.audit_tab}


def test_a_burst_of_changes_reads_a_tab_once_more_not_once_per_change(console, settle):
    before = console.agreement.loads
    for _ in range(5):
        console.follow(Changes.of(Entity.RATINGS))
    settle()
    assert console.agreement.loads == before + 2  # the read that started, then one for the rest


def test_closing_the_console_while_it_reads_stops_following_and_does_not_crash(qtbot, rated_for_close, settle):
    from rushrater.gui.console import ConsoleWindow

    window = ConsoleWindow(rated_for_close)  # its reads are queued on the operation thread
    qtbot.addWidget(window)
    window.show()
    window.close()  # before they deliver: closing waits for them, the widgets still exist
    settle()
    assert window.progress.progress_table.rowCount() == len(AGREEMENT_RATERS)
    loads = window.progress.loads
    _enrol_fellow(rated_for_close)
    QCoreApplication.processEvents()
    settle()
    assert window.progress.loads == loads  # a closed console no longer follows the study


@pytest.fixture
def rated_for_close(tmp_path):
    study = create_study(tmp_path / "study", "Console closed early", actor="test")
    source = tmp_path / "src"
    import_manifest(study, source, write_manifest(tmp_path / "m.csv", image_rows(source, 2)), actor="test")
    for name, group, *_ in AGREEMENT_RATERS:
        add_rater(study, name, group, actor="test")
    plan_reading(study, seed=4, actor="test")
    yield study
    study.close()
