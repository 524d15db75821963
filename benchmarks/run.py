"""Speed and size figures for RUSH Rater, printed as one JSON object.

    python benchmarks/run.py            # every figure
    python benchmarks/run.py --only submit_rating_ms_p95 demo_build_s

Each figure is a function registered under the key it reports; later features add their own.
Targets live in the issues and the README, not in timed tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

BENCHMARKS: dict[str, Callable[[Path], dict[str, float]]] = {}


def benchmark(*keys: str):
    def register(func):
        for key in keys:
            BENCHMARKS[key] = func
        return func

    return register


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


@benchmark("submit_rating_ms_p50", "submit_rating_ms_p95", "submit_rating_ms_max")
def submit_rating(workdir: Path) -> dict[str, float]:
    """One rater submitting ratings on a SQLite study (WAL, synchronous=FULL, fsync per submit)."""
    from PIL import Image

    from rushrater.services.imports import import_manifest
    from rushrater.services.planning import plan_reading, reading_list
    from rushrater.services.raters import add_rater
    from rushrater.services.ratings import submit_rating as submit
    from rushrater.services.study import create_study

    study = create_study(workdir / "submit-study", "Benchmark", actor="benchmark")
    source = workdir / "submit-src"
    source.mkdir()
    rng = np.random.default_rng(0)
    lines = ["file,patient,timepoint,view"]
    for p in range(150):
        for tp in ("day1", "month1"):
            for view in ("AP", "LAT"):
                name = f"{p}_{tp}_{view}.png"
                Image.fromarray(rng.integers(0, 4096, (16, 16), dtype=np.uint16)).save(source / name)
                lines.append(f"{name},P{p:03d},{tp},{view}")
    (workdir / "submit.csv").write_text("\n".join(lines) + "\n")
    import_manifest(study, source, workdir / "submit.csv", actor="benchmark")
    add_rater(study, "Bench", "resident", actor="benchmark")
    plan_reading(study, seed=1, actor="benchmark")
    keys = study.rubric.item_keys
    times = []
    for _, case, _ in reading_list(study, "R01"):
        values = {k: int(v) for k, v in zip(keys, rng.integers(1, 4, len(keys)))}
        start = time.perf_counter()
        submit(study, "R01", case, values, active_seconds=30.0)
        times.append((time.perf_counter() - start) * 1000)
    study.close()
    return {
        "submit_rating_ms_p50": round(statistics.median(times), 2),
        "submit_rating_ms_p95": round(_percentile(times, 95), 2),
        "submit_rating_ms_max": round(max(times), 2),
        "submit_rating_n": len(times),
    }


@benchmark("demo_build_s")
def demo_build(workdir: Path) -> dict[str, float]:
    """The whole demo: 80 synthetic radiographs rendered, written as DICOM, imported, planned, rated."""
    from rushrater.services.demo import build_demo

    start = time.perf_counter()
    study = build_demo(workdir / "demo")
    elapsed = time.perf_counter() - start
    study.close()
    return {"demo_build_s": round(elapsed, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", metavar="KEY", help="run only the benchmarks reporting these keys")
    args = parser.parse_args(argv)
    wanted = args.only or list(BENCHMARKS)
    unknown = [k for k in wanted if k not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown key(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    results: dict[str, object] = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    done = set()
    with tempfile.TemporaryDirectory(prefix="rushrater-bench-") as tmp:
        for key in wanted:
            func = BENCHMARKS[key]
            if func in done:
                continue
            done.add(func)
            workdir = Path(tmp) / func.__name__
            workdir.mkdir()
            results.update(func(workdir))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
