"""Decode radiographs from DICOM, PNG, TIFF or JPEG into pixels plus display attributes.

Readers form a small registry tried in order by file signature, in the spirit of napari's
``get_reader``: each returns ``None`` for a file it does not handle. Pixels are kept as stored
(no window applied); the modality rescale and the file's window travel alongside so the viewer can
show the image as a diagnostic workstation would.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..domain.errors import ValidationError
from .attributes import DisplayAttributes, LookupTable, Window


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
    # Everything display needs, read from the de-identified DICOM header (None: built from the above).
    attributes: DisplayAttributes | None = None

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def display(self) -> DisplayAttributes:
        if self.attributes is not None:
            return self.attributes
        return DisplayAttributes.from_columns(
            photometric=self.photometric,
            bits_stored=self.bits_stored,
            rescale_slope=self.rescale_slope,
            rescale_intercept=self.rescale_intercept,
            window_center=self.window_center,
            window_width=self.window_width,
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


MAX_SIDE = 10_000  # pixels; larger is not a radiograph export (and would exhaust memory)


def _check_size(path: Path, rows: int, columns: int) -> None:
    if rows > MAX_SIDE or columns > MAX_SIDE:
        raise _bad(path, f"image is {columns} x {rows} pixels, over {MAX_SIDE:,} a side", "export the radiograph at its acquired size")


def _to_gray(array: np.ndarray, path: Path) -> np.ndarray:
    """Radiographs are grayscale. A grey image saved as RGB(A) is taken as grey; true colour is refused."""
    if array.ndim == 3 and array.shape[-1] in (3, 4):
        rgb = array[..., :3]
        if np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 0], rgb[..., 2]):
            return np.ascontiguousarray(rgb[..., 0])
        raise _bad(path, "colour image: a radiograph is grayscale", "export the radiograph itself in grayscale, not a photo or screenshot")
    if array.ndim == 3 and array.shape[-1] == 2:  # gray + alpha
        return array[..., 0]
    if array.ndim != 2:
        raise _bad(path, f"image has shape {array.shape}; expected one 2-D radiograph (multi-frame?)", "export a single frame")
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

    # Only pixels are taken: EXIF, text chunks and ICC profiles are never read into the study.
    try:
        with Image.open(path) as image:
            _check_size(path, image.height, image.width)
            if getattr(image, "n_frames", 1) > 1:
                raise _bad(path, f"animated {fmt} with {image.n_frames} frames", "export a single frame")
            image.load()
            if image.mode in ("P", "PA"):
                image = image.convert("RGBA")
            elif image.mode in ("CMYK", "YCbCr", "LAB", "HSV"):
                image = image.convert("RGB")
            elif image.mode == "1":
                image = image.convert("L")
            array = np.asarray(image)
    except ImageReadError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _bad(path, f"cannot decode {fmt} file ({type(exc).__name__}) — truncated or damaged?", "re-export the image; the file may be truncated") from exc
    pixels, bits = _as_unsigned(_to_gray(array, path), path)
    return DecodedImage(pixels=pixels, bits_stored=bits, photometric="MONOCHROME2", source_format=fmt)


def _read_tiff(path: Path, head: bytes) -> DecodedImage | None:
    if head[:4] not in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return None
    import tifffile

    try:
        with tifffile.TiffFile(path) as tif:
            page = tif.pages[0]
            _check_size(path, int(page.imagelength), int(page.imagewidth))
            frames = len(tif.pages)
            if frames > 1 and not any(p.is_reduced for p in tif.pages[1:]):
                raise _bad(path, f"multi-page TIFF ({frames} pages)", "export a single radiograph per file")
            array = page.asarray()
            photometric = "MONOCHROME1" if int(page.photometric) == 0 else "MONOCHROME2"
    except ImageReadError:
        raise
    except Exception as exc:  # tifffile raises many types for damaged files
        # Only the type: tifffile's messages can quote tag values (ImageDescription is free text).
        raise _bad(path, f"cannot decode TIFF file ({type(exc).__name__}) — damaged?", "re-export the image; the file may be damaged") from exc
    pixels, bits = _as_unsigned(_to_gray(array, path), path)
    return DecodedImage(pixels=pixels, bits_stored=bits, photometric=photometric, source_format="TIFF")


def _label(keyword: str) -> str:
    """The attribute's name as the standard writes it ("Rescale Slope"), for messages."""
    from pydicom.datadict import dictionary_description, tag_for_keyword

    tag = tag_for_keyword(keyword)
    return dictionary_description(tag) if tag is not None else keyword


