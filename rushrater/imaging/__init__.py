"""Imaging: the only package that reads image files (pydicom, Pillow, tifffile).

``readers`` decodes an input file into pixels plus the attributes display needs; ``store`` keeps
de-identified pixels in the study under random names; ``synthetic`` renders demo radiographs.
"""
