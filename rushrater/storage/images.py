"""Image bytes kept in the study database, for studies on a database server.

Six raters at three hospitals cannot share a folder, but they share the database connection, so a
server study keeps every image's stored bytes (the same lossless TIFF a folder study writes) in the
``image_blob`` table, next to its SHA-256. ``DatabaseBlobs`` is the small byte-level store that
``imaging.store.ImageStore`` reads through (imaging stays free of SQL; storage stays free of image
codecs).

New images are first written as files into a local spool folder (imports encode them on a process
pool); ``copy_new_images_on_flush`` copies each one into ``image_blob`` inside the very transaction
that records its ``image`` or ``staged_image`` row, after checking the file against the row's hash.
So an image row never exists without its bytes, and a rolled-back import leaves no bytes behind.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from ..domain.errors import RushRaterError
from . import models


class ImageBytesError(RushRaterError):
    """An image row names bytes that are neither in the database nor in the local spool."""


class DatabaseBlobs:
    """``imaging.store.BlobStore`` over the ``image_blob`` table of a study database."""

    def __init__(self, db):
        self.db = db

    def get(self, key: str) -> bytes | None:
        # A plain connection, no ORM: a 15 MB value should be copied once, not tracked by a session.
        with self.db._translated(), self.db.engine.connect() as connection:
            value = connection.execute(select(models.ImageBlob.data).where(models.ImageBlob.key == key)).scalar()
        return bytes(value) if value is not None else None

    def keys(self) -> list[str]:
        with self.db.read() as session:
            return list(session.scalars(select(models.ImageBlob.key).order_by(models.ImageBlob.key)))

    def delete(self, key: str) -> None:
        with self.db.write() as session:
            session.execute(delete(models.ImageBlob).where(models.ImageBlob.key == key))

    def put(self, key: str, data: bytes) -> str:
        """Store bytes under a key directly (the migrate command copies images this way)."""
        sha = hashlib.sha256(data).hexdigest()
        with self.db.write() as session:
            session.merge(models.ImageBlob(key=key, sha256=sha, size=len(data), data=data, created_at=_now()))
        return sha


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _blob_for(session: Session, spool: Path, key: str, sha256: str) -> models.ImageBlob | None:
    with session.no_autoflush:
        if session.scalar(select(models.ImageBlob.key).where(models.ImageBlob.key == key)) is not None:
            return None
    path = spool / key
    if not path.is_file():
        raise ImageBytesError(
            "the image file to store is missing from the local spool",
            where=str(path),
            fix="import the image again",
        )
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise ImageBytesError(
            "the image file changed after it was encoded (its hash differs)", where=str(path), fix="import the image again"
        )
    return models.ImageBlob(key=key, sha256=actual, size=len(data), data=data, created_at=_now())


def copy_new_images_on_flush(session: Session, spool: Path) -> None:
    """Copy the bytes of every new or re-keyed row with ``storage_key`` + ``file_sha256`` (image,
    staged image, CT series) into ``image_blob`` in the same flush."""

    def before_flush(session: Session, _context, _instances) -> None:
        added: set[str] = set()
        for obj in list(session.new) + list(session.dirty):
            # Every row that names stored bytes (images, staged images, CT series, …).
            key, sha = getattr(obj, "storage_key", None), getattr(obj, "file_sha256", None)
            if not isinstance(key, str) or not isinstance(sha, str):
                continue
            if not key or key in added:
                continue
            blob = _blob_for(session, spool, key, sha)
            if blob is not None:
                session.add(blob)
                added.add(key)

    event.listen(session, "before_flush", before_flush)
