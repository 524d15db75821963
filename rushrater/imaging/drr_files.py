"""Files of a DRR set for model training: 16-bit PNG and TIFF, DICOM Secondary Capture.

Every byte depends on the pixels and the values passed in: no time stamps, no software chunks that
change between runs, UIDs derived from the content. Two exports of the same DRRs are identical.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np

SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
IMPLEMENTATION_CLASS_UID = "2.25.216842390361213127350011848906066372845"


def png_bytes(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", optimize=False)  # no time or text chunks
    return buffer.getvalue()


def tiff_bytes(pixels: np.ndarray) -> bytes:
    import tifffile

    buffer = io.BytesIO()
    # No date/time tag and no software string: the file depends on the pixels only.
    tifffile.imwrite(buffer, pixels, photometric="minisblack", compression="zlib", metadata=None, software=None)
    return buffer.getvalue()


def derived_uid(*parts: str) -> str:
    """A UID derived from the content (2.25 + 128 bits of SHA-256): the same DRR, the same UID."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()[:16]
    return "2.25." + str(int.from_bytes(digest, "big"))


def write_secondary_capture(path: Path, pixels: np.ndarray, *, patient: str, timepoint: str, view: str,
                            content_sha256: str, series_key: str, orientation, pixel_spacing_mm: float,
                            rescale_slope: float, window: tuple[float, float] | None, description: str,
                            deidentification: str, version: str) -> None:
    """DICOM Secondary Capture (MONOCHROME2, 16-bit) with Pixel Spacing; deterministic UIDs, no dates."""
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian

    sop_uid = derived_uid("drr-sop", content_sha256)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SECONDARY_CAPTURE
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    meta.ImplementationVersionName = f"RUSHRATER_{version}"[:16]
    ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID, ds.SOPInstanceUID = SECONDARY_CAPTURE, sop_uid
    ds.StudyInstanceUID = derived_uid("drr-study", patient, timepoint)
    ds.SeriesInstanceUID = derived_uid("drr-series", patient, timepoint, series_key, view)
    ds.PatientName = patient
    ds.PatientID = patient
    ds.PatientBirthDate = ""
    ds.PatientSex = ""
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = deidentification[:64]  # LO
    ds.StudyDate = ds.StudyTime = ds.ReferringPhysicianName = ds.AccessionNumber = ""
    ds.StudyID = timepoint[:16]
    ds.Modality = "OT"
    ds.ConversionType = "SYN"  # synthetic image (DICOM PS3.3 C.8.6.1)
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.PatientOrientation = list(orientation)
    ds.BodyPartExamined = "PELVIS"  # unpaired: no Laterality (the crop may hold both hips)
    ds.ImageType = ["DERIVED", "SECONDARY", "DRR"]
    ds.DerivationDescription = description[:1024]
    ds.BurnedInAnnotation = "NO"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = int(pixels.shape[0]), int(pixels.shape[1])
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    spacing = f"{float(pixel_spacing_mm):.6g}"
    ds.PixelSpacing = [spacing, spacing]
    ds.PixelSpacingCalibrationType = "GEOMETRY"
    ds.PixelSpacingCalibrationDescription = "at the isocentre of the CT projection"
    ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = "0", f"{rescale_slope:.10g}", "US"
    if window:
        ds.WindowCenter, ds.WindowWidth = f"{float(window[0]):.6g}", f"{float(window[1]):.6g}"
    ds.PixelData = np.ascontiguousarray(pixels, dtype="<u2").tobytes()
    ds.save_as(path, enforce_file_format=True)
