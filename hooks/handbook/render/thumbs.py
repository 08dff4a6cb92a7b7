"""Photo thumbnails for the site: made once with Pillow, cached by content hash in .cache/handbook/thumbs/.

A page shows the thumbnail; a click opens the full photo. ``Photos`` remembers every file a render asked
for, so the engine (the MkDocs plugin) can serve exactly those: ``static_files()`` after ``render_site``.
A finding's photos marked 不公开, or every finding photo when campaign.yml says ``photos_private: true``, are
named on the page and never served. A photo Pillow cannot read gets no thumbnail and is linked as a file.

What is served of a finding photo is a copy without its metadata (EXIF with the GPS position, XMP …; see
``handbook.util.image_metadata``), kept in .cache/handbook/photos/ by content hash; the office's file under
evidence/findings/photos/ is only read. A photo no clean copy can be made of is named, not served.
Thumbnails are written by Pillow with no metadata at all.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from handbook.model import IMAGE_TYPES, EvidenceFile

log = logging.getLogger(__name__)

THUMB_BOX = (320, 240)
THUMB_URI = "assets/thumbs"
PHOTO_URI = "evidence/findings/photos"
# In the cached thumbnail's name: bumped when thumbnails are made differently (t2: no metadata, not even a
# JPEG comment), so a cache of older ones is not served.
THUMB_FORMAT = "t2"
MAX_SOURCE_BYTES = 60 * 1024 * 1024  # a photo bigger than this is linked, not decoded


class Photos:
    """Thumbnails and full photos a render linked to; ``cache_dir`` is the hash cache's folder."""

    def __init__(self, evidence_root: Path, cache_dir: Path, *, private: bool = False) -> None:
        self.evidence_root = Path(evidence_root)
        self.folder = Path(cache_dir) / "thumbs"
        self.clean_folder = Path(cache_dir) / "photos"  # finding photos without their metadata
        self.private = private
        self._served: dict[str, Path] = {}
        self._thumbs: dict[str, str | None] = {}  # source path → thumbnail uri (None: none could be made)
        self._clean: dict[str, Path | None] = {}  # source path → its copy without metadata (None: none)
        self._digests: dict[str, str | None] = {}  # source path → content key (read once per render)

    def finding_photo(self, rel: str, restricted: bool) -> dict:
        """The view of one photo under evidence/findings/photos/: its name, and its uris when published."""
        name = rel.rsplit("/", 1)[-1]
        source = self.evidence_root / "findings" / "photos" / rel
        if restricted or self.private or not _is_image(rel) or not source.is_file() or source.is_symlink():
            return {"name": name, "uri": None, "thumb": None, "private": restricted or self.private}
        clean = self._clean_copy(source)
        if clean is None:
            return {"name": name, "uri": None, "thumb": None, "private": False}
        uri = f"{PHOTO_URI}/{rel}"
        self._served[uri] = clean
        return {"name": name, "uri": uri, "thumb": self._thumb(source, None), "private": False}

    def evidence_thumb(self, f: EvidenceFile) -> str | None:
        """A thumbnail for a published evidence image (the file itself is served by the evidence step)."""
        if f.filetype not in IMAGE_TYPES or not f.readable or f.restricted:
            return None
        return self._thumb(self.evidence_root / f.path, f.sha256)

    def thumb_file(self, rel: str, restricted: bool) -> Path | None:
        """The thumbnail file of a finding photo (for the office's documents), or None when it is not shown."""
        uri = self.finding_photo(rel, restricted)["thumb"]
        return self._served.get(uri) if uri else None

    def static_files(self) -> list[tuple[str, Path]]:
        """(site uri, file) for every photo and thumbnail the pages link to, in a stable order."""
        return sorted(self._served.items())

    def _thumb(self, source: Path, sha256: str | None) -> str | None:
        key = str(source)
        if key not in self._thumbs:
            self._thumbs[key] = self._make(source, sha256)
        return self._thumbs[key]

    def _clean_copy(self, source: Path) -> Path | None:
        key = str(source)
        if key not in self._clean:
            self._clean[key] = self._make_clean(source)
        return self._clean[key]

    def _make_clean(self, source: Path) -> Path | None:
        from handbook.util.image_metadata import NotStripped, write_clean_copy

        digest = self._digest(source, None)
        if digest is None:
            return None
        target = self.clean_folder / f"{digest}{source.suffix.lower()}"
        if target.is_file():
            return target
        try:
            write_clean_copy(source, target)
        except (NotStripped, OSError) as exc:
            log.warning("finding photo %s not published: no copy without its metadata could be made (%s)", source, exc)
            return None
        return target

    def _digest(self, source: Path, sha256: str | None) -> str | None:
        key = str(source)
        if key not in self._digests:
            self._digests[key] = _content_key(source, sha256)
        return self._digests[key]

    def _make(self, source: Path, sha256: str | None) -> str | None:
        digest = self._digest(source, sha256)
        if digest is None:
            return None
        target = self.folder / f"{digest}-{THUMB_FORMAT}.jpg"
        if not target.is_file() and not _write_thumb(source, target):
            return None
        uri = f"{THUMB_URI}/{digest}-{THUMB_FORMAT}.jpg"
        self._served[uri] = target
        return uri


def _content_key(source: Path, sha256: str | None) -> str | None:
    """The content key of a photo (the scan's SHA-256 when known); None when too big or unreadable."""
    try:
        if source.stat().st_size > MAX_SOURCE_BYTES:
            return None
        return (sha256 or hashlib.sha256(source.read_bytes()).hexdigest())[:40]
    except OSError:
        return None


def _is_image(rel: str) -> bool:
    return rel.rsplit(".", 1)[-1].lower() in IMAGE_TYPES if "." in rel else False


def _write_thumb(source: Path, target: Path) -> bool:
    """A JPEG at most THUMB_BOX, upright (EXIF orientation applied), written atomically. False: unreadable."""
    from PIL import Image, ImageOps

    try:
        with Image.open(source) as opened:
            image = ImageOps.exif_transpose(opened)
            image.thumbnail(THUMB_BOX)
            image.info = {}  # Pillow writes a JPEG comment (and more) kept in info: a thumbnail carries nothing
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            target.parent.mkdir(parents=True, exist_ok=True)
            temp = target.with_name(target.name + ".tmp")
            image.save(temp, "JPEG", quality=78)
            temp.replace(target)
        return True
    except Exception as exc:  # noqa: BLE001 — Pillow raises many kinds for a damaged or unsupported image
        log.debug("no thumbnail for %s: %s", source, exc)
        return False