#: Sane ranges for the numbers display and measurement use. A value outside them is a broken or
#: hostile header: NaN, infinity or 1e308 would be stored as invalid JSON (SQLite) or refused by
#: PostgreSQL, and would make every later window or measurement meaningless.
NUMBER_RANGES: dict[str, tuple[float, float]] = {
    "RescaleSlope": (-1e6, 1e6),
    "RescaleIntercept": (-1e7, 1e7),
    "WindowCenter": (-1e7, 1e7),
    "WindowWidth": (-1e7, 1e7),
    "PixelSpacing": (0.0, 100.0),  # mm
    "ImagerPixelSpacing": (0.0, 100.0),
}
INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "Rows": (0, 65535),
    "Columns": (0, 65535),
    "BitsAllocated": (1, 64),
    "BitsStored": (1, 64),
    "HighBit": (0, 63),
    "PixelRepresentation": (0, 1),
    "SamplesPerPixel": (1, 4),
    "NumberOfFrames": (0, 1_000_000),
    "PixelPaddingValue": (-32768, 65535),
    "PixelPaddingRangeLimit": (-32768, 65535),
}


def _values(value) -> list:
    if value is None or value == "" or value == b"":
        return []
    return list(value) if hasattr(value, "__len__") and not isinstance(value, (str, bytes)) else [value]


def _raw_get(path: Path, ds, keyword: str):
    try:
        return ds.get(keyword)
    except Exception:  # pydicom converts on access and may quote the value: never pass it on
        raise _bad(path, f"{_label(keyword)} is not a valid value for its type", "re-export the image from PACS") from None


