"""The text hidden in binary data, as the Unix ``strings`` tool finds it (ASCII and UTF-16LE runs).

The blinding check searches stored image files for identifiers. Searching every byte for hundreds
of identifier forms is slow (each ``bytes.find`` passes over megabytes); an identifier that was
written into a file is a run of printable characters, so the runs are pulled out once (vectorised
with numpy: about 20 ms for a 5 MB image, where a ``re`` scan takes 250 ms) and searched instead.
"""

from __future__ import annotations

import numpy as np

_PRINTABLE = np.zeros(256, dtype=bool)
_PRINTABLE[0x20:0x7F] = True


def _runs(chars: np.ndarray, mask: np.ndarray, min_length: int) -> np.ndarray:
    """The bytes of every long enough run, each run followed by a newline (all vectorised)."""
    if not mask.any():
        return np.zeros(0, dtype=np.uint8)
    padded = np.zeros(len(mask) + 2, dtype=np.int8)
    padded[1:-1] = mask
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    long = (ends - starts) >= min_length
    starts, ends = starts[long], ends[long]
    if not len(starts):
        return np.zeros(0, dtype=np.uint8)
    # Runs never touch (a non-printable byte separates them), so a start never equals an end.
    marks = np.zeros(len(chars) + 1, dtype=np.int8)
    marks[starts] = 1
    marks[ends] = -1
    kept = chars[np.cumsum(marks[:-1], dtype=np.int8) > 0]
    return np.insert(kept, np.cumsum(ends - starts), 10)


def printable_runs(data: bytes, min_length: int = 4) -> str:
    """Runs of at least ``min_length`` printable characters, one per line (ASCII, then UTF-16LE)."""
    array = np.frombuffer(data, dtype=np.uint8)
    printable = _PRINTABLE[array]
    zero = array == 0
    parts = [_runs(array, printable, min_length)]
    for offset in (0, 1):
        n = (len(array) - offset) // 2
        chars = array[offset : offset + 2 * n : 2]
        mask = printable[offset : offset + 2 * n : 2] & zero[offset + 1 : offset + 2 * n : 2]
        parts.append(_runs(chars, mask, min_length))
    return np.concatenate(parts).tobytes().decode("ascii")
