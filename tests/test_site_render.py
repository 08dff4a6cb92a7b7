"""Golden tests of the site renderer: a small hand-built archive → Markdown pages.

Regenerate the golden files after an intended change with ``UPDATE_GOLDEN=1 pytest tests/test_site_render.py``
and review the diff. The archive is built from model.py dataclasses directly, so these tests do not depend
on the loader or the scanner.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import markdown
import pytest

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
    Level,
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
)
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


# --------------------------------------------------------------------------- golden files


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"缺少金标准文件 {path}；用 UPDATE_GOLDEN=1 生成后检查差异"
    assert text == path.read_text(encoding="utf-8"), f"{name} 与金标准不同；确认是有意修改后用 UPDATE_GOLDEN=1 更新"


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return render_site(make_archive())


GOLDEN_PAGES = ["index.md", "categories/1.md", "items/03.md", "items/45.md", "units/index.md", "units/aiwei.md",
                "missing.md", "problems.md", "indicators.md"]


@pytest.mark.parametrize("uri", GOLDEN_PAGES)
def test_page_matches_golden(pages, uri):
    _check_golden(uri.replace("/", "__"), pages[uri])


def test_every_page_has_a_stable_uri(pages):
    expected = {"index.md", "missing.md", "problems.md", "indicators.md", "units/index.md",
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
    assert "[市卫健委](../units/wjw.md)" in text
    assert "](../evidence/01/01.1-" in text


def test_home_ranking_and_countdown(pages):
    text = pages["index.md"]
    assert "38 天" in text  # 2026-11-23 → 2026-12-31
    assert text.index("嵩阳街道") > 0 and "完成率最高" in text


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
    ranking = context.unit_ranking(archive.project.plan, render_site.__globals__["Site"](archive).by_unit())
    percents = [row.tally.percent for row in ranking]
    assert percents == sorted(percents, reverse=True)
    assert "市城管局" not in [row.unit.name for row in ranking]  # owes nothing: not ranked