def header_numbers(path: Path, ds, keyword: str) -> list[float]:
    """Every value of a decimal attribute, each finite and in range, else a refusal naming it.

    Messages name the attribute and the problem, never the value: a header field may hold a
    patient's name where a number belongs, and reasons are kept in the study's reports.
    """
    low, high = NUMBER_RANGES[keyword]
    out = []
    for value in _values(_raw_get(path, ds, keyword)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise _bad(path, f"{_label(keyword)} is not a number", "re-export the image from PACS") from None
        if not math.isfinite(number) or not low <= number <= high:
            raise _bad(path, f"{_label(keyword)} is not a finite number between {low:g} and {high:g}", "re-export the image from PACS")
        out.append(number)
    return out


def header_integer(path: Path, ds, keyword: str, default: int | None = None) -> int | None:
    low, high = INTEGER_RANGES[keyword]
    values = _values(_raw_get(path, ds, keyword))
    if not values:
        return default
    try:
        number = float(values[0])
    except (TypeError, ValueError):
        raise _bad(path, f"{_label(keyword)} is not a whole number", "re-export the image from PACS") from None
    if not math.isfinite(number) or number != int(number) or not low <= number <= high:
        raise _bad(path, f"{_label(keyword)} is not a whole number between {low} and {high}", "re-export the image from PACS")
    return int(number)


def _lut(item, offset: int = 0) -> LookupTable | None:
    """A LUT item (Modality or VOI LUT Sequence) as a LookupTable; None when unusable."""
    descriptor = item.get("LUTDescriptor")
    raw = item.get("LUTData")
    if descriptor is None or raw is None or len(descriptor) != 3:
        return None
    try:
        entries, first, bits = (int(v) for v in descriptor)
    except (TypeError, ValueError):
        return None
    if not (0 <= entries <= 65535 and 0 <= first <= 65535 and 1 <= bits <= 16):
        return None
    entries = entries or 65536
    if isinstance(raw, (bytes, bytearray)):
        dtype = "<u1" if bits <= 8 and len(raw) == entries else "<u2"
        data = np.frombuffer(bytes(raw), dtype=dtype)
    else:
        data = np.asarray(raw if hasattr(raw, "__len__") else [raw])
    data = data[:entries]
    if data.size == 0:
        return None
    # The first value mapped is signed when pixels are signed (US VR stores it as unsigned).
    if first >= 32768 and item.get("_signed"):
        first -= 65536
    return LookupTable(
        first_mapped=first + offset,
        bits=bits,
        # LUT Explanation is free text (it can name the referrer and a date): never kept.
        data=tuple(int(v) for v in data),
    )


class _Item(dict):
    """Lets _lut read a pydicom item and a hint that the pixels are signed."""


def _display_from_header(path: Path, ds, offset: int, bits_stored: int, photometric: str, slope: float, intercept: float) -> DisplayAttributes:
    signed = header_integer(path, ds, "PixelRepresentation", 0) == 1

    def item_dict(item) -> _Item:
        d = _Item({k: item.get(k) for k in ("LUTDescriptor", "LUTData")})
        d["_signed"] = signed
        return d

    modality_lut = None
    for item in ds.get("ModalityLUTSequence", None) or ():
        modality_lut = _lut(item_dict(item), offset)
        break
    voi_luts = tuple(t for t in (_lut(item_dict(item)) for item in ds.get("VOILUTSequence", None) or ()) if t is not None)
    centers, widths = header_numbers(path, ds, "WindowCenter"), header_numbers(path, ds, "WindowWidth")
    # Window Center & Width Explanation is free text ("Referred by Dr ... 5/3/24" has been seen):
    # never kept; the presets get neutral names ("File window 1", ...).
    windows = tuple(Window(c, w) for c, w in zip(centers, widths) if w > 0)
    function = str(ds.get("VOILUTFunction", "") or "LINEAR").strip().upper() or "LINEAR"
    shape = str(ds.get("PresentationLUTShape", "") or "IDENTITY").strip().upper() or "IDENTITY"

    def padding(keyword: str) -> int | None:
        value = header_integer(path, ds, keyword)
        if value is None:
            return None
        if signed and value >= 32768:
            value -= 65536
        return value + offset

    spacing = next((v[0] for v in (header_numbers(path, ds, k) for k in ("PixelSpacing", "ImagerPixelSpacing")) if v and v[0] > 0), None)
    # Rescale Type is not needed for display, and is free text (LO): not kept.
    extra = {"signed_offset": offset} if offset else {}
    return DisplayAttributes(
        photometric=photometric,
        bits_stored=bits_stored,
        rescale_slope=slope,
        rescale_intercept=intercept,
        modality_lut=modality_lut,
        windows=windows,
        voi_lut_function=function if function in ("LINEAR", "LINEAR_EXACT", "SIGMOID") else "LINEAR",
        voi_luts=voi_luts,
        presentation_lut_shape=shape if shape in ("IDENTITY", "INVERSE") else "IDENTITY",
        pixel_padding_value=padding("PixelPaddingValue"),
        pixel_padding_range_limit=padding("PixelPaddingRangeLimit"),
        pixel_spacing_mm=spacing,
        extra=extra,
    )


def _transfer_syntax(ds):
    meta = getattr(ds, "file_meta", None)
    uid = meta.get("TransferSyntaxUID") if meta is not None else None
    if uid is None:
        from pydicom.uid import ImplicitVRLittleEndian

        uid = ImplicitVRLittleEndian
    return uid


#: Photometric interpretations named in messages; any other header text is not repeated.
_PHOTOMETRICS = {"RGB", "YBR_FULL", "YBR_FULL_422", "YBR_PARTIAL_420", "YBR_ICT", "YBR_RCT", "PALETTE COLOR", "MONOCHROME1", "MONOCHROME2"}


def _syntax_label(uid) -> str:
    """A transfer syntax as "name (UID)" when it is a registered one; header text is never repeated."""
    from pydicom.uid import UID_dictionary

    text = str(uid)
    if text in UID_dictionary:
        return f"{UID_dictionary[text][0]} ({text})"
    return "an unregistered transfer syntax UID"


def _check_decodable(path: Path, ds) -> None:
    """Refuse, naming the missing decoder, before trying to decode."""
    from pydicom.pixels import get_decoder

    uid = _transfer_syntax(ds)
    try:
        decoder = get_decoder(uid)
    except NotImplementedError:
        raise _bad(
            path,
            f"unsupported transfer syntax {_syntax_label(uid)}: no decoder exists for it here",
            "export the image uncompressed (Explicit VR Little Endian) or as JPEG 2000 / JPEG-LS",
        ) from None
    if not decoder.is_available:
        missing = "; ".join(f"{name}: {', '.join(deps)}" for name, deps in decoder.missing_dependencies.items()) or "none installed"
        raise _bad(
            path,
            f"no decoder installed for {_syntax_label(uid)} — missing {missing}",
            "reinstall RUSH Rater with its decoders (pip install rushrater) or export the image uncompressed",
        )


_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF, 0xF7}  # F7: JPEG-LS


