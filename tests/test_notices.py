"""The office's documents for the demo (HANDBOOK_TODAY 2026-11-23), read back with openpyxl and pypdf."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from handbook.judge.campaign_report import parse_period
from handbook.outputs.notices import write_notices
from handbook.pipeline import build_archive

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def archive():
    return build_archive(ROOT, today=dt.date(2026, 11, 23), git=False)


def test_periods():
    assert parse_period("2026-11").end == dt.date(2026, 11, 30)
    assert (parse_period("2026Q4").start, parse_period("2026Q4").label) == (dt.date(2026, 10, 1), "2026年第四季度")
    assert parse_period("2026-W47").start == dt.date(2026, 11, 16)
    assert parse_period("2026-13") is None


def test_escalation_lists_only_findings_past_deadline(archive, tmp_path):
    docs, (xlsx, pdf) = write_notices(archive, "督办单", parse_period("2026-11"), tmp_path)
    rows = [row for doc in docs for row in doc.tables[0].rows]
    assert rows and all(row[6] > 0 for row in rows)  # 逾期天数
    book = load_workbook(xlsx)
    assert book.sheetnames[0] == docs[0].sheet
    assert book.worksheets[0]["A1"].value == "整改督办单"
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "整改督办单" in text and docs[0].recipient in text


def test_bulletin_ranks_streets_among_streets_and_names_the_flag(archive, tmp_path):
    docs, (xlsx, pdf) = write_notices(archive, "通报", parse_period("2026Q4"), tmp_path)
    [doc] = docs
    streets = doc.tables[0]
    assert streets.heading == "街道排名（4 个）"
    assert next(row[1] for row in streets.rows) == "嵩阳街道"
    assert any("流动红旗授予：登封市嵩阳街道办事处" in line for line in doc.intro)
    kinds = [t.heading.split("排名")[0] for t in doc.tables]
    assert "街道" in kinds and "市直部门" in kinds
    sheet = load_workbook(xlsx).worksheets[0]
    values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "嵩阳街道" in values and not any(isinstance(v, str) and v.startswith("=") for v in values)
    assert "流动红旗" in "".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_notice_per_unit_and_briefing(archive, tmp_path):
    docs, (_xlsx, _) = write_notices(archive, "整改通知单", parse_period("2026-11"), tmp_path)
    assert len(docs) == 8
    assert all(row[1].startswith("DF-2026-") for doc in docs for row in doc.tables[0].rows)
    docs, (_, pdf) = write_notices(archive, "简报", parse_period("2026-11"), tmp_path)
    assert [t.heading for t in docs[0].tables][:4] == ["各类别完成率变化", "各单位收到文件与完成率变化", "本期新发现的问题", "本期整改的问题"]
    assert "工作简报" in PdfReader(pdf).pages[0].extract_text()
