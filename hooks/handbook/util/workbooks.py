"""The names of the 催报单 workbooks, on disk and on the site (shared by the worklist writer and the pages)."""

from __future__ import annotations

from pathvalidate import sanitize_filename

SUMMARY_NAME = "催报汇总.xlsx"
SITE_FOLDER = "worklists"  # under the site root: /worklists/催报单-市城管局.xlsx


def unit_workbook_name(unit: str) -> str:
    return sanitize_filename(f"催报单-{unit}.xlsx", platform="windows", replacement_text="_")


def unit_workbook_uri(unit: str) -> str:
    return f"{SITE_FOLDER}/{unit_workbook_name(unit)}"


def summary_uri() -> str:
    return f"{SITE_FOLDER}/{SUMMARY_NAME}"