def codestream_size(data: bytes) -> tuple[int, int] | None:
    """(rows, columns) a JPEG, JPEG-LS or JPEG 2000 codestream declares, read from its SOF or SIZ
    marker; None when the data is none of these (RLE, deflate) or the marker is not found.

    Written here rather than taken from pydicom: its JPEG parser is private and its JPEG 2000
    parameters omit the image size. A decoder allocates what the codestream declares, not what the
    DICOM header says, so this is what has to be checked before decoding.
    """
    if data[:4] == b"\xff\x4f\xff\x51":  # JPEG 2000 codestream: SOC then SIZ
        if len(data) < 24:
            return None
        xsiz, ysiz, xosiz, yosiz = struct.unpack(">IIII", data[8:24])
        return max(0, ysiz - yosiz), max(0, xsiz - xosiz)
    if data[:2] != b"\xff\xd8":
        if data[4:8] == b"jP  ":  # a JP2 file (boxes) where a codestream belongs: find the codestream
            start = data.find(b"\xff\x4f\xff\x51")
            return codestream_size(data[start:]) if start >= 0 else None
        return None
    offset = 2
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if marker in _JPEG_SOF:
            if offset + 9 > len(data):
                return None
            rows, columns = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return rows, columns
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            offset += 2
            continue
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        offset += 2 + length
    return None


def _check_codestream(path: Path, ds, rows: int, columns: int) -> None:
    """Refuse compressed pixel data whose codestream declares another size than Rows x Columns
    (a few kilobytes can claim 60000 x 60000 and take the machine's memory when decoded)."""
    if not _transfer_syntax(ds).is_compressed:
        return
    from pydicom.encaps import generate_fragments

    # The first item is the Basic Offset Table; the codestream's header is in the next ones.
    head = b""
    try:
        for fragment in itertools.islice(generate_fragments(ds.PixelData), 1, None):
            head += bytes(fragment[:65536])
            if len(head) >= 65536:
                break
    except Exception:
        raise _bad(path, "compressed pixel data is not encapsulated correctly — truncated or damaged?", "re-export the image from PACS") from None
    size = codestream_size(head)
    if size is not None and size[0] == 0:
        # JPEG may leave the height to a later DNL marker: compare the width (the memory cap and
        # the decoded-shape check still hold for the height).
        size = (rows, size[1])
    if size is not None and size != (rows, columns):
        raise _bad(
            path,
            f"the compressed image declares {size[1]} x {size[0]} pixels but the header says {columns} x {rows}",
            "re-export the image from PACS; the file is damaged or crafted",
        )


def read_dicom_dataset(path: Path, head: bytes):
    """The parsed DICOM dataset, or None when the file is not DICOM (no preamble, not parseable)."""
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
        # Only the type: pydicom's parse errors can quote the values they failed on.
        raise _bad(path, f"cannot read DICOM file ({type(exc).__name__}) — truncated or damaged?", "re-export from PACS; the file may be truncated") from exc
    if not has_preamble and not any(int(tag) >> 16 in (0x0008, 0x0010, 0x0028, 0x7FE0) for tag in ds.keys()):
        return None  # force=True parses anything; a file with no DICOM groups is not DICOM
    return ds


