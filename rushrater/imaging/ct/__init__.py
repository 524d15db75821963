"""CT body composition at one axial slice (Qt-free).

- :func:`read_ct_series` (series.py) reads a folder of single-frame CT DICOM files (any transfer syntax pydicom
  decodes, JPEG 2000 included), de-identifies every header with the same Annex E profile as the
  radiographs *before* decoding, and returns a Hounsfield-unit volume ordered from inferior to
  superior by ImagePositionPatient projected on the slice normal; spacing must be consistent.
- :func:`propose_level` (level.py) reads a TotalSegmentator label file (NIfTI, T12 = label 32) and proposes
  the slice nearest the middle of the vertebra's extent along the slice normal.
- :func:`auto_contours` (contours.py) proposes the two contours by image processing only (no model weights): the
  outer wall (subcutaneous fat | muscle) and the inner boundary of the visceral compartment,
  found along rays from the body's centre on a median-filtered slice.
- :func:`measure_slice` (measurement.py) turns a slice, two contours and HU thresholds
  (tissues.py) into areas (cm² from pixel spacing) and the mean muscle HU; :func:`indices` divides
  by height² (SMI, VFI, SFI, VSR).

:class:`CtVolume` (volume.py) is the HU volume all of them work on; phantom.py makes a synthetic
slice with known areas. The names below are what the services, the GUI and the tests use.
"""

from __future__ import annotations

from .contours import auto_contours, check_contour, simplify_contour
from .level import LevelProposal, propose_level
from .measurement import Measurement, indices, measure_masks, measure_slice
from .phantom import phantom
from .series import ReadSeries, read_ct_series
from .tissues import DEFAULT_THRESHOLDS, SUBCUTANEOUS_ALTERNATIVE, normalise_thresholds, tissue_masks
from .volume import CtInputError, CtVolume, reformat

__all__ = [
    "DEFAULT_THRESHOLDS", "SUBCUTANEOUS_ALTERNATIVE", "CtInputError", "CtVolume", "LevelProposal", "Measurement",
    "ReadSeries", "auto_contours", "check_contour", "indices", "measure_masks", "measure_slice",
    "normalise_thresholds", "phantom", "propose_level", "read_ct_series", "reformat", "simplify_contour",
    "tissue_masks",
]
