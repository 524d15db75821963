"""Import and de-identification (issue 3): staged images, redaction templates, devices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import models as m


class ImageWithDeidentification(NamedTuple):
    image: m.Image
    deidentification: m.ImageDeidentification


class ImageProvenance(NamedTuple):
    source_format: str
    deidentified: bool  # has a recorded de-identification
    images: int


def known_content_hashes(session: Session) -> set[str]:
    """Pixel hashes of every image in the study, placed or awaiting assignment."""
    placed = session.scalars(select(m.Image.content_sha256))
    staged = session.scalars(select(m.StagedImage.content_sha256))
    return set(placed) | set(staged)


def staged_images(session: Session) -> list[m.StagedImage]:
    return list(session.scalars(select(m.StagedImage).order_by(m.StagedImage.id)))


def staged_image(session: Session, staged_id: int) -> m.StagedImage | None:
    return session.get(m.StagedImage, staged_id)


def staged_by_content(session: Session, hashes: Iterable[str]) -> dict[str, m.StagedImage]:
    hashes = list(hashes)
    if not hashes:
        return {}
    rows = session.scalars(select(m.StagedImage).where(m.StagedImage.content_sha256.in_(hashes)))
    return {r.content_sha256: r for r in rows}


def redaction_templates(session: Session) -> dict[str, list]:
    return {t.key: list(t.rects.get("rects", [])) for t in session.scalars(select(m.RedactionTemplate))}


def device_codes_in_use(session: Session) -> set[str]:
    """Every device value of stored and staged images (codes, or names in studies from before codes)."""
    return set(session.scalars(select(m.ImageDeidentification.device).distinct())) | set(
        session.scalars(select(m.StagedImage.device).distinct())
    )


def redaction_template(session: Session, key: str) -> m.RedactionTemplate | None:
    return session.scalars(select(m.RedactionTemplate).where(m.RedactionTemplate.key == key)).first()


def image_deidentification(session: Session, image_id: int) -> m.ImageDeidentification | None:
    return session.get(m.ImageDeidentification, image_id)


def images_with_template(session: Session, key: str) -> list[ImageWithDeidentification]:
    rows = session.execute(
        select(m.Image, m.ImageDeidentification)
        .join(m.ImageDeidentification, m.ImageDeidentification.image_id == m.Image.id)
        .where(m.ImageDeidentification.template == key)
    )
    return [ImageWithDeidentification(image, record) for image, record in rows]


def staged_with_template(session: Session, key: str) -> list[m.StagedImage]:
    return list(session.scalars(select(m.StagedImage).where(m.StagedImage.template == key)))


def image_deidentification_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(m.ImageDeidentification)) or 0)


def image_provenance(session: Session) -> list[ImageProvenance]:
    """(source format, has a recorded de-identification, number of images) over the study's images."""
    deidentified = m.ImageDeidentification.image_id.is_not(None)
    rows = session.execute(
        select(m.Image.source_format, deidentified, func.count())
        .outerjoin(m.ImageDeidentification, m.ImageDeidentification.image_id == m.Image.id)
        .group_by(m.Image.source_format, deidentified)
        .order_by(m.Image.source_format)
    )
    return [ImageProvenance(str(fmt), bool(deid), int(n)) for fmt, deid, n in rows]


def referenced_storage_keys(session: Session) -> set[str]:
    """The image-folder keys some row names: images, staged images and CT series."""
    keys: set[str] = set()
    for column in (m.Image.storage_key, m.StagedImage.storage_key, m.CtSeries.storage_key):
        keys.update(session.scalars(select(column)))
    return keys