def decode_dicom(path: Path, ds) -> DecodedImage:
    """Pixels and display attributes of a (de-identified) dataset, with every refusal named."""
    if "PixelData" not in ds:
        if any(k in ds for k in ("FloatPixelData", "DoubleFloatPixelData")):
            raise _bad(path, "float pixel data (a parametric map, not a radiograph)", "export the radiograph itself")
        raise _bad(path, "DICOM file has no pixel data (a report or structured document?)", "export the image itself")
    rows, columns = header_integer(path, ds, "Rows", 0), header_integer(path, ds, "Columns", 0)
    if rows <= 0 or columns <= 0:
        raise _bad(path, "DICOM image has no Rows/Columns", "re-export from PACS")
    _check_size(path, rows, columns)
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2")).strip().upper()
    samples = header_integer(path, ds, "SamplesPerPixel", 1)
    if samples != 1 or photometric not in ("MONOCHROME1", "MONOCHROME2"):
        raise _bad(
            path,
            f"colour image ({photometric if photometric in _PHOTOMETRICS else 'unknown photometric'}, {samples} samples per pixel): a radiograph is grayscale",
            "export the radiograph itself, not a colour secondary capture",
        )
    frames = header_integer(path, ds, "NumberOfFrames", 1) or 1
    if frames > 1:
        raise _bad(path, f"multi-frame image ({frames} frames)", "export the single radiograph you want rated")
    for keyword in ("BitsAllocated", "BitsStored", "HighBit", "PixelPaddingValue", "PixelPaddingRangeLimit"):
        header_integer(path, ds, keyword)
    slopes, intercepts = header_numbers(path, ds, "RescaleSlope"), header_numbers(path, ds, "RescaleIntercept")
    for keyword in ("WindowCenter", "WindowWidth", "PixelSpacing", "ImagerPixelSpacing"):
        header_numbers(path, ds, keyword)
    _check_decodable(path, ds)
    _check_codestream(path, ds, rows, columns)
    try:
        array = np.asarray(ds.pixel_array)
    except MemoryError:
        raise
    except Exception as exc:
        # The decoder's own message is left out: it may quote header values.
        raise _bad(
            path,
            f"cannot decode DICOM pixel data ({type(exc).__name__}; transfer syntax {_syntax_label(_transfer_syntax(ds))}) — truncated or damaged?",
            "re-export the image from PACS",
        ) from exc
    if array.ndim != 2 or array.shape != (rows, columns):
        raise _bad(path, f"decoded pixels have shape {array.shape}, expected {(rows, columns)}", "re-export the image from PACS")
    bits_allocated = header_integer(path, ds, "BitsAllocated", array.dtype.itemsize * 8) or 16
    bits_stored = header_integer(path, ds, "BitsStored", bits_allocated) or bits_allocated
    if bits_stored > 16 or array.dtype.itemsize > 2 and not np.issubdtype(array.dtype, np.integer):
        raise _bad(path, f"{bits_stored}-bit pixels: radiographs have at most 16 bits", "export a 16-bit radiograph")
    slope = (slopes[0] if slopes else 0.0) or 1.0
    intercept = intercepts[0] if intercepts else 0.0
    offset = 0
    if np.issubdtype(array.dtype, np.signedinteger):
        # The store keeps unsigned pixels: shift by 2^(bits-1) and fold the shift into the rescale
        # (and into the modality LUT's first value and the padding values), so display is unchanged.
        offset = 1 << (bits_stored - 1)
        array = (array.astype(np.int32) + offset).astype(np.uint16)
        intercept -= slope * offset
    elif bits_stored < array.dtype.itemsize * 8:
        # Unused high bits may hold overlay bits or noise: they are not part of the pixel value.
        array = array & np.array((1 << bits_stored) - 1, dtype=array.dtype)
    pixels, bits = _as_unsigned(array, path)
    bits_stored = min(16, max(bits_stored, 1))
    attributes = _display_from_header(path, ds, offset, bits_stored, photometric, float(slope), float(intercept))
    return DecodedImage(
        pixels=pixels,
        bits_stored=bits_stored,
        photometric=photometric,
        source_format="DICOM",
        rescale_slope=float(slope),
        rescale_intercept=float(intercept),
        window_center=attributes.windows[0].center if attributes.windows else None,
        window_width=attributes.windows[0].width if attributes.windows else None,
        pixel_spacing_mm=attributes.pixel_spacing_mm,
        attributes=attributes,
    )


def _read_dicom(path: Path, head: bytes) -> DecodedImage | None:
    ds = read_dicom_dataset(path, head)
    return None if ds is None else decode_dicom(path, ds)


READERS: list[Callable[[Path, bytes], DecodedImage | None]] = [_read_png_or_jpeg, _read_tiff, _read_dicom]


def readers_for(head: bytes) -> list[Callable[[Path, bytes], DecodedImage | None]]:
    """The registry in the order to try: a DICOM preamble wins (a preamble may hold a TIFF header,
    making "dual-personality" files that are DICOM first)."""
    if head[128:132] == b"DICM":
        return [_read_dicom]
    return READERS


def read_head(path: str | Path) -> bytes:
    """The first bytes of a file, with a named refusal for missing, unreadable and empty files."""
    path = Path(path)
    if not path.is_file():
        raise _bad(path, "file not found", "check the path (relative paths are taken from the source folder)")
    try:
        with path.open("rb") as handle:
            head = handle.read(132)
    except OSError as exc:
        raise _bad(path, f"cannot read the file ({exc.strerror or exc})", "check the file's permissions") from exc
    if not head:
        raise _bad(path, "file is empty (0 bytes)", "re-export the image")
    return head


def read_image(path: str | Path) -> DecodedImage:
    """Decode one radiograph, or raise ImageReadError naming the file and what to do."""
    path = Path(path)
    head = read_head(path)
    for reader in readers_for(head):
        image = reader(path, head)
        if image is not None:
            if image.pixels.size == 0:
                raise _bad(path, "image has no pixels", "re-export the image")
            return image
    raise _bad(path, "not a DICOM, PNG, TIFF or JPEG image", "give the radiograph file itself")


def not_an_image(path: Path) -> ImageReadError:
    return _bad(path, "not a DICOM, PNG, TIFF or JPEG image", "give the radiograph file itself")
