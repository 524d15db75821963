"""Small pieces the start window's pages share: scaled fonts, muted labels, local times."""

from __future__ import annotations

from datetime import datetime, timezone

from ..qt import QFont, QLabel, QPalette, QWidget


def scaled_font(widget: QWidget, factor: float, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    size = font.pointSizeF()
    if size > 0:
        font.setPointSizeF(size * factor)
    font.setBold(bold)
    return font


def muted(label: QLabel) -> QLabel:
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def section_label(text: str, font_of: QWidget) -> QLabel:
    label = QLabel(text)
    label.setFont(scaled_font(font_of, 1.15, bold=True))
    return label


def format_when(iso: str) -> str:
    """An ISO time from the database (UTC; naive means UTC) as local ``YYYY-MM-DD HH:MM``."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")
