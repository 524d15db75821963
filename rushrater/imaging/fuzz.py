"""A seeded corpus of mutated DICOM files: what a broken exporter or an attacker hands the import.

Shared by the regression test (tests/integration/test_import_hostile.py) and the
``fuzz_import_files_per_s`` benchmark, as ``synthetic`` is shared by the demo and the tests. The
same seed writes the same files. Mutations: cut short, bytes flipped, numbers that are not numbers
(NaN, infinity, 1e308, a name), integers out of range, a compressed codestream claiming another
size than the header, free text where display reads its presets, pixel data of the wrong length,
and unchanged files among them (so the corpus also imports something).
"""

from __future__ import annotations

import datetime
import struct
import warnings
from pathlib import Path

import numpy as np

#: Bundled pydicom test files used as compressed bases when present (JPEG-LS, JPEG 2000, RLE, JPEG).
COMPRESSED_BASES = ("MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm", "MR_small_RLE.dcm", "JPGExtended.dcm")

_NUMBERS = ("RescaleSlope", "RescaleIntercept", "WindowCenter", "WindowWidth", "PixelSpacing", "ImagerPixelSpacing")
_INTEGERS = ("NumberOfFrames", "BitsStored", "BitsAllocated", "Rows", "Columns", "SamplesPerPixel", "PixelRepresentation")
_BAD_NUMBERS = ("NaN", "inf", "-inf", "1e308", "-1e308", "QUAGGA ROSALIND", "1\\NaN", "0x10", "12..5")
_BAD_INTEGERS = ("QUAGGA", "-1", "99999999", "1e9", "NaN", "3.5")
MUTATIONS = ("intact", "truncate", "flip", "number", "integer", "codestream", "free_text", "pixel_length")


def _plant(ds, keyword: str, vr: str, text: str) -> None:
    """Write the value's bytes as given, as no validating writer would."""
    from pydicom.datadict import tag_for_keyword
    from pydicom.dataelem import RawDataElement
    from pydicom.tag import Tag

    tag = Tag(tag_for_keyword(keyword))
    data = text.encode("latin-1")
    data += b" " * (len(data) % 2)
    ds[tag] = RawDataElement(tag, vr, len(data), data, 0, False, True)


def _lie_about_size(ds, rng: np.random.Generator) -> bool:
    """Patch the first frame's SOF / SIZ marker to claim a huge image; False if none was found."""
    from pydicom.encaps import encapsulate, generate_fragments

    fragments = [bytes(f) for f in generate_fragments(ds.PixelData)][1:]
    if not fragments:
        return False
    frame = bytearray(b"".join(fragments))
    rows, columns = int(rng.integers(20_000, 65_535)), int(rng.integers(20_000, 65_535))
    sof = next((frame.find(m) for m in (b"\xff\xf7", b"\xff\xc1", b"\xff\xc0", b"\xff\xc3") if frame.find(m) >= 0), -1)
    if frame[:4] == b"\xff\x4f\xff\x51":
        frame[8:16] = struct.pack(">II", columns, rows)
    elif sof >= 0:
        frame[sof + 5 : sof + 9] = struct.pack(">HH", rows, columns)
    else:
        return False
    ds.PixelData = encapsulate([bytes(frame)])
    return True


def write_corpus(folder: Path, count: int, seed: int = 2026) -> list[Path]:
    """``count`` mutated DICOM files in ``folder`` (each with its own identifying header)."""
    with warnings.catch_warnings():  # pydicom warns about every value planted on purpose
        warnings.simplefilter("ignore")
        return _write_corpus(folder, count, seed)


def _write_corpus(folder: Path, count: int, seed: int) -> list[Path]:
    import pydicom
    from pydicom.data import get_testdata_file

    from .writers import write_dicom_radiograph

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    compressed = [p for p in (get_testdata_file(n, download=False) for n in COMPRESSED_BASES) if p]
    paths = []
    for index in range(count):
        mutation = MUTATIONS[index % len(MUTATIONS)]
        path = folder / f"fuzz{index:04d}_{mutation}.dcm"
        pixels = rng.integers(0, 4096, (48, 40), dtype=np.uint16)
        write_dicom_radiograph(path, pixels, patient_id=f"FZ{seed % 1000:03d}{index:05d}", patient_name=f"FUZZ^SUBJECT{index:05d}",
                               view="AP" if index % 2 else "LAT", study_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=index % 60))
        if mutation in ("codestream",) and compressed:
            ds = pydicom.dcmread(compressed[(index // len(MUTATIONS)) % len(compressed)])
            ds.PatientID, ds.PatientName = f"FZ{seed % 1000:03d}{index:05d}", f"FUZZ^SUBJECT{index:05d}"
            _lie_about_size(ds, rng)
            ds.save_as(path)
        elif mutation == "number":
            ds = pydicom.dcmread(path)
            _plant(ds, str(rng.choice(_NUMBERS)), "DS", str(rng.choice(_BAD_NUMBERS)))
            ds.save_as(path)
        elif mutation == "integer":
            ds = pydicom.dcmread(path)
            _plant(ds, str(rng.choice(_INTEGERS)), "LO", str(rng.choice(_BAD_INTEGERS)))
            ds.save_as(path)
        elif mutation == "free_text":
            ds = pydicom.dcmread(path)
            ds.WindowCenterWidthExplanation = f"Referred by Dr Subject{index:05d} 5/3/24"
            ds.RescaleType = "FUZZ SUBJECT"
            ds.save_as(path)
        elif mutation == "pixel_length":
            ds = pydicom.dcmread(path)
            ds.PixelData = bytes(ds.PixelData)[: int(rng.integers(0, len(ds.PixelData)))]
            ds.save_as(path)
        elif mutation in ("truncate", "flip"):
            data = bytearray(path.read_bytes())
            if mutation == "truncate":
                data = data[: int(rng.integers(1, len(data)))]
            else:
                for _ in range(int(rng.integers(1, 60))):
                    data[int(rng.integers(0, len(data)))] = int(rng.integers(0, 256))
            path.write_bytes(bytes(data))
        paths.append(path)
    return paths


__all__ = ["MUTATIONS", "write_corpus"]
