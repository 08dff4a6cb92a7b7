"""The 催报单 on the site: every unit's workbook and the 催报汇总, written at build time into one folder.

A workbook is published only when it holds no restricted data (``handbook.judge.owed``); it is still written,
for the 爱卫办 to hand out, and the unit page says so instead of linking it.

Nothing here imports MkDocs: the plugin calls ``write_site_worklists(archive, folder)`` after the build and
publishes ``result.published`` (site path → file) under the site root; the pages link those paths themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from handbook.judge.owed import summary_may_publish, unit_may_publish
from handbook.model import Archive
from handbook.outputs.worklist import write_summary_workbook, write_unit_workbook
from handbook.util.workbooks import SUMMARY_NAME, summary_uri, unit_workbook_name, unit_workbook_uri


@dataclass(slots=True)
class SiteWorklists:
    published: dict[str, Path] = field(default_factory=dict)  # site path ("worklists/…xlsx") → the file written
    held: dict[str, Path] = field(default_factory=dict)  # written, not to publish: it holds restricted data


def write_site_worklists(archive: Archive, out_dir: Path) -> SiteWorklists:
    """Write every unit's 催报单 and the 催报汇总 into ``out_dir``; say which may be published and where."""
    out_dir = Path(out_dir)
    result = SiteWorklists()
    for unit in archive.project.plan.units:
        path = write_unit_workbook(archive, unit, out_dir / unit_workbook_name(unit))
        (result.published if unit_may_publish(archive, unit) else result.held)[unit_workbook_uri(unit)] = path
    path = write_summary_workbook(archive, out_dir / SUMMARY_NAME)
    (result.published if summary_may_publish(archive) else result.held)[summary_uri()] = path
    return result
