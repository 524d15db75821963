"""Speed and size figures for RUSH Rater: one JSON line per figure as it is measured (flushed, so a
run cut short keeps what it measured), then the summary JSON object of them all.

    python benchmarks/run.py            # every figure
    python benchmarks/run.py --only submit_rating_ms_p95 demo_build_s
    python benchmarks/run.py --quick    # smaller studies, one repeat, same keys, "quick": true (< 3 min)

A figure line is {"key": ..., "value": ..., "benchmark": function, "benchmark_s": its wall time}.
--quick figures check that every benchmark still runs; they are not the figures the targets name.

Each figure is a function registered under the key it reports; later features add their own.
Targets live in the issues and the README, not in timed tests.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from collections.abc import Callable
from pathlib import Path

import numpy as np

BENCHMARKS: dict[str, Callable[[Path], dict[str, float]]] = {}

#: --quick: smaller studies and one repeat; benchmarks size themselves with sized(). main() sets it,
#: through the environment so that spawned worker processes (pg_submit's raters) size themselves too.
QUICK = os.environ.get("RUSHRATER_BENCH_QUICK") == "1"


def sized(full: int, quick: int) -> int:
    """A study or data size: ``full`` for the real figure, ``quick`` under --quick."""
    return quick if QUICK else full


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
    for p in range(sized(150, 30)):
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


@benchmark("submit_during_import_ms_p95", "ratings_import_3600_s")
def submit_during_import(workdir: Path) -> dict[str, float]:
    """A rater submitting at a workstation while the coordinator imports 3,600 paper ratings (12
    raters x 300 cases) in another process: the submit's wait for the write lock."""
    import subprocess

    from PIL import Image

    from rushrater.services.imports import import_manifest
    from rushrater.services.planning import plan_reading, reading_list
    from rushrater.services.raters import add_rater
    from rushrater.services.ratings import submit_rating as submit
    from rushrater.services.study import create_study

    study = create_study(workdir / "study", "Benchmark", actor="benchmark")
    source = workdir / "src"
    source.mkdir()
    rng = np.random.default_rng(1)
    lines = ["file,patient,timepoint,view"]
    for p in range(150):
        for tp in ("day1", "month1"):
            for view in ("AP", "LAT"):
                name = f"{p}_{tp}_{view}.png"
                Image.fromarray(rng.integers(0, 4096, (16, 16), dtype=np.uint16)).save(source / name)
                lines.append(f"{name},P{p:03d},{tp},{view}")
    (workdir / "manifest.csv").write_text("\n".join(lines) + "\n")
    import_manifest(study, source, workdir / "manifest.csv", actor="benchmark")
    for r in range(13):
        add_rater(study, f"Rater {r}", "resident", actor="benchmark")
    plan_reading(study, seed=1, actor="benchmark")
    keys = study.rubric.item_keys
    paper = ["rater,case," + ",".join(keys)]
    for r in range(1, 13):
        for _, case, _ in reading_list(study, f"R{r:02d}"):
            paper.append(f"R{r:02d},{case}," + ",".join(str(v) for v in rng.integers(1, 4, len(keys))))
    (workdir / "paper.csv").write_text("\n".join(paper) + "\n")
    own = [case for _, case, _ in reading_list(study, "R13")]
    code = ("import sys, time; from rushrater.services.study import open_study; "
            "from rushrater.services.ratings import import_ratings; s = open_study(sys.argv[1]); t = time.perf_counter(); "
            "n = import_ratings(s, sys.argv[2], actor='benchmark'); print(n, time.perf_counter() - t)")
    importer = subprocess.Popen([sys.executable, "-c", code, str(study.root), str(workdir / "paper.csv")],
                                stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    times = []
    for case in own:  # submits until the import has finished (and a few after)
        values = {k: int(v) for k, v in zip(keys, rng.integers(1, 4, len(keys)))}
        start = time.perf_counter()
        submit(study, "R13", case, values, active_seconds=30.0)
        times.append((time.perf_counter() - start) * 1000)
        if importer.poll() is not None:
            break
        time.sleep(0.02)  # a rater submits every few seconds; here every 20 ms to sample the import densely
    out, _ = importer.communicate()
    stored, import_s = out.split()
    study.close()
    assert int(stored) == 3600, out
    return {
        "submit_during_import_ms_p95": round(_percentile(times, 95), 1),
        "submit_during_import_ms_max": round(max(times), 1),
        "submit_during_import_n": len(times),
        "ratings_import_3600_s": round(float(import_s), 2),
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
    repeats = 1 if QUICK else repeats
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
    data, scores = _simulated_ratings(sized(619, 120))
    table(data, scores=scores, **keys)  # warm-up: imports and caches
    ours = _best_of(5, lambda: table(data, scores=scores, **keys))
    big, _ = _simulated_ratings(sized(6190, 600), seed=1)
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


@benchmark("agreement_table_midstudy_all_available_s")
def agreement_table_midstudy(workdir: Path) -> dict[str, float]:
    """Mid-study monitoring at the two-centre study's size: one rater has read half the cases, so every
    cell with that rater drops cases and gets the all-available (REML) estimate of the total and the 4
    subtotals beside its complete-case ICC, as services.agreement asks for."""
    from rushrater.stats import agreement_table as table

    data, scores = _simulated_ratings(sized(619, 120))
    half = (data["rater"] == "R5") & (data["case"].str[1:6].astype(int) >= 310)
    data = data[~half]
    keys = dict(target="case", rater="rater", timepoint="timepoint", group="group")
    monitored = ["total", "cortical_bridging", "cortical_fracture_line", "trabecular_consolidation",
                 "trabecular_fracture_line"]
    seconds = _best_of(2, lambda: table(data, scores=scores, all_available=monitored, **keys))
    return {"agreement_table_midstudy_all_available_s": round(seconds, 3)}


def _cr_sources(folder: Path, count: int, transfer_syntax: str | None) -> None:
    """``count`` 2500 x 3000 16-bit CR-sized radiographs with identifying headers (distinct pixels)."""
    import datetime

    import pydicom

    from rushrater.imaging.synthetic import render_hip_radiograph
    from rushrater.imaging.writers import write_dicom_radiograph

    base = render_hip_radiograph("AP", 0.5, seed=11, shape=(3000, 2500))
    rng = np.random.default_rng(3)
    for index in range(count):
        pixels = np.clip(base.astype(np.int32) + rng.integers(-8, 9, base.shape), 0, 4095).astype(np.uint16)
        path = folder / f"patient{index // 4}" / f"img{index}.dcm"
        write_dicom_radiograph(
            path,
            pixels,
            patient_id=f"BENCH{index // 4:04d}",
            patient_name=f"SAMPLE^SUBJECT{index // 4:04d}",
            view="AP" if index % 2 == 0 else "LAT",
            study_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=30 * ((index // 2) % 2)),
        )
        if transfer_syntax:
            ds = pydicom.dcmread(path)
            ds.compress(transfer_syntax)
            ds.save_as(path)


def _import_rate(workdir: Path, count: int, transfer_syntax: str | None) -> float:
    from rushrater.services.imports import import_images
    from rushrater.services.study import create_study

    source = workdir / "src"
    _cr_sources(source, count, transfer_syntax)
    study = create_study(workdir / "study", "Benchmark", actor="benchmark")
    start = time.perf_counter()
    report = import_images(study, [source], key_file=workdir / "key.csv", actor="benchmark")
    elapsed = time.perf_counter() - start
    study.close()
    assert report.imported + report.needs_assignment == count, report.to_dict()
    return count / elapsed


@benchmark("import_uncompressed_images_per_s")
def import_uncompressed(workdir: Path) -> dict[str, float]:
    """Folder import of 2500 x 3000 16-bit uncompressed DICOM: read, de-identify, hash, encode, store, check blinding."""
    return {"import_uncompressed_images_per_s": round(_import_rate(workdir, sized(40, 10), None), 2)}


@benchmark("import_j2k_images_per_s")
def import_j2k(workdir: Path) -> dict[str, float]:
    """The same with JPEG 2000 lossless sources (decoding dominates)."""
    from pydicom.uid import JPEG2000Lossless

    return {"import_j2k_images_per_s": round(_import_rate(workdir, sized(12, 3), JPEG2000Lossless), 2)}




@benchmark("fuzz_import_files_per_s", "fuzz_import_crashes", "fuzz_import_unnamed_rejections", "fuzz_import_peak_rss_mb")
def fuzz_import(workdir: Path) -> dict[str, float]:
    """Folder import of a fixed, seeded corpus of 160 mutated DICOMs (``rushrater.imaging.fuzz``):
    files per second, imports that raised (target 0), rejections without a file name or reason
    (target 0) and the peak RSS of the import and its workers (target <= 1024 MB)."""
    import resource

    from rushrater.imaging.fuzz import write_corpus
    from rushrater.services.imports import import_images
    from rushrater.services.study import create_study

    paths = write_corpus(workdir / "src", 160, seed=2026)
    study = create_study(workdir / "study", "Benchmark", actor="benchmark")
    crashes = unnamed = 0
    start = time.perf_counter()
    try:
        report = import_images(study, [workdir / "src"], key_file=workdir / "key.csv", actor="benchmark")
        names = {Path(r.file).name for r in report.rows}
        unnamed = sum(1 for r in report.rows if r.status == "rejected" and not (r.file and r.reason))
        unnamed += len({p.name for p in paths} - names)
    except Exception:
        crashes = 1
    elapsed = time.perf_counter() - start
    study.close()
    # ru_maxrss is in kB on Linux; the largest of this process and any worker it waited for.
    peak_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {
        "fuzz_import_files_per_s": round(len(paths) / elapsed, 2),
        "fuzz_import_crashes": crashes,
        "fuzz_import_unnamed_rejections": unnamed,
        "fuzz_import_peak_rss_mb": round(peak_kb / 1024, 1),
    }

# --- reading workstation (issue 4) and display pipeline (issue 3) ---------------------------------

BIG_SHAPE = (3000, 2500)  # rows x columns: a 2500 x 3000 16-bit CR


@benchmark("display_convert_ms")
def display_convert(workdir: Path) -> dict[str, float]:
    """Modality + VOI + 8-bit LUT for one 2500 x 3000 16-bit radiograph (table built each time)."""
    from rushrater.imaging.attributes import DisplayAttributes, Window
    from rushrater.imaging.display import DisplayPipeline
    from rushrater.imaging.synthetic import render_hip_radiograph

    pixels = render_hip_radiograph("AP", 0.5, seed=1, shape=BIG_SHAPE, bits_stored=16)
    attrs = DisplayAttributes(bits_stored=16, rescale_slope=1.5, rescale_intercept=-100, windows=(Window(40000, 60000),))
    times = []
    for n in range(25):
        start = time.perf_counter()
        pipeline = DisplayPipeline(attrs, pixels.dtype)
        pipeline.apply(pixels, pipeline.lut(Window(40000 + n, 60000), invert=bool(n % 2)))
        times.append((time.perf_counter() - start) * 1000)
    return {"display_convert_ms": round(statistics.median(times), 2)}


def _variant_writer(args):
    """Write one distinct radiograph (a shifted copy of a base image) as a 16-bit PNG."""
    from PIL import Image

    path, base_index, shift = args
    pixels = np.roll(_BASES[base_index], shift, axis=1)
    Image.fromarray(pixels).save(path, compress_level=1)
    return path


_BASES: list[np.ndarray] = []


def _reading_study(workdir: Path, cases: int, *, dicom_j2k: bool = False) -> Path:
    """A study of ``cases`` cases (AP + lateral, 2500 x 3000 16-bit), one rater, planned."""
    import multiprocessing

    from rushrater.imaging.synthetic import render_hip_radiograph
    from rushrater.services.imports import import_manifest
    from rushrater.services.planning import plan_reading
    from rushrater.services.raters import add_rater
    from rushrater.services.study import create_study

    source = workdir / "source"
    source.mkdir(parents=True)
    if not _BASES:
        _BASES.extend(render_hip_radiograph(v, 0.5, seed=3, shape=BIG_SHAPE, bits_stored=16) for v in ("AP", "LAT"))
    lines = ["file,patient,timepoint,view"]
    jobs = []
    for n in range(cases):
        # Two time points per patient; a tiny study gets one case per patient (a plan needs that).
        patient, timepoint = (f"B{n // 2:04d}", ("day1", "month1")[n % 2]) if cases >= 6 else (f"B{n:04d}", "day1")
        for b, view in enumerate(("AP", "LAT")):
            name = f"{n:04d}{view}.{'dcm' if dicom_j2k else 'png'}"
            jobs.append((str(source / name), b, 3 * n + 1))
            lines.append(f"{name},{patient},{timepoint},{view}")
    if dicom_j2k:
        for path, b, shift in jobs:
            _write_j2k_dicom(Path(path), np.roll(_BASES[b], shift, axis=1))
    else:
        with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
            pool.map(_variant_writer, jobs)
    (workdir / "manifest.csv").write_text("\n".join(lines) + "\n")
    root = workdir / "study"
    study = create_study(root, "Reading benchmark", actor="benchmark")
    import_manifest(study, source, workdir / "manifest.csv", actor="benchmark")
    add_rater(study, "Bench Reader", "resident", actor="benchmark")
    plan_reading(study, seed=1, actor="benchmark")
    study.close()
    return root


def _write_j2k_dicom(path: Path, pixels: np.ndarray) -> None:
    """A CR in JPEG 2000 (lossless), encoded by pydicom with pylibjpeg-openjpeg."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import JPEG2000Lossless, ExplicitVRLittleEndian, generate_uid

    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1"  # CR Image Storage
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID, ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPClassUID, ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.PatientID, ds.StudyInstanceUID, ds.SeriesInstanceUID = "CR", "BENCH", generate_uid(), generate_uid()
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.PixelData = pixels.astype(np.uint16).tobytes()
    ds.compress(JPEG2000Lossless, encoding_plugin="pylibjpeg")
    ds.save_as(path, enforce_file_format=True)


def _workstation(kind: str, study: Path, *extra: str) -> dict:
    import subprocess

    script = Path(__file__).with_name("workstation.py")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, str(script), kind, str(study), "R01", *extra], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@benchmark(
    "next_case_ms_median",
    "next_case_ms_p95",
    "cold_case_ms_uncompressed",
    "window_level_frame_ms",
    "startup_s",
    "session_peak_rss_mb",
)
def reading_session(workdir: Path) -> dict[str, float]:
    """A 240-case reading session on 2500 x 3000 16-bit images: submit -> next case painted (next
    cases prefetched on worker threads), W/L drag frames, peak RSS; a first (cold) case; start-up."""
    cases = int(os.environ.get("RUSHRATER_BENCH_CASES", str(sized(240, 6))))
    root = _reading_study(workdir, cases)
    results = {}
    cold = _workstation("cold", root)
    results["cold_case_ms_uncompressed"] = cold["cold_case_ms"]
    results.update(_workstation("startup", root))
    results.update(_workstation("session", root, str(cases)))
    return results


@benchmark("cold_case_ms_j2k")
def cold_case_j2k(workdir: Path) -> dict[str, object]:
    """First case of a study imported from JPEG 2000 DICOM (the store keeps lossless PNG, so this
    is the same path as any other first case once imported)."""
    try:
        root = _reading_study(workdir, 2, dicom_j2k=True)
    except Exception as exc:  # no encoder, or the importer cannot read it here
        return {"cold_case_ms_j2k": None, "cold_case_ms_j2k_skipped": f"{type(exc).__name__}: {exc}"}
    return {"cold_case_ms_j2k": _workstation("cold", root)["cold_case_ms"]}

@benchmark("first_case_s")
def first_case(workdir: Path) -> dict[str, object]:
    """From the command to the first case on screen (issue 17): ``rushrater read DEMO --rater
    "Demo Reader"`` spawned as its own process (QT_QPA_PLATFORM=offscreen), on the demo study.

    Measured by the window itself: with RUSHRATER_FIRST_CASE_PROBE set it prints the wall-clock
    time at which the first case's two images were painted, then quits; the figure is that time
    minus the moment the benchmark spawned the command. Median of 3 runs after one warm-up (the
    warm-up pays for cold disk caches and bytecode compilation, as only a first-ever start does).
    """
    import subprocess

    from rushrater.services.demo import DEMO_PERSON, build_demo

    build_demo(workdir / "demo").close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "RUSHRATER_FIRST_CASE_PROBE": "1"}
    command = [sys.executable, "-m", "rushrater.cli.main", "read", str(workdir / "demo"), "--rater", DEMO_PERSON]
    runs = []
    for _ in range(4):
        spawned = time.time()
        out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=True)
        shown = next(float(line.split()[1]) for line in out.stderr.splitlines() if line.startswith("first_case_shown"))
        runs.append(shown - spawned)
    return {"first_case_s": round(statistics.median(runs[1:]), 2), "first_case_s_runs": [round(r, 2) for r in runs]}


def _rated_study(workdir: Path, n_patients: int, name: str):
    """A SQLite study of n patients x 2 time points x 6 raters in 2 groups, built through the services:
    tiny PNGs imported by manifest, a plan, and every first read loaded by ``import_ratings``."""
    from PIL import Image

    from rushrater.services.imports import import_manifest
    from rushrater.services.planning import plan_reading
    from rushrater.services.raters import add_rater
    from rushrater.services.ratings import import_ratings
    from rushrater.services.study import create_study

    study = create_study(workdir / name, "Benchmark", actor="benchmark")
    source = workdir / f"{name}-src"
    source.mkdir()
    rng = np.random.default_rng(n_patients)
    lines = ["file,patient,timepoint,view"]
    for p in range(n_patients):
        for tp in ("day1", "month1"):
            for view in ("AP", "LAT"):
                file = f"{p}_{tp}_{view}.png"
                Image.fromarray(rng.integers(0, 4096, (8, 8), dtype=np.uint16)).save(source / file)
                lines.append(f"{file},P{p:05d},{tp},{view}")
    (workdir / f"{name}-manifest.csv").write_text("\n".join(lines) + "\n")
    import_manifest(study, source, workdir / f"{name}-manifest.csv", actor="benchmark")
    groups = ("attending",) * 3 + ("resident",) * 3
    codes = [add_rater(study, f"Rater {i}", g, actor="benchmark").code for i, g in enumerate(groups)]
    plan_reading(study, seed=1, actor="benchmark")
    keys = study.rubric.item_keys
    rows = ["rater,patient,timepoint," + ",".join(keys)]
    for t, tp in enumerate(("day1", "month1")):
        healing = rng.normal(0.8 * t, 1.0, (n_patients, 1))
        for code, group in zip(codes, groups):
            noise = 0.6 if group == "attending" else 0.9
            items = np.clip(np.round(2 + healing + rng.normal(0, noise, (n_patients, 10))), 1, 3).astype(int)
            rows += [f"{code},P{p:05d},{tp}," + ",".join(map(str, items[p])) for p in range(n_patients)]
    (workdir / f"{name}-ratings.csv").write_text("\n".join(rows) + "\n")
    import_ratings(study, workdir / f"{name}-ratings.csv", actor="benchmark")
    return study


def _survival_cohort(n: int, p: int, seed: int = 0):
    """A simulated cohort: p standard-normal predictors, Weibull PH times, uniform censoring."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p))
    lp = x @ np.linspace(0.5, -0.3, p)
    t = (rng.exponential(size=n) * np.exp(-lp)) ** (1 / 1.3) * 4
    c = rng.uniform(0.5, 12, n)
    frame = pd.DataFrame(x, columns=[f"x{j}" for j in range(p)])
    frame["time"] = np.round(np.minimum(t, c), 2)
    frame["event"] = (t <= c).astype(int)
    return frame


@benchmark("cox_fit_10k_s")
def cox_fit_10k(workdir: Path) -> dict[str, float]:
    """stats cox on 10,000 patients x 10 predictors (Efron): coefficients, SE, C with its SE, cox.zph."""
    from rushrater.stats.cox import cox_fit

    data = _survival_cohort(sized(10_000, 2000), 10)
    predictors = [f"x{j}" for j in range(10)]
    cox_fit(data.head(500), "time", "event", predictors)  # warm-up: imports
    return {"cox_fit_10k_s": round(_best_of(3, lambda: cox_fit(data, "time", "event", predictors)), 3)}


@benchmark("tdroc_3times_10k_s")
def tdroc_10k(workdir: Path) -> dict[str, float]:
    """Time-dependent AUC (IPCW) with its influence-function SE and ROC curves at 3 times, 10,000 patients."""
    from rushrater.stats.tdroc import td_auc

    data = _survival_cohort(sized(10_000, 2000), 3)
    data["marker"] = data["x0"] - data["x2"]
    td_auc(data.head(500), "time", "event", "marker", [1.0])
    return {"tdroc_3times_10k_s": round(_best_of(3, lambda: td_auc(data, "time", "event", "marker", [1.0, 3.0, 6.0])), 3)}


@benchmark("calibrate_bootstrap_200_s")
def calibrate_bootstrap(workdir: Path) -> dict[str, float]:
    """rms::calibrate-style bootstrap (B = 200) at one time for 619 patients x 4 predictors."""
    from rushrater.stats.calibration import calibrate

    data = _survival_cohort(619, 4)
    predictors = [f"x{j}" for j in range(4)]
    calibrate(data, "time", "event", predictors, 3.0, B=2)
    return {"calibrate_bootstrap_200_s": round(
        _best_of(1, lambda: calibrate(data, "time", "event", predictors, 3.0, m=150, B=sized(200, 20), seed=1)), 3)}


@benchmark("agreement_report_s", "agreement_report_10x_s", "agreement_report_vs_naive_pingouin_ratio")
def agreement_report(workdir: Path) -> dict[str, float]:
    """The full study agreement report from the study database (load the current ratings; ICC all six
    forms x 15 scores x time point x all/each group; between-group ICC; item alpha and kappa; pairwise
    weighted kappa; Bland-Altman; healing status; test-retest) for 619 patients x 2 time points x 6
    raters in 2 groups, and for ten times the patients. The ratio divides it by loading the same
    ratings and calling pingouin once per inter-rater ICC cell (which gives only the ICCs)."""
    import warnings

    import pingouin

    from rushrater.services.agreement import agreement_report as report, study_ratings

    study = _rated_study(workdir, sized(619, 40), "report")
    report(study)  # warm-up: imports and caches
    ours = _best_of(3, lambda: report(study))

    def naive() -> None:
        first = study_ratings(study).first_reads
        first = first.assign(rater=first["rater"].astype(str), group=first["group"].astype(str))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for timepoint in ("day1", "month1"):
                at_time = first[first["timepoint"] == timepoint]
                for group in ("all", "attending", "resident"):
                    subset = at_time if group == "all" else at_time[at_time["group"] == group]
                    for score in ("total", *(c.key for c in study.rubric.components), *study.rubric.item_keys):
                        pingouin.intraclass_corr(subset, targets="patient", raters="rater", ratings=score)

    naive_s = _best_of(1, naive)
    study.close()
    big = _rated_study(workdir, sized(6190, 80), "report10x")
    ours_10x = _best_of(1, lambda: report(big))
    big.close()
    return {
        "agreement_report_s": round(ours, 3),
        "agreement_report_10x_s": round(ours_10x, 3),
        "agreement_report_vs_naive_pingouin_ratio": round(ours / naive_s, 4),
    }


@benchmark("export_all_formats_s", "report_pdf_s")
def export_and_report(workdir: Path) -> dict[str, float]:
    """Every export format (csv, csv-wide, sav, dta, xlsx, r, spss, stata; each reads the study and
    computes the ICC table it carries) and the PDF reliability report, for 619 patients x 2 time
    points x 6 raters in 2 groups."""
    from rushrater.services.export import FORMATS, export_study
    from rushrater.services.report import write_report

    study = _rated_study(workdir, sized(619, 30), "export")
    out = workdir / "out"
    out.mkdir()

    def all_formats() -> None:
        for fmt in FORMATS:
            export_study(study, fmt, out / fmt.replace("-", "_"), force=True)

    export_s = _best_of(2, all_formats)
    report_s = _best_of(2, lambda: write_report(study, out / "report.pdf", force=True))
    study.close()
    return {"export_all_formats_s": round(export_s, 2), "report_pdf_s": round(report_s, 2)}


@benchmark("bodycomp_auto_contour_s", "bodycomp_auto_ms", "bodycomp_edit_update_ms")
def bodycomp_contours(workdir: Path) -> dict[str, float]:
    """Automatic T12 contours of one 512 x 512 slice (median of 10), and the live area update while
    a contour point is dragged (threshold masks precomputed per slice, as the window does; p95 of 200)."""
    from rushrater.imaging import ct

    image, _ = ct.phantom(spacing_mm=0.8, noise=15.0)
    ct.auto_contours(image, spacing_mm=0.8)  # imports and first-call set-up are not per slice
    auto = []
    for _ in range(10):
        start = time.perf_counter()
        contours = ct.auto_contours(image, spacing_mm=0.8)
        auto.append(time.perf_counter() - start)
    masks = ct.tissue_masks(image, ct.DEFAULT_THRESHOLDS)
    outer, inner = np.array(contours["outer"]), np.array(contours["inner"])
    updates = []
    for step in range(200):
        moved = outer.copy()
        moved[step % len(moved)] += (np.sin(step) * 3, np.cos(step) * 3)
        start = time.perf_counter()
        ct.check_contour(moved, "outer")
        ct.measure_masks(masks, image, moved, inner, 0.0064)
        updates.append(time.perf_counter() - start)
    median = float(np.median(auto))
    return {
        "bodycomp_auto_contour_s": round(median, 4),
        "bodycomp_auto_ms": round(median * 1000, 1),
        "bodycomp_edit_update_ms": round(_percentile(updates, 95) * 1000, 2),
    }


def _hip_ct_512():
    """A 512 x 512 x 300 CT volume (0.8 x 0.8 x 1 mm): a body with two femora whose shafts run
    head-feet, heads as spheres, a cortical shell and a smoothly varying marrow (a busy surface)."""
    from scipy import ndimage

    from rushrater.imaging.ct import CtVolume

    n = 300
    yy, xx = np.mgrid[0:512, 0:512].astype(np.float32)
    body = np.where(((xx - 256) / 230) ** 2 + ((yy - 256) / 160) ** 2 <= 1, 30, -1000).astype(np.int16)
    hu = np.broadcast_to(body, (n, 512, 512)).copy()
    rng = np.random.default_rng(0)
    marrow = ndimage.gaussian_filter(rng.normal(0, 1, (n // 4, 128, 128)).astype(np.float32), 2)
    marrow = ndimage.zoom(marrow / marrow.std(), 4, order=1)[:n]
    zz = np.arange(n, dtype=np.float32)[:, None, None]
    for cx in (150.0, 362.0):
        r2 = (xx - cx) ** 2 + (yy - 256) ** 2
        shaft = (r2[None] <= 32**2) & (zz < 220)
        head = (r2[None] + ((zz - 240) * 1.25) ** 2) <= 45**2
        bone = shaft | head
        inner = ((r2[None] <= 24**2) & (zz < 215)) | ((r2[None] + ((zz - 240) * 1.25) ** 2) <= 38**2)
        hu[bone] = 1200
        hu[inner] = (300 + 150 * marrow[inner]).astype(np.int16)
    origins = [[-204.4, -204.4, float(k)] for k in range(n)]
    return CtVolume(hu=hu, positions_mm=np.arange(n, dtype=float), row_spacing_mm=0.8, column_spacing_mm=0.8,
                    origins=origins)


@benchmark("drr_parallel_512_ms", "drr_cone_512_s")
def drr_projection(workdir: Path) -> dict[str, float]:
    """One frontal DRR of a 512 x 512 x 300 volume: parallel beam (median of 5) and cone beam at
    SID 1000 mm (median of 3), each including the HU → μ conversion and resampling."""
    from rushrater.imaging import drr

    volume = _hip_ct_512()
    drr.project(volume, "frontal")  # imports (scipy.ndimage) are not per view
    parallel, cone = [], []
    for _ in range(5):
        start = time.perf_counter()
        drr.project(volume, "frontal")
        parallel.append(time.perf_counter() - start)
    for _ in range(3):
        start = time.perf_counter()
        drr.project(volume, "frontal", drr.DrrParameters(geometry="cone", sid_mm=1000))
        cone.append(time.perf_counter() - start)
    return {"drr_parallel_512_ms": round(statistics.median(parallel) * 1000, 1), "drr_cone_512_s": round(statistics.median(cone), 2)}


@benchmark("bone_surface_512_s", "bone_surface_triangles")
def bone_surface_512(workdir: Path) -> dict[str, float]:
    """The smoothed, decimated bone surface of the 512 x 512 x 300 volume (median of 3)."""
    from rushrater.imaging import bone

    volume = _hip_ct_512()
    times = []
    for _ in range(3):
        start = time.perf_counter()
        mesh = bone.bone_surface(volume)
        times.append(time.perf_counter() - start)
    return {"bone_surface_512_s": round(statistics.median(times), 2), "bone_surface_triangles": mesh.triangle_count}


@benchmark("bone_view_frame_ms")
def bone_view_frame(workdir: Path) -> dict[str, object]:
    """One repainted frame of the 3D bone view while rotating (median of 60; the view's 60k triangles),
    Mesa software OpenGL under Xvfb (benchmarks/bone_view.py)."""
    import shutil
    import subprocess

    script = Path(__file__).with_name("bone_view.py")
    env = {**os.environ, "LIBGL_ALWAYS_SOFTWARE": "1", "QT_QPA_PLATFORM": "xcb"}
    command = [sys.executable, str(script)]
    if not os.environ.get("DISPLAY"):
        if not shutil.which("xvfb-run"):
            return {"bone_view_frame_ms": "skipped: no display and no xvfb-run"}
        command = ["xvfb-run", "-a", "-s", "-screen 0 1600x1200x24", *command]
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@benchmark("bundle_mb", "bundle_cold_start_s")
def bundle(workdir: Path) -> dict[str, object]:
    """The built desktop app (packaging/build-linux): its size on disk, and the seconds from
    launching ``dist/rushrater/rushrater gui DEMO`` (a new process, offscreen, fresh user settings)
    until the start window shows the study (it records it in the recent studies), median of 3."""
    import json as _json
    import signal
    import subprocess

    bundle_dir = Path(__file__).resolve().parents[1] / "dist" / "rushrater"
    exe = bundle_dir / "rushrater"
    if not exe.is_file():
        reason = "no dist/rushrater: run packaging/build-linux first"
        return {"bundle_mb": None, "bundle_cold_start_s": None, "bundle_skipped": reason}
    size = sum(f.stat().st_size for f in bundle_dir.rglob("*") if f.is_file() and not f.is_symlink())
    from rushrater.services.demo import build_or_open_demo

    demo = workdir / "demo"
    build_or_open_demo(demo).close()
    times = []
    for run in range(3):
        config = workdir / f"config-{run}"
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(config), "XDG_DATA_HOME": str(workdir / "data")}
        prefs = config / "rushrater" / "preferences.json"
        start = time.perf_counter()
        app = subprocess.Popen([str(exe), "gui", str(demo)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while time.perf_counter() - start < 60:
                try:
                    if any(e["path"] == str(demo) for e in _json.loads(prefs.read_text())["recent_studies"]):
                        break
                except (OSError, ValueError, KeyError):
                    pass
                time.sleep(0.02)
            times.append(time.perf_counter() - start)
            app.send_signal(signal.SIGTERM)
            app.wait(timeout=30)
        finally:
            if app.poll() is None:
                app.kill()
    return {"bundle_mb": round(size / 2**20, 1), "bundle_cold_start_s": round(statistics.median(times), 2)}


PG_ADMIN_URL = os.environ.get("RUSHRATER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_database(prefix: str):
    """A throwaway database on the local PostgreSQL server: (url, drop)."""
    import secrets

    import psycopg
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)

    def drop() -> None:
        from psycopg.conninfo import make_conninfo

        try:  # the study's own rater group (random name, migration 0008)
            with psycopg.connect(make_conninfo(PG_ADMIN_URL, dbname=name), autocommit=True) as conn:
                group = conn.execute("SELECT rushrater_rater_group()").fetchone()[0]
        except psycopg.Error:
            group = None
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'DROP ROLE IF EXISTS "{f"rushrater_raters_{name}"[:63]}"')
            if group:
                conn.execute(f'DROP ROLE IF EXISTS "{group}"')

    return url, drop


def _pg_rater(url: str, local: str, code: str, cases: list[str], start, queue) -> None:
    from rushrater.services.ratings import submit_rating as submit
    from rushrater.services.study import open_study

    import random

    study = open_study(url, local_dir=local)
    values = {key: 2 for key in study.rubric.item_keys}
    pause = random.Random(code)
    start.wait(60)
    times = []
    for i in range(sized(150, 30)):
        # A rater needs tens of seconds per case; 100-300 ms between submits still makes the six
        # raters' submits overlap often, while the two cores serve the submits rather than six
        # busy loops of this benchmark (client and server share this machine here).
        time.sleep(pause.uniform(0.1, 0.3))
        t0 = time.perf_counter()
        submit(study, code, cases[i % len(cases)], values, read_number=i // len(cases) + 1)
        times.append((time.perf_counter() - t0) * 1000)
    study.close()
    queue.put(times)


@benchmark("pg_submit_ms_p50", "pg_submit_ms_p95")
def pg_submit(workdir: Path) -> dict[str, float]:
    """Six rater processes submitting at once to PostgreSQL on loopback (150 submits each, 100-300 ms apart)."""
    import multiprocessing as mp

    from rushrater.services.raters import add_rater
    from rushrater.services.study import create_study
    from rushrater.storage import models

    url, drop = _pg_database("rr_bench_submit")
    try:
        study = create_study(url, "Benchmark", actor="benchmark", local_dir=workdir / "local")
        with study.db.write() as session:  # 20 cases, no images needed to submit
            patient_tp = session.query(models.Timepoint).order_by(models.Timepoint.position).all()
            for p in range(10):
                patient = models.Patient(code=f"P{p:03d}")
                session.add(patient)
                session.flush()
                for tp in patient_tp:
                    session.add(models.Case(code=f"C{p:03d}{tp.key}", patient_id=patient.id, timepoint_id=tp.id,
                                            created_at=datetime.now(timezone.utc)))
        cases = [f"C{p:03d}{tp.key}" for p in range(10) for tp in patient_tp]
        codes = [add_rater(study, f"Rater {n}", "g", actor="benchmark").code for n in range(6)]
        study.close()
        ctx = mp.get_context("spawn")
        start, queue = ctx.Event(), ctx.Queue()
        procs = [ctx.Process(target=_pg_rater, args=(url, str(workdir / c), c, cases, start, queue)) for c in codes]
        for proc in procs:
            proc.start()
        time.sleep(2.0)
        start.set()
        times = [t for _ in procs for t in queue.get(timeout=600)]
        for proc in procs:
            proc.join(60)
        return {"pg_submit_ms_p50": round(_percentile(times, 50), 2), "pg_submit_ms_p95": round(_percentile(times, 95), 2)}
    finally:
        drop()


@benchmark("pg_image_fetch_ms")
def pg_image_fetch(workdir: Path) -> dict[str, float]:
    """Loading (fetch, SHA-256 check, decode) a 15 MB stored radiograph from PostgreSQL on loopback."""
    from rushrater.services.study import create_study

    url, drop = _pg_database("rr_bench_image")
    try:
        study = create_study(url, "Benchmark", actor="benchmark", local_dir=workdir / "local")
        rng = np.random.default_rng(1)
        # Noise barely compresses: 2500 x 3000 16-bit noise is a stored file of about 15 MB.
        pixels = rng.integers(0, 65535, (2500, 3000), dtype=np.uint16)
        stored = study.images.put(pixels)
        study.images.blobs.put(stored.key, study.images.root.joinpath(stored.key).read_bytes())
        size_mb = len(study.images.read_bytes(stored.key)) / 1e6
        times = []
        for _ in range(7):
            t0 = time.perf_counter()
            study.images.load(stored.key, stored.sha256)
            times.append((time.perf_counter() - t0) * 1000)
        study.close()
        return {"pg_image_fetch_ms": round(statistics.median(times), 1), "pg_image_fetch_size_mb": round(size_mb, 1)}
    finally:
        drop()


@benchmark("stats_match_5000_s")
def stats_match_5000(workdir: Path) -> dict[str, float]:
    """Propensity model + greedy 1:1 matching (caliper 0.05) of 5,000 treated to 5,000 controls (target <= 1 s)."""
    import pandas as pd

    from rushrater.stats.matching import match

    rng = np.random.default_rng(14)
    n = sized(10_000, 2000)
    treated = np.r_[np.ones(n // 2), np.zeros(n - n // 2)].astype(int)
    data = pd.DataFrame({"treated": treated, "age": rng.normal(60, 10, n) + 3 * treated, "bmi": rng.normal(26, 4, n),
                         "sex": rng.choice(["F", "M"], n), "asa": rng.choice(["I", "II", "III"], n)})
    pairs = []
    seconds = _best_of(3, lambda: pairs.append(match(data, "treated", ["age", "bmi", "sex", "asa"]).n_pairs))
    return {"stats_match_5000_s": round(seconds, 3), "stats_match_5000_pairs": pairs[-1]}


@benchmark("stats_roc_delong_100k_s")
def stats_roc_delong_100k(workdir: Path) -> dict[str, float]:
    """ROC of one marker on 100,000 patients: AUC, DeLong CI and Youden cut-off (target <= 1 s)."""
    import pandas as pd

    from rushrater.stats.roc import roc

    rng = np.random.default_rng(14)
    n = sized(100_000, 20_000)
    slow = (rng.random(n) < 0.3).astype(int)
    data = pd.DataFrame({"slow": slow, "smi": np.round(45 - 3 * slow + rng.normal(0, 6, n), 1)})
    return {"stats_roc_delong_100k_s": round(_best_of(3, lambda: roc(data, "slow", ["smi"])), 3)}


@benchmark("outcomes_study_s")
def outcomes_study(workdir: Path) -> dict[str, float]:
    """The whole outcome analysis of a 619-patient two-centre study (per institution: baseline tables
    before/after PS matching on 9 covariates, index comparisons, univariable and adjusted ORs,
    Spearman of ΔRUSH, ROC of 4 indices; Tables 1-3 and the four figures) from its analysis table
    (target <= 2 s)."""
    import warnings

    import pandas as pd

    from rushrater.services import outcome_report, outcomes

    rng = np.random.default_rng(14)
    n = 619
    d = pd.DataFrame({
        "patient": [f"P{k:04d}" for k in range(n)], "institution": np.where(np.arange(n) < 310, 1, 2),
        "age": np.round(rng.normal(72, 9, n)), "sex": rng.integers(0, 2, n), "bmi": np.round(rng.normal(24, 3, n), 1),
        "height": np.round(rng.normal(1.66, 0.08, n), 2), "smoking": rng.integers(0, 2, n),
        "alcohol": rng.integers(0, 2, n), "hypertension": rng.integers(0, 2, n), "diabetes": rng.integers(0, 2, n),
        "asa": rng.integers(1, 4, n), "smi": rng.normal(45, 7, n), "vfi": np.abs(rng.normal(40, 14, n)) + 5,
        "sfi": np.abs(rng.normal(50, 15, n)) + 5,
    })
    d["vsr"] = d["vfi"] / d["sfi"]
    d["rush_day1"] = np.clip(np.rint(12 + rng.normal(0, 1.2, n)), 10, 30)
    d["rush_month1"] = np.clip(np.rint(18.5 + 0.35 * (d["smi"] - 45) - 0.07 * (d["vfi"] - 40) + rng.normal(0, 2, n)), 10, 30)
    d["delta_rush"] = d["rush_month1"] - d["rush_day1"]
    d["slow_healing"] = (d["rush_month1"] < 18).astype(float)
    clinical = ["institution", "age", "sex", "bmi", "height", "smoking", "alcohol", "hypertension", "diabetes", "asa"]
    kinds = {c: "continuous" for c in ("age", "bmi", "height", "smi", "vfi", "sfi", "vsr")}
    kinds |= {c: "binary" for c in ("sex", "smoking", "alcohol", "hypertension", "diabetes")} | {"asa": "categorical"}
    table = outcomes.AnalysisTable(d, ["day1", "month1"], "month1", 18.0, ("day1", "month1"),
                                   ["smi", "vfi", "sfi", "vsr"], clinical, kinds, {c: c for c in d.columns})

    def run() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = outcomes.run_outcomes(table=table, by="institution")
            assert len(report.strata) == 2 and len(report.strata[0].covariates) == 9
            blocks = outcome_report.outcome_blocks(report)
            for block in blocks:
                if hasattr(block, "figure"):
                    block.figure.savefig(io.BytesIO(), format="png")

    return {"outcomes_study_s": round(_best_of(3, run), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", metavar="KEY", help="run only the benchmarks reporting these keys")
    parser.add_argument("--quick", action="store_true",
                        help='smaller studies and one repeat, same keys, marked "quick": true (under 3 minutes)')
    args = parser.parse_args(argv)
    global QUICK
    QUICK = args.quick
    os.environ["RUSHRATER_BENCH_QUICK"] = "1" if QUICK else "0"
    wanted = args.only or list(BENCHMARKS)
    unknown = [k for k in wanted if k not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown key(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    results: dict[str, object] = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    if QUICK:
        results["quick"] = True
    done = set()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rushrater-bench-") as tmp:
        for key in wanted:
            func = BENCHMARKS[key]
            if func in done:
                continue
            done.add(func)
            workdir = Path(tmp) / func.__name__
            workdir.mkdir()
            start = time.perf_counter()
            figures = func(workdir)
            seconds = round(time.perf_counter() - start, 1)
            for name, value in figures.items():  # each figure at once: a run cut short keeps them
                line = {"key": name, "value": value, "benchmark": func.__name__, "benchmark_s": seconds}
                if QUICK:
                    line["quick"] = True
                print(json.dumps(line), flush=True)
            results.update(figures)
    results["total_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(results, indent=2), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
