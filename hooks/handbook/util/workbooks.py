"""Names in and of workbooks: the 催报单 files on disk and on the site, and Excel's sheet names."""

from __future__ import annotations

import re

from pathvalidate import sanitize_filename

SUMMARY_NAME = "催报汇总.xlsx"
SITE_FOLDER = "worklists"  # under the site root: /worklists/催报单-市城管局.xlsx


def unit_workbook_name(unit: str) -> str:
    return sanitize_filename(f"催报单-{unit}.xlsx", platform="windows", replacement_text="_")


def unit_workbook_uri(unit: str) -> str:
    return f"{SITE_FOLDER}/{unit_workbook_name(unit)}"


def summary_uri() -> str:
    return f"{SITE_FOLDER}/{SUMMARY_NAME}"


SHEET_MAX = 31  # Excel refuses longer sheet names
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(text: str, used: set[str]) -> str:
    """An Excel sheet name for ``text``: none of []:*?/\\, no quote at either end, at most 31 characters,
    unique in ``used`` without regard to case (Excel's rule): the second 市城管局 becomes 市城管局-2."""
    base = _SHEET_BAD.sub("_", text).strip("'")[:SHEET_MAX] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f"-{n}"
        name, n = base[: SHEET_MAX - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name
