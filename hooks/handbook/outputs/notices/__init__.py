"""The office's outgoing documents (整改通知单, 督办单, 通报, 简报) from the judged archive, as XLSX and PDF.

``write_notices(archive, kind, period, out_dir)`` is what ``python -m handbook notices`` calls; the
documents' content is in ``documents``, the two file formats in ``writers``.
"""

from __future__ import annotations

from pathlib import Path

from handbook.judge.campaign_report import Period
from handbook.model import Archive
from handbook.outputs.notices import documents
from handbook.outputs.notices.documents import KINDS, Doc

__all__ = ["KINDS", "build_documents", "file_stem", "write_notices"]

FILE_TITLES = {"整改通知单": "整改通知单", "督办单": "整改督办单", "通报": "情况通报", "简报": "工作简报"}


def build_documents(archive: Archive, kind: str, period: Period, *, photos=None, unit: str | None = None,
                    indicator_changes: list[list] | None = None) -> list[Doc]:
    if kind == "整改通知单":
        return documents.rectification_notices(archive, period, photos, unit)
    if kind == "督办单":
        return documents.escalation_notices(archive, period.end, photos, unit)
    if kind == "通报":
        return [documents.bulletin(archive, period)]
    if kind == "简报":
        return [documents.briefing(archive, period, indicator_changes)]
    raise ValueError(f"未知的文书种类“{kind}”，应为：{'、'.join(KINDS)}")


def file_stem(archive: Archive, kind: str, period: Period) -> str:
    city = archive.project.plan.city or "本市"
    return f"{city}{FILE_TITLES[kind]}-{period.label}"


def write_notices(archive: Archive, kind: str, period: Period, out_dir: Path, *, photos=None, unit: str | None = None,
                  indicator_changes: list[list] | None = None) -> tuple[list[Doc], list[Path]]:
    """Write ``<city><kind>-<period>.xlsx`` and ``.pdf`` under ``out_dir``; returns the documents and the paths."""
    from handbook.outputs.notices.writers import write_pdf, write_xlsx

    docs = build_documents(archive, kind, period, photos=photos, unit=unit, indicator_changes=indicator_changes)
    stem = file_stem(archive, kind, period) + (f"-{unit}" if unit else "")
    out_dir = Path(out_dir)
    paths = [write_xlsx(docs, out_dir / f"{stem}.xlsx"), write_pdf(docs, out_dir / f"{stem}.pdf")]
    return docs, paths
