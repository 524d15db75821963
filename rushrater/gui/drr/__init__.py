"""Radiographs from CT (the DRR window) and the 3D bone view."""

from .bone_view import BoneViewWindow, open_bone_view
from .window import DrrWindow, open_drr_window

__all__ = ["BoneViewWindow", "DrrWindow", "open_bone_view", "open_drr_window"]
