"""Golden tests of the site renderer: a small hand-built archive → Markdown pages.

Regenerate the golden files after an intended change with ``UPDATE_GOLDEN=1 pytest tests/test_site_render.py``
and review the diff. The archive is built from model.py dataclasses directly, so these tests do not depend
on the loader or the scanner.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import markdown
import pytest

from support import check_golden
from handbook.model import (
    Archive,
    Assignment,
    Category,
    Cell,
    EvidenceFile,
    Indicator,
    IndicatorResult,
    IndicatorValue,
    Item,
    Kind,
    Material,
    Plan,
    Problem,
    Project,
    Rule,
    RuleKind,
    Sidecar,
    Slot,
    Stage,
    Standard,
    Status,
    Unit,
    Verdict,
    Where,
    format_problem,
)
from handbook.render.site import Site
from handbook.render import context, charts, render_site

GOLDEN = Path(__file__).parent / "golden" / "site"
XSS_NAME = "<img src=x onerror=alert(1)>.pdf"


def _material(mid: str, title: str, *, per_year=False, per_unit=False, slot=None) -> Material:
    return Material(id=mid, item=int(mid.split(".")[0]), title=title, complete_when=f"{title}，正式印发并盖章",
                    per_year=per_year, per_unit=per_unit, formats=("pdf", "ofd"), seal=True, slot=slot)


def make_project(root: Path = Path("/nonexistent")) -> Project:
    units = {
        "市爱卫办": Unit(name="市爱卫办", slug="aiwei", full_name="登封市爱国卫生运动委员会办公室",
                      aliases=("爱卫办",), kind="市直部门", parent="市卫健委", liaison="王某"),
        "市卫健委": Unit(name="市卫健委", slug="wjw", full_name="登封市卫生健康委员会", kind="市直部门"),
        "市城管局": Unit(name="市城管局", slug="cgj", full_name="登封市城市管理局", kind="市直部门"),
        "市疾控中心": Unit(name="市疾控中心", slug="jkzx", kind="医疗卫生机构"),
        "嵩阳街道": Unit(name="嵩阳街道", slug="songyang", kind="街道"),
    }
    items = {
        1: Item(number=1, title="组织领导与规范性文件", category=1,
                text="将爱国卫生工作纳入辖区各级党委和政府重要议事日程，列入经济社会发展规划，纳入政府绩效考核指标。有爱国卫生规范性文件。",
                indicators=(1,), materials=[_material("01.1", "爱国卫生工作规范性文件", slot="regulations")]),
        3: Item(number=3, title="年度计划与总结", category=1,
                text="爱国卫生工作年度有计划、有部署、有检查、有总结。",
                materials=[_material("03.1", "年度工作计划", per_year=True, slot="work-plan"),
                           _material("03.2", "街道爱国卫生工作总结", per_year=True, per_unit=True)]),
        45: Item(number=45, title="病媒生物预防控制", category=7,
                 text="建立政府组织和全社会参与的病媒生物预防控制机制。掌握辖区病媒生物孳生地情况、密度变化和侵害状况。",
                 indicators=(56,), materials=[_material("45.1", "病媒生物密度监测报告", per_year=True)]),
    }
    categories = [
        Category(number=1, numeral="一", title="爱国卫生组织管理", items=(1, 3)),
        # The standard always has 7 categories (mkdocs.yml names them in the nav); 2–6 are empty here.
        *(Category(number=n, numeral=numeral, title=title, items=()) for n, numeral, title in (
            (2, "二", "健康教育和健康促进"), (3, "三", "市容环境卫生"), (4, "四", "生态环境"),
            (5, "五", "重点场所卫生"), (6, "六", "食品和饮用水安全"))),
        Category(number=7, numeral="七", title="疾病防控与医疗卫生服务", items=(45,)),
    ]
    indicators = {
        1: Indicator(number=1, name="居民健康素养水平", target="≥22%或持续提高", note="",
                     rule=Rule(kind=RuleKind.THRESHOLD_OR_TREND, op=">=", value=22, unit="%", trend="持续提高"),
                     years=3, items=(1,)),
        56: Indicator(number=56, name="病媒生物密度控制水平", target="C级及以上", note="",
                      rule=Rule(kind=RuleKind.GRADE, grade="C"), years=3, items=(45,)),
    }
    slots = {
        "regulations": Slot(key="regulations", title="爱国卫生工作法规或规范性文件", kinds=(Kind.CITY, Kind.COUNTY), order=5),
        "work-plan": Slot(key="work-plan", title="工作计划", kinds=(Kind.CITY, Kind.COUNTY), order=3),
    }
    plan = Plan(
        city="登封市", kind=Kind.CITY, review_year=2026, window=(2023, 2024, 2025, 2026),
        today=dt.date(2026, 11, 23), units=units, groups={},
        assignments={
            1: Assignment(item=1, lead=("市卫健委", "市爱卫办"), responsible=("市卫健委", "市爱卫办"),
                          groups=("其它市直机关、事（企）业单位",), duty="负责拟定爱国卫生工作政策性文件。"),
            3: Assignment(item=3, lead=("市爱卫办",), responsible=("市爱卫办", "嵩阳街道")),
            45: Assignment(item=45, lead=("市卫健委",), responsible=("市卫健委", "市疾控中心")),
        },
        stages=[Stage(name="自查达标", start=dt.date(2026, 4, 1), end=dt.date(2026, 6, 30)),
                Stage(name="检查验收", start=dt.date(2026, 7, 1), end=dt.date(2026, 12, 31))],
        deadline_completed_years=dt.date(2026, 6, 30), deadline_current_year=dt.date(2026, 12, 31),
        indicator_owners={1: "市卫健委", 56: "市疾控中心"},
    )
    plan.alias_index = {n: u.name for u in units.values() for n in u.names}
    standard = Standard(categories=categories, items=items, indicators=indicators, slots=slots)
    return Project(root=root, standard=standard, plan=plan)


def _file(path: str, *, unit: str | None, years=(2024,), title="", material=None, item=None, **extra) -> EvidenceFile:
    name = path.rsplit("/", 1)[-1]
    return EvidenceFile(path=path, size=extra.pop("size", 245_760), mtime_ns=1_780_000_000_000_000_000, sha256="0" * 64,
                        filetype="pdf", item=item, material=material, years=tuple(years), unit=unit,
                        unit_raw=extra.pop("unit_raw", unit or ""), title=title or name, **extra)


def make_files() -> list[EvidenceFile]:
    committed = dt.datetime(2026, 11, 20, 9, 30)
    return [
        _file("01/01.1-规范性文件/2023-市政府办-关于加强爱国卫生工作的意见.pdf", unit="市卫健委", unit_raw="市政府办",
              years=(2023,), title="关于加强爱国卫生工作的意见", material="01.1", item=1, pages=6,
              committer="张三", committed=committed,
              sidecar=Sidecar(doc_number="登政〔2023〕12号", doc_type="规范性文件")),
        _file("03/03.1-年度工作计划/2024-市爱卫办-2024年爱国卫生工作计划.pdf", unit="市爱卫办", years=(2024,),
              title="2024年爱国卫生工作计划", material="03.1", item=3, pages=4, size=1_572_864,
              committer="李四", committed=dt.datetime(2026, 11, 21, 15, 2)),
        _file("03/03.2-街道总结/2024-嵩阳街道-花名册_含身份证号.pdf", unit="嵩阳街道", years=(2024,),
              title="花名册_含身份证号", material="03.2", item=3, pages=2,
              sidecar=Sidecar(restricted=True)),
        _file(f"03/03.1-年度工作计划/{XSS_NAME}", unit=None, unit_raw="", years=(), item=3, material="03.1",
              problems=[Problem(code="bad-name", message="文件名不是“年度-单位-标题.扩展名”的格式：" + XSS_NAME,
                                fix="改名为例如 2024-市爱卫办-2024年爱国卫生工作计划.pdf")]),
        _file("45/45.1-密度监测/2025-市疾控中心-2025年病媒生物密度监测报告*终稿*.pdf", unit="市疾控中心",
              years=(2025,), title="2025年病媒生物密度监测报告*终稿*", material="45.1", item=45, pages=31,
              size=5_400_000, committer="赵六", committed=dt.datetime(2026, 10, 2, 8, 0)),
    ]


def make_cells() -> list[Cell]:
    due_old, due_now = dt.date(2026, 6, 30), dt.date(2026, 12, 31)
    cells = [Cell(item=1, material="01.1", year=None, unit=None, owner="市卫健委", status=Status.COLLECTED,
                  files=["01/01.1-规范性文件/2023-市政府办-关于加强爱国卫生工作的意见.pdf"], deadline=due_old)]
    for year in (2023, 2024, 2025, 2026):
        due = due_now if year == 2026 else due_old
        status = Status.COLLECTED if year == 2024 else (Status.MISSING if year == 2026 else Status.OVERDUE)
        files = ["03/03.1-年度工作计划/2024-市爱卫办-2024年爱国卫生工作计划.pdf"] if year == 2024 else []
        cells.append(Cell(item=3, material="03.1", year=year, unit=None, owner="市爱卫办", status=status,
                          files=files, deadline=due))
        for unit in ("市爱卫办", "嵩阳街道"):
            st = Status.COLLECTED if (unit, year) == ("嵩阳街道", 2024) else (
                Status.WAIVED if unit == "市爱卫办" else Status.OVERDUE if year < 2026 else Status.MISSING)
            cells.append(Cell(item=3, material="03.2", year=year, unit=unit, owner=unit, status=st,
                              files=["03/03.2-街道总结/2024-嵩阳街道-花名册_含身份证号.pdf"] if st is Status.COLLECTED else [],
                              deadline=due, reason="市爱卫办汇总全市总结，不单独提交" if st is Status.WAIVED else ""))
    for year in (2023, 2024, 2025, 2026):
        st = Status.COLLECTED if year == 2025 else Status.REVIEW if year == 2024 else Status.MISSING
        cells.append(Cell(item=45, material="45.1", year=year, unit=None, owner="市卫健委", status=st,
                          files=["45/45.1-密度监测/2025-市疾控中心-2025年病媒生物密度监测报告*终稿*.pdf"] if year == 2025 else [],
                          deadline=due_now if year == 2026 else due_old,
                          reason="报告缺少盖章页" if st is Status.REVIEW else ""))
    return cells


def make_archive(*, with_indicators: bool = True, root: Path = Path("/nonexistent")) -> Archive:
    project = make_project(root)
    archive = Archive(project=project, files=make_files(), cells=make_cells(), evidence_root=root / "evidence")
    if with_indicators:
        values = {y: IndicatorValue(indicator=56, year=y, value=g, unit="", raw=g) for y, g in
                  ((2023, "B"), (2024, "C"), (2025, "B"))}
        archive.indicators = {56: IndicatorResult(
            indicator=56, applies=True, target="C级及以上", rule=Rule(kind=RuleKind.GRADE, grade="C"),
            years=(2023, 2024, 2025), values=values, verdict=Verdict.PASS, reason="2025年为B级，达到C级及以上",
            owner="市疾控中心")}
    return archive


def test_a_crowded_checklist_cell_names_three_files_problem_first_and_counts_the_rest():
    archive = make_archive()
    folder = "03/03.1-年度工作计划"
    extra = [_file(f"{folder}/2024-市爱卫办-补充材料{n}.pdf", unit="市爱卫办", years=(2024,), title=f"补充材料{n}",
                   material="03.1", item=3) for n in range(5)]
    extra[4].problems.append(Problem(code="pdf-broken", message="打不开", fix="重新导出"))
    archive.files.extend(extra)
    cell = next(c for c in archive.cells if c.material == "03.1" and c.year == 2024)
    cell.files.extend(f.path for f in extra)  # 6 files in one cell
    pages = render_site(archive)
    page = pages["items/03.md"]
    row = next(line for line in page.splitlines() if line.startswith("<tr><td>2024</td>") and "补充材料" in line)
    assert row.count('class="hb-file"') == 3 and "补充材料4" in row  # the problem file is among the three named
    # 03.1 now has more files than the item page shows: the cell points at the material's own listing.
    assert '另 3 个文件，见<a href="03.1/">本材料全部文件</a>' in row  # served at items/03/03.1/
    files_section = page.split('<h2 id="已收集文件"')[1].split('<h2 id="缺失材料"')[0]
    assert files_section.count("<tr><td>") == 3 + 1  # three of 03.1's seven, and 03.2's one
    assert "补充材料4" in files_section  # the problem file first
    assert '<a href="03.1/">全部 7 个文件</a>' in files_section
    listing = pages["items/03/03.1.md"]
    assert all(f"补充材料{n}" in listing for n in range(5)) and "2024年爱国卫生工作计划" in listing  # every file


def test_page_memo_renders_again_only_what_changed_and_never_serves_a_stale_page():
    from handbook.render import PageMemo

    memo = PageMemo()
    first = render_site(make_archive(), memo=memo)
    assert render_site(make_archive(), memo=memo) == first and memo.reused == len(first)
    changed = make_archive()
    target = next(f for f in changed.files if f.item == 3)
    target.title = "改过的标题"
    memo.reused = memo.rendered = 0
    again = render_site(changed, memo=memo)
    assert again == render_site(changed)  # what a build without the memo makes
    assert "改过的标题" in again["items/03.md"] and again["items/03.md"] != first["items/03.md"]
    assert again["items/45.md"] == first["items/45.md"] and 0 < memo.rendered < len(first)


# --------------------------------------------------------------------------- golden files


def _check_golden(name: str, text: str) -> None:
    check_golden(GOLDEN / name, text)


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return render_site(make_archive())


GOLDEN_PAGES = ["index.md", "categories/1.md", "items/03.md", "items/45.md", "units/index.md", "units/aiwei.md",
                "missing.md", "problems.md", "indicators.md"]


@pytest.mark.parametrize("uri", GOLDEN_PAGES)
def test_page_matches_golden(pages, uri):
    _check_golden(uri.replace("/", "__"), pages[uri])


def test_every_page_has_a_stable_uri(pages):
    expected = {"index.md", "missing.md", "problems.md", "indicators.md", "units/index.md", "findings.md", "briefing.md",
                *(f"categories/{n}.md" for n in range(1, 8)), "items/01.md", "items/03.md", "items/45.md",
                "units/aiwei.md", "units/wjw.md", "units/cgj.md", "units/jkzx.md", "units/songyang.md"}
    assert set(pages) == expected


def _html(markdown_text: str) -> str:
    body = markdown_text.split("\n---\n", 1)[1] if markdown_text.startswith("---\n") else markdown_text
    return markdown.markdown(body, extensions=["tables", "attr_list", "md_in_html"])


def test_hostile_file_name_is_text_not_html(pages):
    html = _html(pages["items/03.md"])
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in html
    problems = _html(pages["problems.md"])
    assert "<img" not in problems and "&lt;img src=x onerror=alert(1)&gt;" in problems


def test_markdown_specials_in_titles_stay_literal(pages):
    html = _html(pages["items/45.md"])
    assert "2025年病媒生物密度监测报告*终稿*" in html
    assert "<em>终稿</em>" not in html
    assert "花名册_含身份证号" in _html(pages["items/03.md"])


def test_restricted_file_is_listed_without_a_link(pages):
    text = pages["items/03.md"]
    assert "花名册" in text
    assert "hb-lock" in text
    assert not re.search(r"\]\([^)]*%E8%8A%B1%E5%90%8D%E5%86%8C", text), "受限文件不应有链接"


def test_item_links_units_and_files_relatively(pages):
    text = pages["items/01.md"]
    # Served at items/01/: links are the served URLs (MkDocs does not rewrite links in HTML pages).
    assert '<a href="../../units/wjw/">市卫健委</a>' in text
    assert 'href="../../evidence/01/01.1-' in text


def test_home_ranking_and_countdown(pages):
    text = pages["index.md"]
    assert "38 天" in text  # 2026-11-23 → 2026-12-31
    ranking = text.split("## 单位完成情况排名", 1)[1].split("## 最近提交", 1)[0]
    # 嵩阳街道 owes 4 cells (03.2 for four years): fewer than 5, so the 街道 group ranks nobody.
    assert "### 街道、乡镇（0 个单位排名）" in ranking and "没有应交达到 5 份的单位" in ranking
    # 市卫健委 owes 5 (01.1, 45.1 ×4) and is ranked; 市爱卫办 owes 4 (03.1 ×4; its 03.2 are waived): listed, not ranked.
    assert "### 市直部门和单位（1 个单位排名）" in ranking
    assert "| 1 | [市卫健委](units/wjw.md) |" in ranking and "市爱卫办" not in ranking


def test_home_shows_completion_by_material_beside_the_cell_count(pages):
    text = pages["index.md"]
    # 4 materials: 01.1 1/1, 03.1 1/4, 03.2 1/4 (4 waived), 45.1 1/4 → (1 + ¼ + ¼ + ¼) / 4 = 43.8 %;
    # by cells: 4 collected of 13 required = 30.8 %.
    kpis = text.split('<div class="hb-kpis">', 1)[1].split("</div>\n\n", 1)[0]
    assert "按材料完成率" in kpis and "43.8%" in kpis and "每项材料计一次 · 已交齐 1 / 4 项" in kpis
    assert "按份数完成率" in kpis and "30.8%" in kpis and "已收集 4 / 应交 13 份" in kpis


def test_indicators_page_without_values_names_the_table():
    text = render_site(make_archive(with_indicators=False))["indicators.md"]
    assert "evidence/indicators/values.csv" in text
    assert "达标" not in text


def test_md_escape_covers_markdown_and_html():
    escaped = str(context.md_escape("a*b_c [x](y) <b>&\n# h|k"))
    assert escaped == r"a\*b\_c \[x\]\(y\) &lt;b&gt;&amp; \# h\|k"
    rendered = markdown.markdown(escaped, extensions=["tables"])
    assert rendered == "<p>a*b_c [x](y) &lt;b&gt;&amp; # h|k</p>"


def test_human_size():
    assert context.human_size(512) == "512 B"
    assert context.human_size(245_760) == "240.0 KB"
    assert context.human_size(5_400_000) == "5.1 MB"


def test_bar_chart_escapes_labels():
    svg = charts.bar_chart([charts.Bar(label="<script>", percent=50)], title="t&t")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "t&amp;t" in svg


def test_ranking_orders_by_percent_then_count():
    archive = make_archive()
    ranking = context.unit_ranking(archive.project.plan, Site(archive).by_unit())
    # Counted by hand from make_archive's cells: 市卫健委 2 of 5 (01.1, 45.1 × 4); 嵩阳街道 1 of 4 (03.2);
    # 市爱卫办 1 of 4 (03.1; its four 03.2 cells are 不适用 and do not count). 市城管局 owes nothing: not ranked.
    assert [(row.unit.name, row.tally.percent, row.tally.required) for row in ranking] == [
        ("市卫健委", 40.0, 5), ("嵩阳街道", 25.0, 4), ("市爱卫办", 25.0, 4)]


# --------------------------------------------------------------------------- indicators, missing, problems


def _value(number: int, year: int, value, raw: str, unit: str = "", **extra) -> IndicatorValue:
    return IndicatorValue(indicator=number, year=year, value=value, unit=unit, raw=raw, **extra)


def _with_more_indicators() -> Archive:
    """The fixture plus a failing threshold (full-width input), a five-year indicator with a gap, a plan one."""
    archive = make_archive()
    standard = archive.project.standard
    standard.indicators[2] = Indicator(number=2, name="群众对卫生状况满意率", target="≥90%", note="",
                                       rule=Rule(kind=RuleKind.THRESHOLD, op=">=", value=90, unit="%"),
                                       years=3, items=(3,))
    standard.indicators[38] = Indicator(number=38, name="甲、乙类法定传染病报告发病率", target="不高于近5年平均水平",
                                        note="", rule=Rule(kind=RuleKind.FIVE_YEAR_MEAN), years=5, items=(45,))
    standard.indicators[49] = Indicator(number=49, name="每千常住人口医疗卫生机构床位数", target="符合规划", note="",
                                        rule=Rule(kind=RuleKind.PLAN, op=">="), years=3, items=(45,))
    source = "03/03.1-年度工作计划/2024-市爱卫办-2024年爱国卫生工作计划.pdf"
    archive.indicators[2] = IndicatorResult(
        indicator=2, applies=True, target="≥90%", rule=standard.indicators[2].rule, years=(2023, 2024, 2025),
        values={2023: _value(2, 2023, 91.2, "91.2%", "%", source="登封市2023年<b>满意度</b>调查报告"),
                2024: _value(2, 2024, 92.5, "92.5%", "%", source="登封市2024年<b>满意度</b>调查报告"),
                2025: _value(2, 2025, 89.0, "８９．０％", "%", source="登封市2025年<b>满意度</b>调查报告")},
        verdict=Verdict.FAIL, reason="2025年 89%，未达到 ≥90%", owner="市爱卫办")
    archive.indicators[38] = IndicatorResult(
        indicator=38, applies=True, target="不高于近5年平均水平", rule=standard.indicators[38].rule,
        years=(2021, 2022, 2023, 2024, 2025),
        values={y: _value(38, y, v, f"{v}/10万", "/10万", source=source)
                for y, v in ((2021, 245.3), (2023, 268.4), (2024, 252.1), (2025, 238.6))},
        verdict=Verdict.NO_DATA, reason="缺 2022 年数据", owner="市疾控中心")
    archive.indicators[49] = IndicatorResult(
        indicator=49, applies=True, target="符合规划", rule=standard.indicators[49].rule, years=(2023, 2024, 2025),
        values={y: _value(49, y, v, raw, plan_value=p) for y, v, raw, p in
                ((2023, 6.0, "6.0", 5.8), (2024, 6.3, "6.3", 6.2), (2025, 6.6, "6.6", 6.5))},
        verdict=Verdict.PASS, reason="2025年 6.6，规划值 6.5，符合规划要求", owner="市卫健委")
    return archive


@pytest.fixture(scope="module")
def more_pages() -> dict[str, str]:
    return render_site(_with_more_indicators())


def test_indicator_values_show_the_parsed_value_with_its_unit():
    assert context.fmt_indicator_value(_value(2, 2025, 93.1, "９３．１％", "%")) == "93.1%"
    assert context.fmt_indicator_value(_value(50, 2024, 3.0, "3.0")) == "3.0"  # decimals as typed
    assert context.fmt_indicator_value(_value(50, 2024, 3.0, "3")) == "3"
    assert context.fmt_indicator_value(_value(6, 2024, 2.31, "2.31", "平方米")) == "2.31平方米"
    assert context.fmt_indicator_value(_value(55, 2024, "C", "C级", "级")) == "C级"
    assert context.fmt_indicator_value(_value(24, 2024, "有", "达到")) == "达到"
    assert context.fmt_indicator_value(_value(10, 2024, "有", "有")) == "有"


def test_indicators_page_groups_by_verdict_with_a_summary(more_pages):
    text = more_pages["indicators.md"]
    fail, nodata, passed = (text.index(f"{{ #{key} }}") for key in ("fail", "nodata", "pass"))
    assert fail < nodata < passed  # the ones needing work first
    assert 'href="#fail"' in text and 'href="#nodata"' in text and 'href="#pass"' in text
    assert "指标 2<" in text.split("未达标", 1)[1]  # the summary card names the failing indicator
    assert "不适用</span><span class=\"hb-kpi-value\">0 项" in text  # no link to an empty group
    html = _html(text)
    assert "９３" not in html and "８９" not in html and "89.0%" in html  # parsed value, not the typed text
    assert "hb-verdict-fail" in html and "hb-verdict-nodata" in html


def test_indicator_table_has_a_column_per_needed_year_and_marks_gaps(more_pages):
    section = more_pages["indicators.md"].split("{ #nodata }", 1)[1].split("{ #pass }", 1)[0]
    header = next(line for line in section.splitlines() if line.startswith("| 指标"))
    assert "| 2021 | 2022 | 2023 | 2024 | 2025 |" in header  # indicator 38 needs five years
    row = next(line for line in section.splitlines() if line.startswith("| **38**"))
    cells = [c.strip() for c in row.split(" | ")]
    assert "245\\.3<wbr>/10万" in cells[2] and "缺" in cells[3] and "hb-gap" in cells[3]
    passed = more_pages["indicators.md"].split("{ #pass }", 1)[1]
    row56 = next(line for line in passed.splitlines() if line.startswith("| **56**"))
    assert row56.count("hb-gap") == 0  # 56 does not need 2021–2022: blank, not 缺
    assert "规划 5\\.8" in passed and "规划 6\\.5" in passed  # plan values of 49


def test_indicator_sources_are_escaped_merged_and_linked(more_pages):
    text = more_pages["indicators.md"]
    html = _html(text)
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert "登封市××××年&lt;b&gt;满意度&lt;/b&gt;调查报告（2023至2025年各一份）" in html  # one title, not three
    row38 = next(line for line in text.splitlines() if line.startswith("| **38**"))
    assert "](evidence/03/03.1-" in row38  # a source naming a published file links to it


def test_indicator_on_item_unit_and_category_pages(more_pages):
    assert "<tr><td><strong>38</strong>" in more_pages["items/45.md"]
    assert "<tr><td><strong>49</strong>" in more_pages["items/45.md"]
    assert "| **38**" in more_pages["categories/7.md"] and "{ #indicators }" in more_pages["categories/7.md"]
    unit = more_pages["units/jkzx.md"]  # 市疾控中心 owns 56
    assert '<h2 id="负责填报的指标">负责填报的指标</h2>' in unit and "<tr><td><strong>56</strong>" in unit


def test_sparkline_breaks_at_a_missing_year_and_escapes():
    svg = charts.sparkline([1.0, 2.0, None, 4.0, 5.0], title="<x>", reference=[3.0] * 5)
    assert svg.count('class="hb-spark-line"') == 2 and svg.count("hb-spark-dot") == 4
    assert "hb-spark-ref" in svg and "<x>" not in svg and "&lt;x&gt;" in svg
    assert charts.sparkline([1.0, None], title="t") == ""


def test_missing_page_lists_each_cell_once_under_its_owner_and_the_lead_sees_it_as_supervised():
    archive = make_archive()
    for cell in archive.cells:
        if cell.material == "45.1":
            cell.owner, cell.supervisors = "市疾控中心", ("市卫健委",)  # supplied by 疾控, led by 卫健委
    pages = render_site(archive)
    text = pages["missing.md"]
    # Open: 03.1 2023, 2025 (late), 2026; 03.2 嵩阳街道 2023, 2025 (late), 2026; 45.1 2023, 2026.
    assert "共 8 份材料缺失或逾期（其中逾期 4 份）" in text
    assert "各单位的份数加起来就是 8" in text
    assert text.split("## 市疾控中心", 1)[1].split("## ", 1)[0].count("[45\\.1]") == 1
    assert "## 市卫健委" not in text  # it supervises 45.1, it does not owe it
    wjw = pages["units/wjw.md"]
    supervised = wjw.split(">督促的材料（本单位牵头）</h2>", 1)[1].split("<h2 ", 1)[0]
    assert "<strong>不计入</strong>本单位的完成率" in supervised
    assert '<a href="../jkzx/#还缺的材料">市疾控中心</a>（2023、2026）' in supervised  # where 疾控 sees what it owes


def test_open_cells_are_one_row_per_material_with_late_and_due_years(pages):
    section = pages["units/aiwei.md"].split(">还缺的材料</h2>", 1)[1].split("<h2 ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith('<tr><td><a href="../../items/03/#m03')]
    assert len(rows) == 1
    assert "2023、2025" in rows[0] and "hb-late" in rows[0] and "2026" in rows[0] and "截止 2026-12-31" in rows[0]


def test_review_cell_shows_a_short_reason_and_points_to_the_problem_section():
    archive = make_archive()
    path = "03/03.1-年度工作计划/" + XSS_NAME
    cell = next(c for c in archive.cells if c.material == "03.1" and c.year == 2023)
    cell.status, cell.files = Status.REVIEW, [path]
    cell.reason = "文件名不是“年度-单位-标题.扩展名”的格式"  # judge.cells says it beside the file: no path
    text = render_site(archive)["items/03.md"]
    row = next(line for line in text.splitlines() if line.startswith('<tr><td>2023</td><td><span class="hb-badge hb-review'))
    assert '（<a href="#问题文件">怎么改</a>）' in row
    reason = row.split('class="hb-reason">', 1)[1]
    assert reason.startswith("文件名不是") and "onerror" not in reason  # the path is not repeated
    assert "<img" not in _html(text)


def test_problem_rows_say_the_sidecar_line_beside_the_file_not_its_path():
    path = "03/03.1-x/2024-市爱卫办-计划.pdf"
    own = Problem("empty", "文件是空的", "重新提交", place=Where(path))
    sidecar = Problem("sidecar-error", "未知字段", "删去", place=Where("03/03.1-x/2024-市爱卫办-计划.yml", 4))
    assert format_problem(own, beside=path, fix=False) == "文件是空的"
    assert format_problem(sidecar, beside=path, fix=False) == "说明文件第 4 行：未知字段"


def test_generated_pages_hide_the_sidebars_they_do_not_need(pages):
    def hidden(text: str) -> list[str]:
        front = text.split("---\n", 2)[1] if text.startswith("---\n") else ""
        return [line.strip("- ").strip() for line in front.splitlines() if line.startswith("  - ")]

    assert hidden(pages["indicators.md"]) == ["navigation", "toc"]
    assert hidden(pages["problems.md"]) == ["navigation", "toc"]
    assert hidden(pages["categories/1.md"]) == ["navigation", "toc"]
    assert "navigation" in hidden(pages["items/03.md"]) and "toc" not in hidden(pages["items/03.md"])
    from handbook.outputs.package import render_skipped_page

    assert hidden(render_skipped_page("测试")) == ["navigation"]


def test_indicator_outside_the_county_set_is_listed_as_not_applicable():
    archive = _with_more_indicators()
    result = archive.indicators[2]
    result.applies, result.verdict, result.reason = False, Verdict.NO_DATA, "不适用：本指标不在县的指标体系内，不评判"
    text = render_site(archive)["indicators.md"]
    section = text.split("{ #na }", 1)[1]
    assert "| **2**" in section and "hb-verdict-na" in section
    assert "hb-gap" not in next(line for line in section.splitlines() if line.startswith("| **2**"))
    assert 'href="#na"' in text


def test_unit_duties_lead_and_takes_part_on_separate_lines(pages):
    songyang = pages["units/songyang.md"]  # takes part in 03 and owes its own 03.2 summaries
    assert '<tr><td><strong>参与</strong>（1 项）</td><td><a href="../../items/03/">03 年度计划与总结</a></td>' in songyang
    assert "<strong>牵头</strong>" not in songyang
    jkzx = pages["units/jkzx.md"]  # takes part in 45 but the lead supplies everything
    assert ("<summary>参与 1 项（本单位在这些项没有应交的材料，由各材料的供给单位提交、牵头单位汇总）</summary>\n"
            '<p><a href="../../items/45/">45 病媒生物预防控制</a></p>') in jkzx
    aiwei = pages["units/aiwei.md"]  # leads 01 and 03 but owes only in 03: 01 is on one line, not a row saying 无
    assert '<tr><td><strong>牵头</strong>（1 项）</td><td><a href="../../items/03/">03 年度计划与总结</a></td>' in aiwei
    assert ("<strong>另牵头 1 项</strong>（本单位在这些项没有应交的材料，负责汇总和督促）："
            '<a href="../../items/01/">01 组织领导与规范性文件</a>') in aiwei
    assert "无</span>" not in aiwei


def test_sidecar_facts_show_under_the_file_title(pages):
    page = pages["items/01.md"]
    assert '<span class="hb-meta">登政〔2023〕12号 · 规范性文件</span>' in page
