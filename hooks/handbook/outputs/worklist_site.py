"""The 催报单 on the site: every unit's workbook and the 催报汇总, written at build time into one folder.

A workbook is published only when it holds no restricted data (``handbook.judge.owed``); it is still written,
for the 爱卫办 to hand out, and the unit page says so instead of linking it.

Nothing here imports MkDocs: the plugin calls ``write_site_worklists(archive, folder)`` after the build and
publishes ``result.published`` (site path → file) under the site root; the pages link those paths themselves.
When nothing they are made from changed since the last build (handbook.outputs.reuse), the workbooks already in
the folder are the answer: 45 workbooks at N = 10,000 took 3 s of a no-change build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from handbook.judge.owed import summary_may_publish, unit_may_publish
from handbook.model import Archive
from handbook.outputs.reuse import Stamp, archive_key
from handbook.outputs.worklist import write_summary_workbook, write_unit_workbook
from handbook.util.workbooks import SUMMARY_NAME, summary_uri, unit_workbook_name, unit_workbook_uri


@dataclass(slots=True)
class SiteWorklists:
    published: dict[str, Path] = field(default_factory=dict)  # site path ("worklists/…xlsx") → the file written
    held: dict[str, Path] = field(default_factory=dict)  # written, not to publish: it holds restricted data

    def outputs(self) -> list[Path]:
        return [*self.published.values(), *self.held.values()]


def write_site_worklists(archive: Archive, out_dir: Path, *, reuse_unchanged: bool = True) -> SiteWorklists:
    """Every unit's 催报单 and the 催报汇总 in ``out_dir`` (written unless the last build's are still right);
    which may be published and where."""
    out_dir = Path(out_dir)
    if not reuse_unchanged:
        return _write_all(archive, out_dir)
    return Stamp(out_dir, ".worklists").reuse_or_write(
        archive_key(archive, str(out_dir)), lambda: _write_all(archive, out_dir), SiteWorklists.outputs)


def _write_all(archive: Archive, out_dir: Path) -> SiteWorklists:
    result = SiteWorklists()
    for unit in archive.project.plan.units:
        path = write_unit_workbook(archive, unit, out_dir / unit_workbook_name(unit))
        (result.published if unit_may_publish(archive, unit) else result.held)[unit_workbook_uri(unit)] = path
    path = write_summary_workbook(archive, out_dir / SUMMARY_NAME)
    (result.published if summary_may_publish(archive) else result.held)[summary_uri()] = path
    return result
