"""Storage: the only package that talks SQL (SQLAlchemy + Alembic).

``Database`` opens a study database with the right pragmas and runs every write as one
transaction; ``models`` is the schema; ``queries`` holds the read queries services need;
``migrations`` is the Alembic history that creates and upgrades every study.
"""

from .database import Database, is_sqlite_url, sqlite_url

__all__ = ["Database", "is_sqlite_url", "sqlite_url"]
