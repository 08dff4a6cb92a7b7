"""The 工作简报 page: this month so far and last month, from a small project whose dates the test sets."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from test_site_build import FIXTURE

TODAY = dt.date(2026, 11, 23)
FILES = {  # the fixture's evidence → the day it "arrived" (outside git: its modification time)
    "03-年度计划与卫生创建/03.1-年度工作计划/2024-市爱卫办-测试市2024年爱国卫生工作计划.pdf": dt.date(2026, 10, 15),
    "03-年度计划与卫生创建/03.2-年度工作总结/2024-市爱卫办-2024年爱卫工作人员花名册.pdf": dt.date(2026, 11, 10),
    "45-病媒生物预防控制/45.3-病媒生物密度监测报告/2025-市疾控中心-测试市2025年病媒生物密度监测报告.pdf": dt.date(2026, 11, 5),
}
FINDINGS = """编号,日期,来源,检查组,地点,条目,问题描述,属地单位,行业单位,整改期限,整改日期,销号人
FX-01,2026-10-20,暗访,暗访组,嵩阳街道 书院河路,45,农贸市场鼠迹明显,嵩阳街道,市疾控中心,2026-10-30,2026-10-28,市爱卫办 李静
FX-02,2026-11-02,督查,督查组,嵩阳街道 中岳大街,45,垃圾桶满溢,嵩阳街道,市城管局,2026-11-10,,
FX-03,2026-11-05,模拟检查,督查组,嵩阳街道 菜市场,3,健康教育宣传栏过期,嵩阳街道,市卫健委,2026-11-30,2026-11-12,
FX-04,2026-10-25,群众投诉,督查组,嵩阳街道 车站,45,公厕无人保洁,嵩阳街道,市城管局,2026-11-05,2026-11-08,市爱卫办 赵强
"""


def make_project(root: Path) -> None:
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    for rel, day in FILES.items():
        stamp = dt.datetime.combine(day, dt.time(10)).timestamp()
        os.utime(root / "evidence" / rel, (stamp, stamp))
    (root / "evidence" / "findings").mkdir()
    (root / "evidence" / "findings" / "findings.csv").write_text(FINDINGS, encoding="utf-8")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    from handbook.pipeline import build_archive
    from handbook.render import render_site

    root = tmp_path_factory.mktemp("briefing")
    make_project(root)
    archive = build_archive(root, today=TODAY, cache_dir=root / ".cache", git=False)
    assert archive.finding_problems == []
    return render_site(archive)


def _section(page: str, heading: str, end: str) -> str:
    start = page.index(heading)
    return page[start:page.index(end, start + len(heading))]


def test_this_month_so_far_in_figures(pages):
    # The fixture owes 424 cells: 1 collected by 10-31 (03.1), 3 by 11-23 (03.2 on 11-10, 45.3 on 11-05).
    # 一、组织管理 owes 77 (03.1, 03.2), 七、疾病防控 69 (45.3); 市爱卫办 owns 69, 市卫健委 201 (45.3 is its cell,
    # sent by 市疾控中心, which owes nothing).
    month = _section(pages["briefing.md"], "## 2026年11月（截至 11 月 23 日）", "## 2026年10月")
    assert ("本期（2026\\-11\\-01 至 2026\\-11\\-23）收到材料文件 **2** 份；全市材料完成率 0\\.2% → **0\\.7%**"
            "（<span class=\"hb-up\">+0\\.5</span>）；新发现问题 **2** 个，整改 **2** 个，期末未整改 **1** 个（其中逾期 1 个）。") in month
    categories = _section(month, "### 各类别完成率", "### 各单位收到文件与完成率")
    assert "| 1\\.3% | 2\\.6% | <span class=\"hb-up\">+1\\.3</span> |" in categories.splitlines()[4]  # 一
    assert categories.splitlines()[5].endswith("| 0\\.0% | 0\\.0% | 0.0 |")  # 二: nothing arrived
    assert categories.splitlines()[10].endswith("| 0\\.0% | 1\\.4% | <span class=\"hb-up\">+1\\.4</span> |")  # 七
    units = _section(month, "### 各单位收到文件与完成率", "### 新发现的问题")
    assert [line for line in units.splitlines() if line.startswith("| [")] == [
        "| [市卫健委](units/wjw.md) | 0 | 0\\.0% | 0\\.5% | <span class=\"hb-up\">+0\\.5</span> |",
        "| [市爱卫办](units/aiwei.md) | 1 | 1\\.4% | 2\\.9% | <span class=\"hb-up\">+1\\.5</span> |",
        "| [市疾控中心](units/jkzx.md) | 1 | — | — | — |",
    ]
    opened = _section(month, "### 新发现的问题", "### 整改的问题")
    assert [line.split(" | ")[0] for line in opened.splitlines() if line.startswith("| <span")] == [
        '| <span class="hb-nw">FX\\-02</span>', '| <span class="hb-nw">FX\\-03</span>']
    assert '<span class="hb-badge hb-overdue hb-finding-state">逾期</span>' in opened  # FX-02, past 11-10
    closed = month[month.index("### 整改的问题"):]
    rows = [line for line in closed.splitlines() if line.startswith("| <span")]
    assert len(rows) == 2
    assert rows[0].startswith('| <span class="hb-nw">FX\\-04</span> | <span class="hb-nw">2026\\-11\\-08</span>')
    assert rows[0].endswith("| 逾期后 | 市爱卫办 赵强 |")
    assert rows[1].endswith("| 按期 | 待确认 |")  # FX-03: rectified on time, nobody confirmed yet


def test_last_month_and_the_months_before(pages):
    page = pages["briefing.md"]
    october = _section(page, "## 2026年10月", "## 往期")
    assert "收到材料文件 **1** 份；全市材料完成率 0\\.0% → **0\\.2%**" in october
    assert "新发现问题 **2** 个，整改 **1** 个，期末未整改 **1** 个（其中逾期 0 个）" in october
    history = page[page.index("## 往期"):]
    assert "| 2026年11月（截至 11 月 23 日） | 2 | 0\\.7% | 2 | 2 | 1 |" in history
    assert "| 2026年10月 | 1 | 0\\.2% | 2 | 1 | 1 |" in history
    assert "| 2026年6月 | 0 | 0\\.0% | 0 | 0 | 0 |" in history  # six months in all
    assert "2026年5月" not in history


def test_the_command_for_the_paper_one_names_this_month(pages):
    assert "<code>python -m handbook notices --kind 简报 --period 2026-11</code>" in pages["briefing.md"]


def test_the_findings_page_and_home_link_the_briefing(pages):
    assert "[工作简报](briefing.md)" in pages["findings.md"]
    assert "[本月工作简报](briefing.md)" in pages["index.md"]


def test_a_month_ends_today_only_while_it_runs():
    from handbook.render.briefing import month_of

    assert month_of(TODAY, up_to=TODAY).end == TODAY
    assert month_of(dt.date(2026, 10, 3), up_to=TODAY).end == dt.date(2026, 10, 31)
    assert month_of(dt.date(2026, 11, 30), up_to=dt.date(2026, 11, 30)).label == "2026年11月"
