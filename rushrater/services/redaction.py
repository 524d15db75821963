"""Masking burned-in text in stored pixels: per image, and per template (device and size).

The study keeps only de-identified pixels, so a mask is permanent: the masked image is written
under a new random name, the row points at it (with its new hash), and the old file is removed
after the transaction commits. A template applies to every image of its device and size already
in the study and to every later import.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..domain.changes import Changes
from ..domain.errors import NotFoundError, ValidationError
from ..imaging import redaction
from ..imaging.attributes import DisplayAttributes
from ..storage import models, queries
from . import audit
from .study import Study
from .unit_of_work import UnitOfWork, unit_of_work


def _rects(rects: Sequence) -> list[list[int]]:
    out = []
    for value in rects:
        try:
            rect = redaction.Rect.from_value(value)
        except (TypeError, ValueError, KeyError) as exc:
            raise ValidationError(f"rectangle {value!r} is not x,y,width,height", fix="give e.g. 0,0,400,120") from exc
        if rect.width <= 0 or rect.height <= 0:
            raise ValidationError(f"rectangle {value!r} has no area", fix="width and height must be positive")
        out.append(rect.to_list())
    if not out:
        raise ValidationError("no rectangle given", fix="draw or type at least one rectangle")
    return out


def _mask(study: Study, storage_key: str, file_sha256: str, display: dict | None, rects: list[list[int]]):
    pixels = study.images.load(storage_key, file_sha256)
    masked = redaction.apply(pixels, rects, DisplayAttributes.from_dict(display))
    return study.images.put(masked)


def _merge(existing: dict | None, rects: list[list[int]]) -> dict:
    current = list((existing or {}).get("rects", []))
    return {"rects": current + [r for r in rects if r not in current]}


def redact_image(study: Study, image_id: int, rects: Sequence, *, actor: str | None = None) -> Changes:
    """Mask rectangles on one placed image."""
    return _redact(study, image_id=image_id, rects=rects, actor=actor)


def redact_staged(study: Study, item: int, rects: Sequence, *, actor: str | None = None) -> Changes:
    """Mask rectangles on one image awaiting assignment."""
    return _redact(study, staged_id=item, rects=rects, actor=actor)


def _redact(study: Study, *, rects: Sequence, actor: str | None, image_id: int | None = None, staged_id: int | None = None) -> Changes:
    rects = _rects(rects)
    with unit_of_work(study, actor) as uow:
        session = uow.session
        if image_id is not None:
            row = queries.image_by_id(session, image_id)
            if row is None:
                raise NotFoundError(f"no image with id {image_id}", fix="pick an image of the study")
            record = queries.image_deidentification(session, image_id)
        else:
            row = record = queries.staged_image(session, staged_id)
            if row is None:
                raise NotFoundError(f"no image awaiting assignment has item number {staged_id}", fix="list them with `rushrater pending STUDY`")
        _replace_masked(uow, row, rects)
        if record is not None:
            record.redactions = _merge(record.redactions, rects)
        uow.record(
            "images.redact", "image" if image_id is not None else "staged_image",
            image_id if image_id is not None else staged_id, after={"rects": rects},
        )
    return uow.changes


def set_template(study: Study, key: str, rects: Sequence, *, actor: str | None = None) -> int:
    """Save the template's rectangles and mask every matching image; returns how many were masked."""
    rects = _rects(rects)
    if not key or not key.strip():
        raise ValidationError("the template needs its device and size", fix="pick an image to take them from")
    with unit_of_work(study, actor) as uow:
        session = uow.session
        template = queries.redaction_template(session, key)
        before = None
        if template is None:
            template = models.RedactionTemplate(key=key, rects={"rects": rects}, updated_at=audit.now())
            session.add(template)
            added = rects
        else:
            before = dict(template.rects)
            added = [r for r in rects if r not in template.rects.get("rects", [])]
            template.rects = _merge(template.rects, rects)
            template.updated_at = audit.now()
        masked = 0
        if added:
            targets = [(image, record) for image, record in queries.images_with_template(session, key)]
            targets += [(staged, staged) for staged in queries.staged_with_template(session, key)]
            for row, record in targets:
                _replace_masked(uow, row, added)
                record.redactions = _merge(record.redactions, added)
                masked += 1
        uow.record("redaction.template", "redaction_template", key[:60], before=before,
                   after={"rects": template.rects.get("rects", []), "images_masked": masked})
    return masked


def _replace_masked(uow: UnitOfWork, row, rects: list) -> None:
    """Point ``row`` at a masked copy of its image; the unmasked file goes once the change commits."""
    stored = _mask(uow.study, row.storage_key, row.file_sha256, row.display, rects)
    uow.keep_new_file(stored.key)
    uow.retire_file(row.storage_key)
    row.storage_key, row.file_sha256 = stored.key, stored.sha256


def templates(study: Study) -> dict[str, list]:
    with study.db.read() as session:
        return queries.redaction_templates(session)


def pixels_for(study: Study, *, image_id: int | None = None, item: int | None = None):
    """(stored pixels, DisplayAttributes, template key) of a placed image or a staged item."""
    with study.db.read() as session:
        if image_id is not None:
            row = queries.image_by_id(session, image_id)
            record = queries.image_deidentification(session, image_id) if row is not None else None
            template = record.template if record is not None else ""
        else:
            row = queries.staged_image(session, item)
            template = row.template if row is not None else ""
        if row is None:
            raise NotFoundError("that image is no longer in the study", fix="refresh the list")
        key, sha, display = row.storage_key, row.file_sha256, row.display
    return study.images.load(key, sha), DisplayAttributes.from_dict(display), template
