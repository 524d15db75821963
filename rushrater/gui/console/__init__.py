"""The coordinator console: progress, agreement dashboard, discordant cases and adjudication, and
study settings, behind the study admin password (see :mod:`rushrater.services.admin`)."""

from __future__ import annotations

from .password import AdminPasswordDialog, unlock
from .window import ConsoleWindow, open_console

__all__ = ["AdminPasswordDialog", "ConsoleWindow", "open_console", "unlock"]
