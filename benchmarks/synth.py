"""Generate a synthetic city archive: N evidence files with realistic names and real PDF/JPEG bytes.

Names follow the evidence contract (``NN-label/NN.K-label/<year>-<unit>-<title>.<ext>``) and are drawn
from the shipped standard (items, materials, formats) and local plan (units of each item's category, the
review window). Sizes follow a log-normal spread (most files a few hundred KB, a few tens of MB) scaled to
a requested total; the largest files go to two upload-slot materials (03.1 年度工作计划, 01.1 规范性文件),
so that merging the slot PDFs meets the worst case. Every file has unique bytes (no duplicate-content
problem), every PDF is a valid PDF whose pages reference its bulk as an image (as a scan does, so a merge
must copy those bytes), and bytes are written in chunks, never held whole in memory.
"""

from __future__ import annotations

import io
import math
import os
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

CHUNK = 1 << 20
POOL = 16 * CHUNK  # random bytes generated once; files copy windows of it (writing, not the RNG, is the cost)
MAX_FILE = 60 * CHUNK
BIG_SLOT_MATERIALS = ("03.1", "01.1")  # merged into upload-slot PDFs: the package's memory worst case
SUFFIXES = ("", "（正式印发）", "（扫描件）", "（附件）", "（第二批）", "（补充）", "（修订）", "（汇总）")


@dataclass(frozen=True)
class Slot:
    item: int
    material: str
    label: str
    formats: tuple[str, ...]


def load_slots(root: Path) -> list[Slot]:
    data = yaml.safe_load((root / "standards/national/checklists.yml").read_text(encoding="utf-8"))
    slots = []
    for checklist in data["checklists"]:
        for m in checklist["materials"]:
            slots.append(Slot(checklist["item"], m["id"], m["title"], tuple(m.get("formats") or ("pdf",))))
    return slots


def load_units(root: Path) -> list[str]:
    data = yaml.safe_load((root / "standards/local/units.yml").read_text(encoding="utf-8"))
    return [u["name"] for u in data["units"]]


def load_item_units(root: Path, units: list[str]) -> dict[int, list[str]]:
    """Units answering for each item (its category's lead + responsible, or the item's own list)."""
    items = yaml.safe_load((root / "standards/national/items.yml").read_text(encoding="utf-8"))
    plan = yaml.safe_load((root / "standards/local/assignments.yml").read_text(encoding="utf-8"))
    known = set(units)

    def named(entry: dict) -> list[str]:
        return [u for u in dict.fromkeys([*entry.get("lead", []), *entry.get("responsible", [])]) if u in known]

    by_category = {int(k): named(v) for k, v in (plan.get("categories") or {}).items()}
    by_item = {int(k): named(v) for k, v in (plan.get("items") or {}).items()}
    result = {}
    for item in items["items"]:
        number = int(item["number"])
        result[number] = by_item.get(number) or by_category.get(int(item["category"])) or units
    return result


def load_window(root: Path) -> list[int]:
    city = yaml.safe_load((root / "standards/local/city.yml").read_text(encoding="utf-8"))
    year = int(city["review_year"])
    return list(city.get("window") or range(year - 3, year + 1))


def sizes(n: int, total_bytes: int, rng: random.Random) -> list[int]:
    """Log-normal sizes (median ~ half the mean) rescaled so they add up to about ``total_bytes``."""
    raw = [rng.lognormvariate(0.0, 1.2) for _ in range(n)]
    scale = total_bytes / sum(raw)
    return [max(4096, min(int(r * scale), MAX_FILE)) for r in raw]


