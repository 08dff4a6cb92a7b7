"""The findings table in a real in-process MkDocs build: its bad rows fail ``--strict`` with file:row, what is
wrong and the fix; a finding photo reaches site/ without its GPS position, the office's file unchanged."""

from __future__ import annotations

import io
import logging
import shutil
from pathlib import Path

import pytest
from PIL import Image

from test_site_build import FIXTURE, plugin_of, site_config

HEADER = "编号,日期,来源,检查组,地点,条目,问题描述,整改前照片,属地单位,行业单位,整改期限,整改日期,整改后照片,销号人"
ROWS = [
    "FX-01,2026-11-02,暗访,市爱卫办暗访组,嵩阳街道 书院河路,45,农贸市场鼠迹明显,FX-01-整改前.jpg,嵩阳街道,市疾控中心,2026-11-30,,,",
    "FX-02,2026-11-03,督查,市爱卫办督查组,嵩阳街道 中岳大街,45,垃圾桶满溢,,嵩阳街到,市城管局,2026-11-10,,,",
    "FX-03,2026-13-01,暗访,市爱卫办暗访组,嵩阳街道 菜市场,45,下水道堵塞,,嵩阳街道,市城管局,2026-11-20,,,",
    "FX-04,2026-11-05,暗仿,市爱卫办暗访组,嵩阳街道 车站,99,公厕无人保洁,,嵩阳街道,市城管局,2026-11-25,,,",
]
TABLE = "evidence/findings/findings.csv"


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (34.0, 27.0, 30.0), 3: "E", 4: (113.0, 2.0, 10.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 120, 40)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    photos = tmp_path / "evidence" / "findings" / "photos"
    photos.mkdir(parents=True)
    (photos / "FX-01-整改前.jpg").write_bytes(_jpeg_with_gps())
    return tmp_path


def _handbook_errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "mkdocs.plugins.handbook" and r.levelno == logging.ERROR]


def test_bad_findings_rows_fail_strict_with_row_what_and_fix(project, caplog):
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort

    (project / TABLE).write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    original = (project / "evidence/findings/photos/FX-01-整改前.jpg").read_bytes()
    config = site_config(project, strict=True, package=False)
    with caplog.at_level(logging.WARNING, logger="mkdocs"), pytest.raises(Abort, match="strict mode"):
        build(config)
    assert _handbook_errors(caplog) == [
        f"{TABLE}:3: 错误: 属地单位“嵩阳街到”不在本地方案的单位中 — 是否应为“嵩阳街道”？",
        f"{TABLE}:4: 错误: “日期”的“2026-13-01”不是日期 — 请写成 2026-10-12（或 2026年10月12日）",
        f"{TABLE}:5: 错误: 条目“99”不是标准的条目编号 — 填标准条目编号 1–45（如 21）",
        f"{TABLE}:5: 错误: 来源“暗仿”不是规定的来源 — 改为“暗访”？",
    ]
    archive = plugin_of(config).build.archive
    assert [f.id for f in archive.findings] == ["FX-01", "FX-02", "FX-03", "FX-04"]  # nothing dropped
    # The site was still written: the one good row's photo is there, without its metadata.
    published = project / "site" / "evidence" / "findings" / "photos" / "FX-01-整改前.jpg"
    with Image.open(published) as image:
        assert dict(image.getexif()) == {} and image.size == (640, 480)
    assert b"Exif" not in published.read_bytes()
    assert (project / "evidence/findings/photos/FX-01-整改前.jpg").read_bytes() == original
    problems_page = (project / "site" / "problems" / "index.html").read_text(encoding="utf-8")
    assert "问题台账的问题" in problems_page and "属地单位“嵩阳街到”不在本地方案的单位中" in problems_page


def test_a_findings_table_missing_columns_fails_strict(project, caplog):
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort

    (project / TABLE).write_text("编号,日期,地点,问题描述\nFX-01,2026-11-02,嵩阳街道,鼠迹\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="mkdocs"), pytest.raises(Abort, match="strict mode"):
        build(site_config(project, strict=True, package=False))
    [message] = _handbook_errors(caplog)
    assert message.startswith(f"{TABLE}:1: 错误: 问题台账缺少列：来源、条目、属地单位、整改期限 — 表头应为：编号、日期、来源、")
    assert message.endswith("（可用 python -m handbook template --findings 生成模板）")
