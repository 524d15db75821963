"""Reading-workstation figures, measured offscreen with real painting (run by benchmarks/run.py).

    python benchmarks/workstation.py session STUDY RATER CASES   # next case, W/L frames, peak RSS
    python benchmarks/workstation.py startup STUDY RATER          # launch to interactive window
    python benchmarks/workstation.py cold STUDY RATER             # first case, nothing prefetched

Each prints one JSON object. A separate process per figure: peak RSS and start-up time must not
include the benchmark harness or the other figures.
"""

from __future__ import annotations

import json
import os
import sys
import time

START = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def _open(study: str, rater: str):
    from pathlib import Path

    from rushrater.gui.app import application
    from rushrater.gui.workstation import open_workstation

    app = application()
    window = open_workstation(study_path=Path(study), rater=rater)
    window.resize(1600, 960)
    return app, window


def _wait_shown(app, window, timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while window.case is None or window.viewers["AP"].prepared is None:
        if time.perf_counter() > deadline:
            raise TimeoutError("the case never appeared")
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()


def _paint(app, window) -> None:
    for viewer in window.viewers.values():
        viewer.view.repaint()
    app.processEvents()


def startup(study: str, rater: str) -> dict:
    app, window = _open(study, rater)
    _wait_shown(app, window)
    window.repaint()
    return {"startup_s": round(time.perf_counter() - START, 3)}


def cold(study: str, rater: str) -> dict:
    # Everything imported first: this is the first case's cost, not Python's start-up.
    from pathlib import Path

    import pyqtgraph  # noqa: F401

    from rushrater.gui.app import application
    from rushrater.gui.workstation import open_workstation

    app = application()
    start = time.perf_counter()
    window = open_workstation(study_path=Path(study), rater=rater)
    window.resize(1600, 960)
    _wait_shown(app, window)
    _paint(app, window)
    return {"cold_case_ms": round((time.perf_counter() - start) * 1000, 1)}


def session(study: str, rater: str, cases: int) -> dict:
    import numpy as np

    app, window = _open(study, rater)
    _wait_shown(app, window)
    _paint(app, window)
    next_ms: list[float] = []
    frame_ms: list[float] = []
    for n in range(cases):
        if window.case is None:
            break
        # The rater looks at the images for a while: the next cases are prefetched meanwhile.
        for case in window._upcoming[1:]:
            window.loader.wait(case.key, 60)
        app.processEvents()
        if n % 20 == 0:  # drag window/level on the AP view (linked: both views redraw)
            ap = window.viewers["AP"]
            for step in range(30):
                start = time.perf_counter()
                ap._on_window_drag(3.0 if step % 2 else -2.0, 2.0, False)
                _paint(app, window)
                frame_ms.append((time.perf_counter() - start) * 1000)
        for key in window.panel.keys:
            window.panel.set_value(key, 2)
        start = time.perf_counter()
        window.submit()
        while window.busy:  # the submit commits on the operation thread, then the next case shows
            app.processEvents()
            time.sleep(0.001)
        if window.case is not None:
            _wait_shown(app, window)
            _paint(app, window)
            next_ms.append((time.perf_counter() - start) * 1000)
    window.close()
    return {
        "next_case_ms_median": round(float(np.median(next_ms)), 1),
        "next_case_ms_p95": round(float(np.percentile(next_ms, 95)), 1),
        "next_case_n": len(next_ms),
        "window_level_frame_ms": round(float(np.median(frame_ms)), 2),
        "window_level_frame_ms_p95": round(float(np.percentile(frame_ms, 95)), 2),
        "session_peak_rss_mb": round(_peak_rss_mb(), 1),
        "session_cases": len(next_ms) + 1,
    }


def main(argv: list[str]) -> int:
    kind, study, rater, *rest = argv
    if kind == "session":
        result = session(study, rater, int(rest[0]))
    elif kind == "startup":
        result = startup(study, rater)
    elif kind == "cold":
        result = cold(study, rater)
    else:
        raise SystemExit(f"unknown figure {kind}")
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
