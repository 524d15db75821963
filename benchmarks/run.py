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


def _simulated_ratings(n_patients: int, seed: int = 0):
    """A two-centre-sized long table: patients x (day 1, month 1) x 6 raters in 2 groups, 15 scores."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    frames = []
    for t, timepoint in enumerate(("day1", "month1")):
        healing = rng.normal(0.8 * t, 1.0, (n_patients, 1))
        for r, group in enumerate(("attending",) * 3 + ("resident",) * 3):
            noise = 0.6 if group == "attending" else 0.9
            items = np.clip(np.round(2 + healing + rng.normal(0, noise, (n_patients, 10))), 1, 3).astype(int)
            frame = pd.DataFrame(items, columns=[f"item{i}" for i in range(10)])
            frame["cortical_bridging"] = items[:, 0:4].sum(axis=1)
            frame["cortical_fracture_line"] = items[:, 4:8].sum(axis=1)
            frame["trabecular_consolidation"] = items[:, 8]
            frame["trabecular_fracture_line"] = items[:, 9]
            frame["total"] = items.sum(axis=1)
            frame["case"] = [f"P{p:05d}/{timepoint}" for p in range(n_patients)]
            frame["timepoint"], frame["rater"], frame["group"] = timepoint, f"R{r}", group
            frames.append(frame)
    data = pd.concat(frames, ignore_index=True)
    scores = [c for c in data.columns if c not in ("case", "timepoint", "rater", "group")]
    return data, scores


def _best_of(repeats: int, func) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


@benchmark("agreement_table_s", "agreement_table_10x_s", "agreement_vs_naive_pingouin_ratio")
def agreement_table(workdir: Path) -> dict[str, float]:
    """ICC table (time point x all/each group x 15 scores x 6 forms) at the two-centre study's size
    (619 patients x 2 time points x 6 raters) and at ten times the patients; and our time divided by
    calling pingouin once per table cell."""
    import warnings

    import pingouin

    from rushrater.stats import agreement_table as table

    keys = dict(target="case", rater="rater", timepoint="timepoint", group="group")
    data, scores = _simulated_ratings(619)
    table(data, scores=scores, **keys)  # warm-up: imports and caches
    ours = _best_of(5, lambda: table(data, scores=scores, **keys))
    big, _ = _simulated_ratings(6190, seed=1)
    ours_10x = _best_of(2, lambda: table(big, scores=scores, **keys))

    def naive() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for timepoint in ("day1", "month1"):
                at_time = data[data["timepoint"] == timepoint]
                for group in ("all", "attending", "resident"):
                    subset = at_time if group == "all" else at_time[at_time["group"] == group]
                    for score in scores:
                        pingouin.intraclass_corr(subset, targets="case", raters="rater", ratings=score)

    naive_s = _best_of(1, naive)
    return {
        "agreement_table_s": round(ours, 4),
        "agreement_table_10x_s": round(ours_10x, 4),
        "agreement_vs_naive_pingouin_ratio": round(ours / naive_s, 4),
    }


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