class RandomBytes:
    """Unique-per-file bytes, fast: a counter header, then a window of a random pool at a random offset."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pool = rng.randbytes(POOL)
        self.counter = 0

    def write(self, out: io.BufferedWriter, size: int) -> None:
        self.counter += 1
        head = f"{self.counter:016d}".encode()[:size]
        out.write(head)
        size -= len(head)
        while size > 0:
            step = min(size, CHUNK)
            start = self.rng.randrange(0, POOL - step + 1)
            out.write(self.pool[start : start + step])
            size -= step


_BYTES: RandomBytes | None = None


def _bytes(rng: random.Random) -> RandomBytes:
    global _BYTES
    if _BYTES is None or _BYTES.rng is not rng:
        _BYTES = RandomBytes(rng)
    return _BYTES


def write_pdf(path: Path, size: int, pages: int, rng: random.Random) -> None:
    """A real PDF of about ``size`` bytes: ``pages`` A4 pages, the first of which uses the bulk as an image.

    The bulk is an uncompressed 8-bit grey image XObject in the first page's resources (not drawn), so a
    reader sees a valid PDF and a merge has to copy the bytes, as with a scanned document.
    """
    width = 1000
    height = max(1, (size - 600 - 120 * pages) // width)
    image = width * height
    objects: list[bytes] = []
    kids = " ".join(f"{4 + i} 0 R" for i in range(pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    objects.append(None)  # 3: the image stream, written separately
    for i in range(pages):
        resources = " /Resources << /XObject << /Im0 3 0 R >> >>" if i == 0 else ""
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]{resources} >>".encode())
    with path.open("wb") as out:
        offsets = []
        pos = out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        for number, body in enumerate(objects, start=1):
            offsets.append(pos)
            if body is None:
                header = (f"{number} 0 obj\n<< /Type /XObject /Subtype /Image /Width {width} /Height {height} "
                          f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Length {image} >>\nstream\n")
                pos += out.write(header.encode())
                _bytes(rng).write(out, image)
                pos += image
                pos += out.write(b"\nendstream\nendobj\n")
            else:
                pos += out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
        xref = pos
        out.write(f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode())
        for offset in offsets:
            out.write(f"{offset:010d} 00000 n \n".encode())
        out.write(f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())


_JPEG_BASE: bytes | None = None


def write_jpeg(path: Path, size: int, rng: random.Random) -> None:
    """A real JPEG (small photo) followed by a tail of unique bytes up to ``size``.

    Decoders stop at the EOI marker, so the tail keeps the image valid while making every file unique.
    """
    global _JPEG_BASE
    if _JPEG_BASE is None:
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (320, 240), (90, 140, 80)).save(buffer, "JPEG", quality=80)
        _JPEG_BASE = buffer.getvalue()
    with path.open("wb") as out:
        out.write(_JPEG_BASE)
        _bytes(rng).write(out, max(0, size - len(_JPEG_BASE)))


def _page_count(size: int) -> int:
    return 1 + min(40, int(math.log2(1 + size / 50_000)) * 3)


def generate(root: Path, evidence: Path, n: int, total_bytes: int, seed: int = 2026) -> dict:
    """Write ``n`` files under ``evidence``; return counts (files, bytes, pdf, jpg, slot_big_bytes)."""
    rng = random.Random(seed)
    slots, units, window = load_slots(root), load_units(root), load_window(root)
    item_units = load_item_units(root, units)
    by_id = {s.material: s for s in slots}
    plan = sizes(n, total_bytes, rng)
    # The largest files (1 in 500, at least 4) are scans for two upload-slot materials.
    biggest = sorted(range(n), key=lambda i: plan[i], reverse=True)[: max(4, n // 500)]
    forced = {index: by_id[BIG_SLOT_MATERIALS[k % len(BIG_SLOT_MATERIALS)]] for k, index in enumerate(biggest)
              if BIG_SLOT_MATERIALS[k % len(BIG_SLOT_MATERIALS)] in by_id}
    written = {"files": 0, "bytes": 0, "pdf": 0, "jpg": 0, "slot_big_bytes": 0}
    for index, size in enumerate(plan):
        slot = forced.get(index) or rng.choice(slots)
        ext = "jpg" if "jpg" in slot.formats and index not in forced and rng.random() < 0.3 else "pdf"
        year = rng.choice(window)
        # Mostly the units that answer for the item; now and then another one (a real archive has those).
        unit = rng.choice(item_units[slot.item]) if rng.random() < 0.95 else rng.choice(units)
        title = f"{year}年{slot.label}{rng.choice(SUFFIXES)}{index:05d}"
        folder = evidence / f"{slot.item:02d}" / f"{slot.material}-{slot.label[:12]}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{year}-{unit}-{title}.{ext}"
        if ext == "pdf":
            write_pdf(path, size, pages=_page_count(size), rng=rng)
        else:
            write_jpeg(path, size, rng)
        actual = path.stat().st_size
        written["files"] += 1
        written["bytes"] += actual
        written[ext] += 1
        if index in forced:
            written["slot_big_bytes"] += actual
    return written


if __name__ == "__main__":  # pragma: no cover - manual use
    import argparse

    parser = argparse.ArgumentParser(description="生成合成佐证资料（基准测试用）")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args()
    print(generate(args.root, args.out, args.n, args.mb * CHUNK))
    os.sync()
