"""One source file through import: read, de-identify, decode, hash, mask, store.

:func:`prepare` is what each worker process runs (it is a plain top-level function so a process
pool can call it): the heavy work — decompression, hashing, TIFF encoding — runs on every core,
and only small, picklable results come back. Identifiers read from the header travel back only for
the key file and the blinding check; the stored pixels and display attributes carry none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.errors import RushRaterError
from . import deid, redaction
from .readers import DecodedImage, ImageReadError, decode_dicom, not_an_image, pixel_hash, read_dicom_dataset, read_head, READERS
from .store import ImageStore
from .textscan import printable_runs


@dataclass
class PrepareOptions:
    store_root: str
    uid_secret: bytes
    known_hashes: frozenset[str] = frozenset()
    #: redaction template key -> rectangles [x, y, w, h]
    templates: dict[str, list[list[int]]] = field(default_factory=dict)
    #: "Manufacturer / Model" -> the study's code for it (from the key file)
    device_codes: dict[str, str] = field(default_factory=dict)


@dataclass
class Prepared:
    path: str
    status: str  # "ready" | "duplicate" | "rejected"
    reason: str = ""
    content_sha256: str = ""
    file_sha256: str = ""
    storage_key: str = ""
    source_format: str = ""
    width: int = 0
    height: int = 0
    display: dict = field(default_factory=dict)  # DisplayAttributes.to_dict()
    image_fields: dict = field(default_factory=dict)  # the image row's legacy display columns
    identifiers: dict = field(default_factory=dict)  # deid.Identifiers as dict (DICOM only)
    hints: dict = field(default_factory=dict)  # view hints (DICOM only)
    device: str = ""  # the study's device code; the parent gives new devices one
    device_name: str = ""  # manufacturer and model as the header says: for the key file only
    template: str = ""
    redactions: list = field(default_factory=list)
    deid_method: str = ""
    text: str = ""  # printable runs of the stored file, for the blinding check


def _image_fields(image: DecodedImage) -> dict:
    return {
        "width": image.width,
        "height": image.height,
        "bits_stored": image.bits_stored,
        "photometric": image.photometric,
        "rescale_slope": image.rescale_slope,
        "rescale_intercept": image.rescale_intercept,
        "window_center": image.window_center,
        "window_width": image.window_width,
        "pixel_spacing_mm": image.pixel_spacing_mm,
        "source_format": image.source_format,
    }


def read_source(path: Path, uids: deid.UidMapper):
    """(DecodedImage, Identifiers | None, hints, device, method): DICOM is de-identified before decoding."""
    head = read_head(path)
    ds = None
    if head[128:132] != b"DICM":  # a DICOM preamble may look like TIFF: DICOM wins
        for reader in READERS[:-1]:  # PNG/JPEG, TIFF: only pixels are read
            image = reader(path, head)
            if image is not None:
                return image, None, {}, "", "pixels re-encoded; file metadata (EXIF, text chunks) not read"
    ds = read_dicom_dataset(path, head)
    if ds is None:
        raise not_an_image(path)
    ids = deid.identifiers(ds)
    hints = deid.view_hints(ds)
    device = deid.device_key(ds)
    original_uids = deid.all_uids(ds)
    deid.deidentify(ds, uids)
    problems = deid.check_profile(ds, original_uids)
    if problems:  # a bug, not bad input: never store what failed the profile
        raise RuntimeError("de-identification incomplete: " + "; ".join(problems[:5]))
    image = decode_dicom(path, ds)
    return image, ids, hints, device, deid.METHOD


def warm_up() -> None:
    """Import the decoders and encoders once in the parent, so forked workers start ready
    (otherwise every worker spends half a second importing them on its first image)."""
    import pydicom.pixels  # noqa: F401
    import tifffile  # noqa: F401
    from PIL import Image  # noqa: F401

    for module in ("imagecodecs", "pylibjpeg", "openjpeg", "libjpeg"):
        try:
            __import__(module)
        except ImportError:
            pass


def prepare(path: str, options: PrepareOptions) -> Prepared:
    """Never raises for bad input: every file comes back ready, duplicate or rejected with a reason."""
    result = Prepared(path=path, status="rejected")
    try:
        image, ids, hints, device, method = read_source(Path(path), deid.UidMapper(options.uid_secret))
        if image.pixels.size == 0:
            raise ImageReadError("image has no pixels", where=path, fix="re-export the image")
    except RushRaterError as exc:
        result.reason = exc.message
        return result
    except MemoryError:
        result.reason = "decoding needs more memory than the limit per file (image too large, or a damaged or crafted file)"
        return result
    except Exception as exc:  # a damaged file can make any decoder raise anything
        # Only the exception's type: its message may quote header values (a name where a number
        # belongs), and reasons are kept in the study's reports.
        result.reason = f"cannot read the file ({type(exc).__name__} while reading or decoding it)"
        return result
    result.content_sha256 = image.content_sha256
    result.source_format = image.source_format
    result.width, result.height = image.width, image.height
    result.identifiers = ids.__dict__ if ids is not None else {}
    result.hints = hints
    # Manufacturer and model can tell raters the site: the study keeps a code (the key file the name).
    result.device_name = device
    result.device = options.device_codes.get(device, "") if device else ""
    result.deid_method = method
    attributes = image.display
    result.display = attributes.to_dict()
    result.image_fields = _image_fields(image)
    try:  # NaN or infinity is invalid JSON (and refused by PostgreSQL): never stored
        json.dumps([result.display, result.image_fields], allow_nan=False)
    except ValueError:
        result.reason = "a display attribute is not a finite number"
        return result
    if result.content_sha256 in options.known_hashes:
        result.status = "duplicate"
        return result
    # A device without a code yet is new to the study, so no template of it exists yet either.
    result.template = redaction.template_key(result.device, image.width, image.height) if result.device or not device else ""
    rects = options.templates.get(result.template, [])
    pixels = image.pixels
    if rects:
        pixels = redaction.apply(pixels, rects, attributes)
        result.redactions = [list(r) for r in rects]
    store = ImageStore(Path(options.store_root))
    stored = store.put(pixels)
    result.storage_key, result.file_sha256 = stored.key, stored.sha256
    result.text = printable_runs(store.path(stored.key).read_bytes())
    result.status = "ready"
    return result


__all__ = ["PrepareOptions", "Prepared", "prepare", "read_source", "pixel_hash"]
