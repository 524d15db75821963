"""Random codes for cases: short, unambiguous when read aloud or typed (Crockford base32)."""

from __future__ import annotations

import re
import secrets

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PATIENT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


def random_code(prefix: str, length: int = 6, taken: set[str] | None = None) -> str:
    """A random code not in ``taken`` (never derived from an identifier, so it reveals nothing)."""
    while True:
        code = prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if taken is None or code not in taken:
            if taken is not None:
                taken.add(code)
            return code
