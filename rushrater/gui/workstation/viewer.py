"""The workstation's radiograph view: the shared :class:`~rushrater.gui.radiograph_view.RadiographView`
(window/level, invert, zoom and pan, pyramid levels, magnifier), saying "Loading…" until its case's
image is there. The class keeps its name: it is the strings' translation context."""

from __future__ import annotations

from ..qt import QWidget
from ..radiograph_view import PRESET_NAMES, RadiographView

__all__ = ["PRESET_NAMES", "ImageViewer"]


class ImageViewer(RadiographView):
    """One view of a case (AP or lateral); emits what the reader changes, so two viewers can be linked."""

    def __init__(self, caption: str, parent: QWidget | None = None):
        super().__init__(caption, parent)
        self.show_message(self.tr("Loading…"))
