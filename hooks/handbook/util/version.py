"""The version of the handbook's own code, as a digest: the key of every cache whose result the code makes."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

HANDBOOK_DIR = Path(__file__).resolve().parents[1]  # hooks/handbook
SOURCE_SUFFIXES = (".py", ".j2", ".txt", ".yml", ".yaml", ".json")


@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of the handbook's source and templates (a changed line may change any output)."""
    digest = hashlib.blake2b(digest_size=20)
    for path in sorted(HANDBOOK_DIR.rglob("*")):
        if path.is_file() and path.suffix in SOURCE_SUFFIXES and "__pycache__" not in path.parts:
            digest.update(path.relative_to(HANDBOOK_DIR).as_posix().encode("utf-8", "surrogateescape"))
            digest.update(path.read_bytes())
    return digest.hexdigest()
