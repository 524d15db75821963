"""Study links: a small ``NAME.rushrater`` file that opens a study by double-click.

A study is a folder, and desktops cannot give a folder its own file type; so the desktop
integration (packaging/linux/rushrater.desktop, the Windows installer, the macOS bundle) associates
the type ``application/x-rushrater-study`` with ``*.rushrater`` link files, and also accepts a
study's own ``study.db``. A link is JSON, ``{"rushrater_study": 1, "path": "..."}``; a relative path
is taken from the link's folder, so a link kept beside the study survives moving both together.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..domain.errors import NotAStudyError, StudyNotFoundError, ValidationError

LINK_SUFFIX = ".rushrater"
LINK_FORMAT = 1
MIME_TYPE = "application/x-rushrater-study"


def resolve_study_location(path: str | Path) -> Path:
    """The study folder meant by ``path``: a study folder, its ``study.db``, or a ``.rushrater`` link."""
    path = Path(path).expanduser()
    if path.name == "study.db" and path.is_file():
        return path.parent
    if path.suffix.lower() != LINK_SUFFIX or path.is_dir():
        return path
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StudyNotFoundError(f"no study link at {path}", where=str(path), fix="check the file name") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise NotAStudyError(
            f"{path.name} is not a RUSH Rater study link ({exc})",
            where=str(path),
            fix="make a new link: rushrater link STUDY --output FILE.rushrater",
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("path"), str) or not data["path"]:
        raise NotAStudyError(
            f"{path.name} does not name a study folder",
            where=str(path),
            fix="make a new link: rushrater link STUDY --output FILE.rushrater",
        )
    target = Path(data["path"]).expanduser()
    return target if target.is_absolute() else (path.parent / target)


def write_study_link(study_root: str | Path, link: str | Path | None = None) -> Path:
    """Write a link to the study folder ``study_root`` (default: beside the folder, named after it)
    and return its path. The path is stored relative when the link sits next to or inside the study."""
    root = Path(study_root).expanduser().absolute()
    if not (root / "study.db").is_file():
        raise NotAStudyError(f"{root} is not a RUSH Rater study", where=str(root), fix="give the study folder")
    link = Path(link).expanduser().absolute() if link is not None else root.with_name(root.name + LINK_SUFFIX)
    if link.suffix.lower() != LINK_SUFFIX:
        raise ValidationError(f"a study link must end in {LINK_SUFFIX}", where=str(link), fix=f"name it e.g. {root.name}{LINK_SUFFIX}")
    try:
        stored = os.path.relpath(root, link.parent)
    except ValueError:  # another drive on Windows
        stored = str(root)
    if stored.startswith(".." + os.sep + ".."):
        stored = str(root)
    link.write_text(json.dumps({"rushrater_study": LINK_FORMAT, "path": stored}, indent=2) + "\n", encoding="utf-8")
    return link
