"""RUSH Rater: blinded multi-rater Radiographic Union Score for Hip reading studies."""

__version__ = "0.1.0"
