"""Where a missing cell's file goes: the folder, the exact file name, and the forge's upload page.

Every missing or overdue row of the unit, item and missing pages shows the folder (as it exists in the tree,
else the labelled one ``scaffold`` makes) and, for each year still open, the file name to use with a copy
button; with ``forge:`` in city.yml, an 上传 link opens the forge's upload page for that folder.
"""

from __future__ import annotations

from handbook.judge.owed import summary_may_publish, unit_may_publish
from handbook.load.forge import upload_hint, upload_url
from handbook.model import Archive, Material
from handbook.scan.folders import EVIDENCE, example_name, folder_for
from handbook.util.workbooks import summary_uri, unit_workbook_name, unit_workbook_uri


def sample_year(archive: Archive) -> int:
    """The year an undated (whole-cycle) material's example name carries: the last completed year."""
    plan = archive.project.plan
    return max((y for y in plan.window if y < plan.review_year), default=plan.review_year)


def upload_view(archive: Archive, material: Material | None, unit: str | None, years: list[int | None]) -> dict | None:
    """What the row shows: ``folder``, ``names`` [{year, name}], ``url`` (None without a forge), ``hint``."""
    if material is None:
        return None
    standard, plan = archive.project.standard, archive.project.plan
    folder = f"{EVIDENCE}/{folder_for(material, standard, archive.material_folders)}/"  # the scan's view of the tree
    who = unit or "单位"
    names = []
    for year in years:
        shown = year if year is not None else sample_year(archive)
        names.append({"year": year, "name": example_name(material, shown, who)})
    forge = plan.forge
    return {
        "folder": folder,
        "names": names,
        "undated": any(year is None for year in years),
        "url": upload_url(forge, folder) if forge is not None else None,
        "hint": upload_hint(forge) if forge is not None else "",
    }


def worklist_links(archive: Archive, unit: str) -> dict:
    """The unit page's 催报单 and 催报汇总: their site paths, or None where a workbook holds restricted data.

    The page links them with a raw <a>: the plugin writes them after the pages (handbook.outputs.worklist_site),
    so they are not MkDocs files that strict mode could check."""
    return {
        "name": unit_workbook_name(unit),
        "uri": unit_workbook_uri(unit) if unit_may_publish(archive, unit) else None,
        "summary": summary_uri() if summary_may_publish(archive) else None,
    }
