"""The study's image store: de-identified pixels under random names, checked by hash on load.

Pixels are kept as lossless grayscale PNG (8 or 16 bit): any tool reads it, it carries no
identifying metadata once re-encoded, and it is about half the size of raw pixels. File names are
random (never derived from patient, case or source file names) and written atomically
(temporary file, fsync, rename), so a crash never leaves a half-written image under a real name.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..domain.errors import RushRaterError


class ImageIntegrityError(RushRaterError):
    pass


@dataclass(frozen=True)
class StoredImage:
    key: str  # path relative to the store root
    sha256: str  # of the stored file


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ImageStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / key

    def put(self, pixels: np.ndarray) -> StoredImage:
        from PIL import Image

        token = secrets.token_hex(16)
        key = f"{token[:2]}/{token}.png"
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{token}.partial")
        array = np.ascontiguousarray(pixels)
        image = Image.fromarray(array)  # uint16 -> 16-bit PNG, uint8 -> 8-bit PNG
        try:
            with partial.open("wb") as handle:
                image.save(handle, format="PNG", compress_level=3)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return StoredImage(key=key, sha256=_sha256_file(target))

    def load(self, key: str, expected_sha256: str | None = None) -> np.ndarray:
        from PIL import Image

        path = self.path(key)
        if not path.is_file():
            raise ImageIntegrityError(
                "stored image is missing", where=str(path), fix="restore the study's images/ folder from backup"
            )
        data = path.read_bytes()
        if expected_sha256 is not None and hashlib.sha256(data).hexdigest() != expected_sha256:
            raise ImageIntegrityError(
                "stored image does not match its recorded hash (changed or damaged on disk)",
                where=str(path),
                fix="restore the study's images/ folder from backup",
            )
        with Image.open(path) as image:
            array = np.asarray(image)
        return array.astype(np.uint16) if array.dtype != np.uint8 else array

    def discard(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)
