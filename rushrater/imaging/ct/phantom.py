"""A synthetic axial slice with known areas, for tests and benchmarks of the measurement."""

from __future__ import annotations

import numpy as np


def phantom(shape=(512, 512), spacing_mm: float = 0.8, *, noise: float = 0.0, seed: int = 0,
            arm: bool = False) -> tuple[np.ndarray, dict[str, float]]:
    """A synthetic axial slice: nested ellipses of skin, subcutaneous fat, a muscle wall, and a
    visceral compartment (a fat lining around soft tissue holding two fat ellipses); with the
    exact areas (cm²) of the continuous ellipses."""
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w]
    cy, cx = h / 2, w / 2
    scale = min(h, w) / 512

    def ellipse(a, b, oy=0.0, ox=0.0):
        return ((xx - cx - ox * scale) / (a * scale)) ** 2 + ((yy - cy - oy * scale) / (b * scale)) ** 2 <= 1

    image = np.full(shape, -1000, dtype=np.int16)
    if arm:  # an arm lying against the trunk's side (its fat is not the trunk's subcutaneous fat)
        image[ellipse(48, 62, 0, -245)] = 40
        image[ellipse(44, 58, 0, -245)] = -100
        image[ellipse(30, 42, 0, -245)] = 50
        image[ellipse(10, 12, 0, -245)] = 700
    image[ellipse(200, 150)] = 40  # skin
    image[ellipse(196, 146)] = -100  # subcutaneous fat
    image[ellipse(160, 110)] = 50  # muscle wall
    image[ellipse(135, 88)] = -100  # extraperitoneal fat lining the cavity (visceral)
    image[ellipse(126, 79)] = 35  # visceral organs (soft tissue)
    image[ellipse(50, 30, 0, -60)] = -100  # visceral fat between the organs
    image[ellipse(40, 25, 10, 70)] = -100
    if noise:
        rng = np.random.default_rng(seed)
        image = np.clip(image + rng.normal(0, noise, shape), -1024, 3000).astype(np.int16)
    px = spacing_mm * spacing_mm / 100.0

    def area(a: float, b: float) -> float:
        return np.pi * a * scale * b * scale * px

    exact = {
        "subcutaneous_fat_cm2": area(196, 146) - area(160, 110),
        "muscle_cm2": area(160, 110) - area(135, 88),
        "visceral_fat_cm2": area(135, 88) - area(126, 79) + area(50, 30) + area(40, 25),
    }
    return image, exact
