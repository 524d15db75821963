"""Decode radiographs from DICOM, PNG, TIFF or JPEG into pixels plus display attributes.

Readers form a small registry tried in order by file signature, in the spirit of napari's
``get_reader``: each returns ``None`` for a file it does not handle. Pixels are kept as stored
(no window applied); the modality rescale and the file's window travel alongside so the viewer can
show the image as a diagnostic workstation would.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..domain.errors import ValidationError
from .attributes import DisplayAttributes, Window


@dataclass(frozen=True)
class DecodedImage:
    pixels: np.ndarray  # 2-D uint8 or uint16, rows x columns, values as stored
    bits_stored: int
    photometric: str  # MONOCHROME1 (bone dark) or MONOCHROME2 (bone bright)
    source_format: str
    rescale_slope: float = 1.0
    rescale_intercept: float = 0.0
    window_center: float | None = None
    window_width: float | None = None
    pixel_spacing_mm: float | None = None

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def display(self) -> DisplayAttributes:
        windows = ()
        if self.window_center is not None and self.window_width:
            windows = (Window(self.window_center, self.window_width),)
        return DisplayAttributes(
            photometric=self.photometric,
            bits_stored=self.bits_stored,
            rescale_slope=self.rescale_slope,
            rescale_intercept=self.rescale_intercept,
            windows=windows,
            pixel_spacing_mm=self.pixel_spacing_mm,
        )

    @property
    def content_sha256(self) -> str:
        return pixel_hash(self.pixels)


def pixel_hash(pixels: np.ndarray) -> str:
    """Hash of what the image shows, independent of the file that carried it."""
    digest = hashlib.sha256(f"{pixels.dtype.str}|{pixels.shape}|".encode())
    digest.update(np.ascontiguousarray(pixels).tobytes())
    return digest.hexdigest()


class ImageReadError(ValidationError):
    pass


def _bad(path: Path, message: str, fix: str) -> ImageReadError:
    return ImageReadError(message, where=str(path), fix=fix)


def _to_gray(array: np.ndarray, path: Path) -> np.ndarray:
    """Radiographs are grayscale; a colour export (screenshot, JPEG) is converted by luminance."""
    if array.ndim == 3 and array.shape[-1] in (3, 4):
        rgb = array[..., :3].astype(np.float64)
        gray = rgb @ np.array([0.299, 0.587, 0.114])
        return np.clip(np.rint(gray), 0, np.iinfo(array.dtype).max).astype(array.dtype)
    if array.ndim == 3 and array.shape[-1] == 2:  # gray + alpha
        return array[..., 0]
    if array.ndim != 2:
        raise _bad(path, f"image has shape {array.shape}; expected one 2-D radiograph", "export a single frame")
    return array


def _as_unsigned(array: np.ndarray, path: Path) -> tuple[np.ndarray, int]:
    if array.dtype == np.uint8:
        return array, 8
    if array.dtype == np.uint16:
        peak = int(array.max()) if array.size else 0
        return array, max(8, min(16, peak.bit_length()))
    if array.dtype == bool:
        return array.astype(np.uint8) * 255, 8
    if np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating):
        low, high = float(np.nanmin(array)), float(np.nanmax(array))
        if np.issubdtype(array.dtype, np.integer) and low >= 0 and high <= 65535:
            return array.astype(np.uint16), max(8, int(high).bit_length())
        # Floats or wide integers: map the range onto 16 bits (a display copy, not measurements).
        scaled = (array.astype(np.float64) - low) / ((high - low) or 1.0) * 65535.0
        return np.rint(scaled).astype(np.uint16), 16
    raise _bad(path, f"unsupported pixel type {array.dtype}", "export as 8- or 16-bit grayscale")


def _read_png_or_jpeg(path: Path, head: bytes) -> DecodedImage | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        fmt = "PNG"
    elif head.startswith(b"\xff\xd8\xff"):
        fmt = "JPEG"
    else:
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()
            if image.mode in ("P", "PA", "LA", "CMYK", "YCbCr", "1"):
                image = image.convert("L")
            array = np.asarray(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _bad(path, f"cannot decode {fmt} file ({exc})", "re-export the image; the file may be truncated") from exc
    pixels, bits = _as_unsigned(_to_gray(array, path), path)
    return DecodedImage(pixels=pixels, bits_stored=bits, photometric="MONOCHROME2", source_format=fmt)


def _read_tiff(path: Path, head: bytes) -> DecodedImage | None:
    if head[:4] not in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return None
    import tifffile

    try:
        with tifffile.TiffFile(path) as tif:
            page = tif.pages[0]
            array = page.asarray()
            photometric = "MONOCHROME1" if int(page.photometric) == 0 else "MONOCHROME2"
    except Exception as exc:  # tifffile raises many types for damaged files
        raise _bad(path, f"cannot decode TIFF file ({exc})", "re-export the image; the file may be damaged") from exc
    pixels, bits = _as_unsigned(_to_gray(array, path), path)
    return DecodedImage(pixels=pixels, bits_stored=bits, photometric=photometric, source_format="TIFF")


def _first(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value[0]) if hasattr(value, "__len__") and not isinstance(value, str) else float(value)
    except (TypeError, ValueError, IndexError):
        return None


def _read_dicom(path: Path, head: bytes) -> DecodedImage | None:
    import pydicom
    from pydicom.errors import InvalidDicomError

    has_preamble = head[128:132] == b"DICM"
    try:
        ds = pydicom.dcmread(path, force=not has_preamble)
    except InvalidDicomError:
        return None
    except Exception as exc:
        if not has_preamble:
            return None
        raise _bad(path, f"cannot read DICOM file ({exc})", "re-export from PACS; the file may be truncated") from exc
    if "PixelData" not in ds:
        if not has_preamble:
            return None
        raise _bad(path, "DICOM file has no pixel data (a report or structured document?)", "export the image itself")
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2")).strip()
    try:
        array = ds.pixel_array
    except Exception as exc:
        raise _bad(
            path,
            f"cannot decode DICOM pixel data ({exc}; transfer syntax {ds.file_meta.get('TransferSyntaxUID', '?')})",
            "install the decoders listed in the README or export the image uncompressed",
        ) from exc
    if int(ds.get("NumberOfFrames", 1) or 1) > 1:
        array = array[0]
    if photometric not in ("MONOCHROME1", "MONOCHROME2"):
        # Colour secondary captures are shown as grayscale radiographs.
        array = _to_gray(np.asarray(array), path)
        photometric = "MONOCHROME2"
    slope = _first(ds.get("RescaleSlope")) or 1.0
    intercept = _first(ds.get("RescaleIntercept")) or 0.0
    array = np.asarray(array)
    if np.issubdtype(array.dtype, np.signedinteger):
        # Keep pixels unsigned in the store; fold the offset into the rescale intercept.
        low = int(array.min())
        array = (array.astype(np.int64) - low).astype(np.uint16)
        intercept += slope * low
    pixels, bits = _as_unsigned(array, path)
    bits_stored = int(ds.get("BitsStored", bits) or bits)
    spacing = _first(ds.get("PixelSpacing")) or _first(ds.get("ImagerPixelSpacing"))
    return DecodedImage(
        pixels=pixels,
        bits_stored=min(16, max(bits_stored, 1)),
        photometric=photometric,
        source_format="DICOM",
        rescale_slope=float(slope),
        rescale_intercept=float(intercept),
        window_center=_first(ds.get("WindowCenter")),
        window_width=_first(ds.get("WindowWidth")),
        pixel_spacing_mm=spacing,
    )


READERS: list[Callable[[Path, bytes], DecodedImage | None]] = [_read_png_or_jpeg, _read_tiff, _read_dicom]


def read_image(path: str | Path) -> DecodedImage:
    """Decode one radiograph, or raise ImageReadError naming the file and what to do."""
    path = Path(path)
    if not path.is_file():
        raise _bad(path, "file not found", "check the path (relative paths are taken from the source folder)")
    with path.open("rb") as handle:
        head = handle.read(132)
    if not head:
        raise _bad(path, "file is empty", "re-export the image")
    for reader in READERS:
        image = reader(path, head)
        if image is not None:
            if image.pixels.size == 0:
                raise _bad(path, "image has no pixels", "re-export the image")
            return image
    raise _bad(path, "not a DICOM, PNG, TIFF or JPEG image", "give the radiograph file itself")
