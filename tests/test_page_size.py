"""Pages a phone can open at city size (issue 18): a material all member units owe, and a material with
hundreds of files, stay bounded on the item page, the lead's unit page and the missing list; what leaves a
page is on a linked page (the material's own page, its file pages), never dropped."""

from __future__ import annotations

import datetime as dt
import re

from handbook.model import Cell, Status, Unit
from handbook.render import render_site
from test_site_render import _file, make_archive

UNITS = 44  # 登封's member units: the papers every one of them owes (03.2 here) are 44 × 4 cells
FILES = 300


def _city():
    """The test archive with 44 member units each owing 03.2 for 2023–2026 (led by 市爱卫办), and 300 more files
    of 03.1. Unit k has collected 2024 when k is even; 2026 is still due; every other year is overdue."""
    archive = make_archive()
    plan = archive.project.plan
    names = [f"成员单位{k:02d}" for k in range(UNITS)]
    for k, name in enumerate(names):
        plan.units[name] = Unit(name=name, slug=f"member{k:02d}", kind="市直部门")
    archive.cells = [c for c in archive.cells if c.material != "03.2"]
    folder = "03/03.2-街道总结"
    for k, name in enumerate(names):
        for year in (2023, 2024, 2025, 2026):
            collected = year == 2024 and k % 2 == 0
            status = Status.COLLECTED if collected else Status.MISSING if year == 2026 else Status.OVERDUE
            path = f"{folder}/2024-{name}-总结.pdf"
            if collected:
                archive.files.append(_file(path, unit=name, years=(2024,), title=f"{name}总结", material="03.2", item=3))
            archive.cells.append(Cell(item=3, material="03.2", year=year, unit=name, owner=name, status=status,
                                      files=[path] if collected else [], supervisors=("市爱卫办",),
                                      deadline=dt.date(2026, 12, 31) if year == 2026 else dt.date(2026, 6, 30)))
    archive.files.extend(
        _file(f"03/03.1-年度工作计划/2024-市爱卫办-计划第{n:03d}份.pdf", unit="市爱卫办", years=(2024,),
              title=f"计划第{n:03d}份", material="03.1", item=3) for n in range(FILES))
    return archive


def _section(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


def test_a_material_every_unit_owes_is_summed_up_on_the_item_page_and_tabled_on_its_own_page():
    pages = render_site(_city())
    item = pages["items/03.md"]
    checklist = _section(item, 'id="m03-2"', '<h2 id="已收集文件"')
    assert "<tr><td>2023</td>" not in checklist  # no row per unit and year
    assert "44 个单位各交，共 176 格" in checklist
    assert "已逾期</span>（44 个单位）" in checklist and "待提交（44 个单位）" in checklist
    assert all(checklist.count(f">成员单位{k:02d}</a>") == 2 for k in range(UNITS))  # late and due: each once
    assert '<a href="03.2/">各单位逐年的状态和文件（176 格）</a>' in checklist
    # The full per-unit table: 176 rows, unit by unit (the plan's order), each unit's years together.
    own = pages["items/03/03.2.md"]
    table = _section(own, '<h2 id="各单位逐年情况">', '<h2 id="文件"')
    rows = re.findall(r"<tr><td>(\d{4})</td>.*?>(成员单位\d\d)</a></td></tr>", table)
    assert len(rows) == 176
    assert rows[:5] == [("2023", "成员单位00"), ("2024", "成员单位00"), ("2025", "成员单位00"),
                        ("2026", "成员单位00"), ("2023", "成员单位01")]
    assert table.count("hb-ok") == 22  # the even units' 2024
    assert "<h1>03.2 街道爱国卫生工作总结</h1>" in own and "176 格 · 共 23 个文件" in own


def test_the_item_page_names_three_files_of_a_material_with_300_and_its_listing_pages_have_them_all():
    pages = render_site(_city())
    files = _section(pages["items/03.md"], '<h2 id="已收集文件"', '<h2 id="缺失材料"')
    group = _section(files, '<a href="#m03-1">', "</table>")
    assert group.count("<tr><td>") == 3 and '<a href="03.1/">全部 302 个文件</a>' in group
    listing = [uri for uri in pages if uri.startswith("items/03/03.1")]
    assert listing == ["items/03/03.1.md", "items/03/03.1-2.md", "items/03/03.1-3.md", "items/03/03.1-4.md"]
    assert [pages[uri].count("<tr><td>") for uri in listing] == [100, 100, 100, 2]
    every = "".join(pages[uri] for uri in listing)
    assert all(f">计划第{n:03d}份</a>" in every for n in range(FILES))


def test_the_missing_cells_of_a_material_every_unit_owes_are_one_row_naming_each_unit_once():
    pages = render_site(_city())
    chase = _section(pages["items/03.md"], '<h2 id="缺失材料">', '<h2 id="问题文件">')
    row = next(r for r in chase.split("<tr>") if r.startswith('<td><a href="./#m03-2">'))
    late, due = row.split("</td><td>")[1:3]
    assert late.count('#还缺的材料">') == 44 and due.count('#还缺的材料">') == 44
    assert '<a href="../../units/member01/#还缺的材料">成员单位01</a>（2023、2024、2025）' in late
    assert '<a href="../../units/member00/#还缺的材料">成员单位00</a>（2023、2025）' in late
    assert '<a href="../../units/member00/#还缺的材料">成员单位00</a>（2026）' in due and "截止 2026-12-31" in due
    assert "交到哪里" not in chase and "hb-name" not in chase  # the folder and names are on each unit's page


def test_the_lead_chases_44_units_in_one_row_per_material_and_each_unit_keeps_its_own_upload_list():
    pages = render_site(_city())
    lead = _section(pages["units/aiwei.md"], '<h2 id="督促的材料本单位牵头">', '<h2 id="已提交文件">')
    assert lead.count('<tr><td><a href="../../items/03/#m03-2">03.2</a>') == 1
    assert lead.count(">成员单位07</a>") == 2 and "共 176 份" not in lead and "共 154 份" in lead
    own = _section(pages["units/member07.md"], '<h2 id="还缺的材料">', "</table>")
    assert "交到哪里" in own and "2023-成员单位07-街道爱国卫生工作总结.pdf" in own


def test_item_and_lead_pages_stay_small_with_44_units_and_300_files():
    pages = render_site(_city())
    # Before (one row per unit and year in the checklist, one row per unit with its folder and file names in
    # 缺失材料 and 督促的材料), for this city: item 66 KB, the lead's page 87 KB, the missing list 57 KB;
    # after: 23, 48 and 20 KB (the theme adds about 23 KB to each). Measured, then bounded with some room.
    assert len(pages["items/03.md"].encode()) < 30_000
    assert len(pages["units/aiwei.md"].encode()) < 55_000  # its own 100 newest files are most of it
    assert len(pages["missing.md"].encode()) < 25_000
    assert len(pages["items/03/03.2.md"].encode()) < 65_000  # 176 rows: the table the item page sums up


def test_the_missing_list_has_no_upload_column_for_known_units_and_links_where_it_is():
    pages = render_site(_city())
    page = pages["missing.md"]
    assert "| 交到哪里 |" not in page and "hb-name" not in page
    assert "[单位页面：还缺的材料，交到哪里](units/member07.md#还缺的材料)" in page
    assert page.count("| [03\\.2](items/03.md#m03-2) 街道爱国卫生工作总结 |") == 44  # Markdown-escaped "."
