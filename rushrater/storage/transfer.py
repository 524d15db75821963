"""Copying a whole study between database backends (SQLite folder <-> PostgreSQL server).

The destination's schema is created through the same migrations as ``init`` and every row is
copied with its own primary key, inside ONE transaction on the destination together with the
schema: a failure leaves the destination as empty as it was. Before that transaction commits,
each table's row count and a SHA-256 over its rows (ordered by primary key, values normalised:
date-times in UTC, JSON with sorted keys) are computed on both sides and must be equal.

Images: a folder study keeps its bytes as files, a server study in ``image_blob``; every stored
image is carried across and checked by its SHA-256.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Connection

from ..domain.errors import RushRaterError
from ..domain.files import write_bytes_atomically
from . import models
from .database import Database, alembic_config, safe_url

BATCH = 500
#: Tables whose bytes travel as images (files <-> image_blob), not as rows.
IMAGE_TABLE = "image_blob"


class TransferError(RushRaterError):
    """The copy did not verify, or the destination cannot take it; nothing was kept."""


@dataclass
class TableCheck:
    rows: int
    sha256: str


@dataclass
class TransferReport:
    tables: dict[str, TableCheck] = field(default_factory=dict)
    images: int = 0
    image_bytes: int = 0


def copy_tables() -> list[Table]:
    """Every study table in foreign-key order, except the image bytes."""
    return [t for t in models.Base.metadata.sorted_tables if t.name != IMAGE_TABLE]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _normalise(value):
    if isinstance(value, datetime):
        return _utc(value)
    return value


def _canonical(value) -> str:
    if isinstance(value, datetime):
        return _utc(value).isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (bytes, memoryview)):
        return hashlib.sha256(bytes(value)).hexdigest()
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _rows(connection: Connection, table: Table) -> Iterator[dict]:
    order = list(table.primary_key.columns)
    # yield_per on the statement (not the connection, where it would stick): rows arrive in batches.
    result = connection.execute(select(table).order_by(*order).execution_options(yield_per=BATCH))
    for row in result.mappings():
        yield dict(row)


def table_check(connection: Connection, table: Table) -> TableCheck:
    digest = hashlib.sha256()
    count = 0
    for row in _rows(connection, table):
        count += 1
        digest.update("\x1f".join(_canonical(row[c.name]) for c in table.columns).encode("utf-8"))
        digest.update(b"\x1e")
    return TableCheck(count, digest.hexdigest())


def destination_tables(db: Database) -> list[str]:
    db.check_connection()
    return db.table_names()


def copy_study(
    source: Database,
    dest: Database,
    *,
    source_files: Path | None,
    dest_files: Path | None,
    progress: Callable[[str], None] | None = None,
    after_copy: Callable[[Connection], None] | None = None,
) -> TransferReport:
    """Copy ``source`` into the empty ``dest``. ``*_files``: the image folder of a folder study.

    ``after_copy`` runs inside the destination transaction after verification (the service
    records its audit event there).
    """
    from alembic import command

    say = progress or (lambda _m: None)
    report = TransferReport()
    written: list[Path] = []
    try:
        with source.engine.connect() as src, dest.engine.begin() as dst:
            config = alembic_config(dest.url)
            config.attributes["connection"] = dst
            command.upgrade(config, "head")
            for table in copy_tables():
                batch: list[dict] = []
                for row in _rows(src, table):
                    batch.append({k: _normalise(v) for k, v in row.items()})
                    if len(batch) >= BATCH:
                        dst.execute(table.insert(), batch)
                        batch = []
                if batch:
                    dst.execute(table.insert(), batch)
                expected, actual = table_check(src, table), table_check(dst, table)
                if expected != actual:
                    raise TransferError(
                        f"table {table.name} did not copy exactly ({expected.rows} rows, {actual.rows} arrived)",
                        where=safe_url(dest.url),
                        fix="nothing was kept; run the command again, and report it if it repeats",
                    )
                report.tables[table.name] = actual
                say(f"{table.name}: {actual.rows} rows, sha256 {actual.sha256[:12]}")
            if dst.dialect.name == "postgresql":
                _reset_sequences(dst)
            report.images, report.image_bytes = _copy_images(src, dst, source_files, dest_files, written)
            say(f"images: {report.images} ({report.image_bytes / 1e6:.1f} MB), each checked by SHA-256")
            if after_copy is not None:
                after_copy(dst)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return report


def _reset_sequences(dst: Connection) -> None:
    """Rows kept their ids: move each id sequence past them so new rows do not collide."""
    for table in copy_tables():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement is not False and pk[0].type.python_type is int:
            dst.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                    f"COALESCE((SELECT max({pk[0].name}) FROM {table.name}), 0) + 1, false)"
                )
            )


def _copy_images(src, dst, source_files: Path | None, dest_files: Path | None, written: list[Path]) -> tuple[int, int]:
    blob = models.ImageBlob.__table__
    count = size = 0
    for key, data, recorded in _source_images(src, source_files):
        actual = hashlib.sha256(data).hexdigest()
        if recorded is not None and actual != recorded:
            raise TransferError(
                "a stored image does not match its recorded hash", where=key, fix="restore the study's images from backup"
            )
        if dest_files is None:
            dst.execute(blob.insert(), [{"key": key, "sha256": actual, "size": len(data), "data": data,
                                         "created_at": datetime.now(timezone.utc)}])
            back = dst.execute(select(blob.c.data).where(blob.c.key == key)).scalar()
            arrived = hashlib.sha256(bytes(back)).hexdigest()
        else:
            target = dest_files / key
            target.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomically(target, data)
            written.append(target)
            arrived = hashlib.sha256(target.read_bytes()).hexdigest()
        if arrived != actual:
            raise TransferError("an image did not arrive intact", where=key, fix="nothing was kept; run the command again")
        count += 1
        size += len(data)
    return count, size


def _source_images(src: Connection, source_files: Path | None) -> Iterator[tuple[str, bytes, str | None]]:
    if source_files is not None:
        if not source_files.is_dir():
            return
        for path in sorted(p for p in source_files.rglob("*") if p.is_file() and not p.name.startswith(".")):
            yield str(path.relative_to(source_files).as_posix()), path.read_bytes(), None
        return
    blob = models.ImageBlob.__table__
    keys = list(src.execute(select(blob.c.key).order_by(blob.c.key)).scalars())
    for key in keys:
        data, sha = src.execute(select(blob.c.data, blob.c.sha256).where(blob.c.key == key)).one()
        yield key, bytes(data), sha


def image_count(connection: Connection) -> int:
    return connection.execute(select(func.count()).select_from(models.ImageBlob.__table__)).scalar_one()
