"""The coordinator's import window (import, report, assignment, redaction)."""

from .window import ImportWindow, open_import_window

__all__ = ["ImportWindow", "open_import_window"]
