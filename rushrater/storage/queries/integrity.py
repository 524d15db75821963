"""Whole-database scans: the blinding check and the migration's JSON check."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import JSON, LargeBinary, select
from sqlalchemy.orm import Session

from .. import models as m


class TextValue(NamedTuple):
    table: str
    column: str
    row_number: int  # 1-based, in the table's select order
    text: str


class DisplayRow(NamedTuple):
    table: str
    row_number: int
    row: m.Image | m.StagedImage


def all_text_values(session: Session):
    """(table, column, row number, text) for every text or JSON value in every table.

    Timestamps the program writes (created_at, audit times) are not text and not read.

    The blinding check reads the whole database this way, so a column added later is covered
    without anyone remembering to list it.
    """
    import json as _json

    for table in m.Base.metadata.sorted_tables:
        # Not the image bytes of a server study (image_blob.data): they are searched image by
        # image like files, and selecting them all at once would hold every image in memory.
        columns = [c for c in table.columns if not isinstance(c.type, LargeBinary)]
        for number, row in enumerate(session.execute(select(*columns)), start=1):
            for column, value in zip(columns, row):
                if value is None:
                    continue
                if isinstance(value, str):
                    yield TextValue(table.name, column.name, number, value)
                elif isinstance(value, (dict, list)):
                    yield TextValue(table.name, column.name, number, _json.dumps(value, ensure_ascii=False))


def rows_with_display(session: Session):
    """(table name, row number, row) of every image and staged image, for checks of their display JSON."""
    for model in (m.Image, m.StagedImage):
        for number, row in enumerate(session.scalars(select(model).order_by(model.id)), start=1):
            yield DisplayRow(model.__tablename__, number, row)


def non_finite_json(session: Session) -> list[str]:
    """"table.column, row N" of every JSON value holding NaN or infinity.

    Imports before issue 18 could store them (SQLite keeps them as invalid JSON); PostgreSQL
    refuses them, so a migration names them first instead of failing half-way.
    """
    import json as _json

    found = []
    for table in m.Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, JSON)]
        if not columns:
            continue
        for number, row in enumerate(session.execute(select(*columns)), start=1):
            for column, value in zip(columns, row):
                try:
                    _json.dumps(value, allow_nan=False)
                except ValueError:
                    found.append(f"{table.name}.{column.name}, row {number}")
    return found
