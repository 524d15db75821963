"""Storage: the only package that talks SQL (SQLAlchemy + Alembic).

``Database`` opens a study database with the right pragmas and runs every write as one
transaction; ``models`` is the schema; ``queries`` holds the read queries services need;
``migrations`` is the Alembic history that creates and upgrades every study; ``writes`` holds the
writes besides adding rows. ``Session`` is the type of what ``Database.read``/``write`` yield, for
annotations outside storage (which must not import SQLAlchemy).
"""

from sqlalchemy.orm import Session

from .database import (
    Database,
    DatabaseConnectError,
    TransientDatabaseError,
    is_database_url,
    is_sqlite_url,
    safe_url,
    sqlite_url,
)

__all__ = [
    "Database",
    "DatabaseConnectError",
    "Session",
    "TransientDatabaseError",
    "is_database_url",
    "is_sqlite_url",
    "safe_url",
    "sqlite_url",
]
