"""Start-up of ``rushrater read`` (issue 17): from the command to the first case on screen.

Before: the command imported every command's module, the statistics stack included (scipy.stats,
statsmodels: seconds on a loaded 2-core machine), and the workstation imported the start window and
the demo builder (scipy.ndimage) it does not use. The figure itself is benchmark ``first_case_s``.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the reading workstation needs PySide6")

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import textwrap  # noqa: E402

from factories import login_rater  # noqa: E402
from rushrater.services.study import open_study  # noqa: E402

HEAVY = ("scipy.stats", "statsmodels", "scipy.ndimage", "rushrater.stats", "rushrater.gui.start")


def test_read_reaches_the_first_case_without_the_statistics_stack(small_study):
    # The real command, in its own process, until the window reports the first case painted.
    script = textwrap.dedent(
        """
        import sys
        from rushrater.cli.main import main
        code = main(["read", sys.argv[1], "--rater", "R02"])
        heavy = [m for m in %r if m in sys.modules]
        print("heavy", ",".join(heavy))
        sys.exit(code)
        """ % (HEAVY,)
    )
    with open_study(small_study) as study:  # R02 reads without a PIN in this test
        from rushrater.services.raters import set_open_workstation

        set_open_workstation(study, "R02", True, actor="test", reason="test")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "RUSHRATER_FIRST_CASE_PROBE": "1"}
    out = subprocess.run([sys.executable, "-c", script, str(small_study)], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "first_case_shown" in out.stderr  # the probe the benchmark reads
    assert out.stdout.strip().splitlines()[-1] == "heavy", out.stdout


def test_the_viewers_say_how_far_the_first_case_has_loaded(qtbot, small_study, monkeypatch):
    """Before: a black screen with "Loading…" and nothing else until both images were there."""
    import threading

    from rushrater.gui.workstation import WorkstationWindow, loader

    gate = threading.Event()
    real = loader.prepare_image

    def slow_lateral(session, image):
        if image.view == "LAT":
            gate.wait(10)
        return real(session, image)

    monkeypatch.setattr(loader, "prepare_image", slow_lateral)
    study = open_study(small_study)
    try:
        window = WorkstationWindow(login_rater(study, "R02"))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: "1 of 2" in window.viewers["LAT"].message.text(), timeout=10_000)
        assert window.viewers["LAT"].message.isVisible()
        assert "1 of 2" in window.viewers["AP"].message.text()
        gate.set()
        qtbot.waitUntil(lambda: window.viewers["AP"].prepared is not None, timeout=10_000)
        assert not window.viewers["LAT"].message.isVisible()
        window.close()
    finally:
        gate.set()
        study.close()
