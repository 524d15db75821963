"""Test data built through the real services: small real images, manifests and score sets.

Imported by tests as ``from factories import …`` (the tests folder is on sys.path through the
root conftest); a module named conftest cannot be imported reliably when several exist.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from PIL import Image

SHARED = Path(__file__).resolve().parents[2] / "shared"


def write_png(path: Path, seed: int, shape: tuple[int, int] = (48, 40)) -> Path:
    """A small 16-bit grayscale PNG whose pixels depend on ``seed`` (distinct seeds, distinct images)."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 4096, size=shape, dtype=np.uint16)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)
    return path


def write_manifest(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "patient", "timepoint", "view"])
        writer.writerows(rows)
    return path


def image_rows(source: Path, patients: int, timepoints=("day1", "month1"), first_seed: int = 0) -> list:
    """Write AP + lateral PNGs for each patient and time point; return manifest rows."""
    rows = []
    seed = first_seed
    for p in range(1, patients + 1):
        for tp in timepoints:
            for view in ("AP", "LAT"):
                name = f"P{p:03d}_{tp}_{view}.png"
                write_png(source / name, seed)
                seed += 1
                rows.append((name, f"P{p:03d}", tp, view))
    return rows


def full_scores(study: Study, value: int = 2) -> dict[str, int]:
    return {key: value for key in study.rubric.item_keys}


# Two rater groups as in the two-centre RUSH study: (name, group, bias, noise) per rater.
AGREEMENT_RATERS = (
    ("Dr Attending A", "attending", 0.05, 0.25),
    ("Dr Attending B", "attending", -0.05, 0.25),
    ("Dr Attending C", "attending", 0.0, 0.3),
    ("Dr Resident A", "resident", 0.15, 0.45),
    ("Dr Resident B", "resident", -0.15, 0.4),
    ("Dr Resident C", "resident", 0.0, 0.45),
)


def simulated_ratings_csv(
    path: Path,
    item_keys,
    patients: int,
    rater_codes,
    *,
    raters=AGREEMENT_RATERS,
    timepoints=("day1", "month1"),
    seed: int = 0,
    read: int = 1,
    only=None,
) -> Path:
    """A ratings CSV (``ratings import`` format) of RUSH items simulated from a latent healing level.

    Patients are ``P001``...; ``rater_codes`` match ``raters``. ``only`` optionally limits the rows to
    a set of (rater code, patient, timepoint) keys (e.g. the cases planned for a re-read).
    """
    rng = np.random.default_rng(seed)
    latent = {tp: rng.uniform(0.0, 0.4 if t == 0 else 1.0, patients) for t, tp in enumerate(timepoints)}
    case_offsets = {tp: rng.normal(0.0, 0.2, (patients, len(item_keys))) for tp in timepoints}
    noise_rng = np.random.default_rng([seed, read])  # the same films, read again with fresh noise
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["rater", "patient", "timepoint", "read", *item_keys])
        for code, (_name, _group, bias, noise) in zip(rater_codes, raters):
            for tp in timepoints:
                expected = 1.0 + 2.0 * latent[tp][:, None] + case_offsets[tp] + bias
                values = np.clip(np.rint(expected + noise_rng.normal(0.0, noise, expected.shape)), 1, 3).astype(int)
                for p in range(patients):
                    patient = f"P{p + 1:03d}"
                    if only is not None and (code, patient, tp) not in only:
                        continue
                    writer.writerow([code, patient, tp, read, *values[p]])
    return path


MID_STUDY_PATIENTS = 10
MID_STUDY_HALF = 5  # R06 has read only the first MID_STUDY_HALF cases of each time point


def mid_study(make_study, tmp_path: Path):
    """A study mid-way: 6 raters x 10 patients x 2 time points, R06 stopped half-way (issue 12's
    "day 1: 6 of 20 cases"), R07 enrolled but never scored; ratings imported, plan seed 5."""
    from rushrater.services.imports import import_manifest
    from rushrater.services.planning import plan_reading
    from rushrater.services.raters import add_rater
    from rushrater.services.ratings import import_ratings

    study = make_study("mid")
    source = tmp_path / "mid-src"
    manifest = write_manifest(tmp_path / "mid-manifest.csv", image_rows(source, MID_STUDY_PATIENTS))
    import_manifest(study, source, manifest, actor="test")
    codes = [add_rater(study, n, g, actor="test").code for n, g, *_ in AGREEMENT_RATERS]
    add_rater(study, "Dr Enrolled Only", "resident", actor="test")
    plan_reading(study, seed=5, actor="test")
    only = {(c, f"P{p:03d}", tp) for c in codes for p in range(1, MID_STUDY_PATIENTS + 1) for tp in ("day1", "month1")
            if c != "R06" or p <= MID_STUDY_HALF}
    csv = simulated_ratings_csv(tmp_path / "mid-ratings.csv", study.rubric.item_keys, MID_STUDY_PATIENTS, codes,
                                seed=2, only=only)
    import_ratings(study, csv, actor="test")
    return study


def write_ct_series(folder: Path, volume: np.ndarray, *, spacing=(0.8, 0.8), positions=None, modality: str = "CT",
                    jpeg2000: bool = False) -> Path:
    """A CT series (HU volume, slices inferior to superior) as single-frame DICOM files with a
    patient's identifiers in the headers (the import must remove them)."""
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, JPEG2000Lossless, generate_uid

    folder.mkdir(parents=True, exist_ok=True)
    series_uid, study_uid = generate_uid(), generate_uid()
    positions = positions if positions is not None else [3.0 * k for k in range(len(volume))]
    for k, (pixels, z) in enumerate(zip(volume, positions)):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = FileDataset(str(folder / f"s{k:03d}.dcm"), {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
        ds.PatientName, ds.PatientID, ds.StudyDate = "Doe^Jane", "MRN-4711", "20260101"
        ds.Modality = modality
        ds.Manufacturer = "Phantom"
        ds.ImagePositionPatient = [0.0, 0.0, float(z)]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.PixelSpacing = list(spacing)
        ds.SliceThickness = 3
        ds.Rows, ds.Columns = pixels.shape
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
        ds.RescaleIntercept, ds.RescaleSlope = -1024, 1
        ds.PixelData = (pixels.astype(np.int32) + 1024).astype(np.uint16).tobytes()
        if jpeg2000:
            ds.compress(JPEG2000Lossless, encoding_plugin="pylibjpeg")
        ds.save_as(folder / f"s{k:03d}.dcm", enforce_file_format=True)
    return folder


#: Test raters have no PIN (a new study); tests log in choosing this one at first login.
RATER_PIN = "2468"


def login_rater(study, code: str, pin: str = RATER_PIN):
    """Log in as a rater of a multi-rater study: with their PIN, or choosing it at first login."""
    from rushrater.services.reading import ReadingSession
    from rushrater.storage import queries

    with study.db.read() as session:
        has_pin = queries.rater_by_code_or_name(session, code).pin_hash is not None
    return ReadingSession.login(study, code, pin) if has_pin else ReadingSession.login(study, code, new_pin=pin)
