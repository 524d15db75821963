"""The body-composition window (CT at T12)."""

from .window import BodyCompWindow, open_bodycomp_window

__all__ = ["BodyCompWindow", "open_bodycomp_window"]
