"""Writing DICOM radiographs (the demo study's source files, and test data).

The demo writes what a PACS export looks like — identifying attributes included — so that the demo
exercises the same import path real studies take.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

DX_FOR_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.1"


def write_dicom_radiograph(
    path: Path,
    pixels: np.ndarray,
    *,
    patient_id: str,
    patient_name: str,
    view: str,
    study_date: date,
    bits_stored: int = 12,
    pixel_spacing_mm: float = 0.15,
    institution: str = "Demo General Hospital",
) -> None:
    """Write a DX (for presentation) image, MONOCHROME2, uncompressed explicit VR little endian."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    if pixels.dtype != np.uint16 or pixels.ndim != 2:
        raise ValueError("pixels must be a 2-D uint16 array")
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = DX_FOR_PRESENTATION
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = DX_FOR_PRESENTATION
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "DX"
    ds.PatientID = patient_id
    ds.PatientName = patient_name
    ds.PatientSex = "O"
    ds.StudyDate = study_date.strftime("%Y%m%d")
    ds.SeriesDate = ds.StudyDate
    ds.ContentDate = ds.StudyDate
    ds.InstitutionName = institution
    ds.BodyPartExamined = "HIP"
    ds.ViewPosition = "AP" if view == "AP" else "LL"
    ds.SeriesDescription = "HIP AP" if view == "AP" else "HIP LATERAL"
    ds.PresentationIntentType = "FOR PRESENTATION"
    ds.ImageType = ["DERIVED", "PRIMARY"]
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = pixels.shape
    ds.BitsAllocated = 16
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = 0
    ds.RescaleSlope = 1
    ds.RescaleIntercept = 0
    ds.RescaleType = "US"
    ds.PixelSpacing = [pixel_spacing_mm, pixel_spacing_mm]
    ds.ImagerPixelSpacing = [pixel_spacing_mm, pixel_spacing_mm]
    low, high = np.percentile(pixels, [1, 99.5])
    ds.WindowCenter = round(float((low + high) / 2), 1)
    ds.WindowWidth = round(float(max(high - low, 1)), 1)
    ds.PixelData = np.ascontiguousarray(pixels).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
