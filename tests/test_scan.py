"""The evidence scan (handbook.scan.evidence) on real trees made in tmp_path: every problem code on a real file,
the hash cache, git provenance, and that nothing under evidence/ is ever changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import subprocess
from pathlib import Path

import pytest

from handbook.scan import evidence as scan
from handbook.model import (
    Assignment,
    Category,
    EvidenceFile,
    Item,
    Kind,
    Level,
    Material,
    Plan,
    Problem,
    Project,
    Standard,
    Unit,
    Where,
)
from test_filecheck import DOCX, image_bytes, pdf_bytes, write, zip_bytes

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- a tiny project


def _material(mid: str, title: str, *, per_year: bool = True, per_unit: bool = False, formats=("pdf", "ofd")) -> Material:
    return Material(id=mid, item=int(mid.split(".")[0]), title=title, complete_when="", per_year=per_year,
                    per_unit=per_unit, formats=tuple(formats), seal=False, slot=None)


def make_project(root: Path | None = None, *, max_file_mb: int = 50) -> Project:
    """Three items, five materials, four units: enough for every scan rule."""
    items = {
        1: Item(1, "组织领导与规范性文件", "将爱国卫生工作纳入…", 1,
                materials=[_material("01.1", "爱国卫生工作规范性文件", per_year=False)]),
        3: Item(3, "年度计划与卫生创建", "制定年度计划…", 1, materials=[
            _material("03.1", "年度爱国卫生工作计划", formats=("pdf", "ofd", "docx")),
            _material("03.2", "年度工作部署会议照片", formats=("pdf", "jpg", "png")),
        ]),
        5: Item(5, "投诉渠道与群众满意", "建立投诉渠道…", 1, materials=[
            _material("05.1", "投诉渠道公布材料", per_year=False, per_unit=True),
        ]),
    }
    standard = Standard(categories=[Category(1, "一", "爱国卫生组织管理", (1, 3, 5))], items=items, indicators={}, slots={})
    units = {
        "市卫健委": Unit("市卫健委", "wjw", "测试市卫生健康委员会", ("卫健委", "市卫生健康委")),
        "市爱卫办": Unit("市爱卫办", "awb", "测试市爱国卫生运动委员会办公室", ("爱卫办",), parent="市卫健委"),
        "市城管局": Unit("市城管局", "cgj", "测试市城市管理局", ("城管局",)),
        "市交通局": Unit("市交通局", "jtj", "测试市交通运输局", ()),
    }
    alias_index = {name: unit.name for unit in units.values() for name in unit.names}
    assignments = {
        1: Assignment(1, lead=("市卫健委",), responsible=("市卫健委",)),
        3: Assignment(3, lead=("市卫健委",), responsible=("市卫健委", "市城管局")),
        5: Assignment(5, lead=("市卫健委",), responsible=("市卫健委",), groups=("其它市直机关",)),
    }
    plan = Plan(
        city="测试市", kind=Kind.CITY, review_year=2026, window=(2023, 2024, 2025, 2026), today=dt.date(2026, 5, 1),
        units=units, groups={}, assignments=assignments, stages=[],
        deadline_completed_years=dt.date(2026, 6, 30), deadline_current_year=dt.date(2026, 12, 31),
        max_file_mb=max_file_mb, alias_index=alias_index,
    )
    return Project(root=root or Path("."), standard=standard, plan=plan)


def run_scan(project: Project, evidence: Path, **kwargs) -> dict[str, EvidenceFile]:
    kwargs.setdefault("git", False)
    files = scan.scan_evidence(project, evidence, **kwargs)
    for file in files:  # every code is documented; the place is data (the file or its sidecar), never in the text
        for problem in file.problems:
            assert problem.code in scan.PROBLEM_CODES, problem
            assert problem.place is not None and problem.place.file.startswith(file.path.rsplit(".", 1)[0]), problem
            assert problem.place.file not in problem.message, problem
            assert problem.fix, problem
    return {f.path: f for f in files}


def codes(file: EvidenceFile) -> set[str]:
    return {p.code for p in file.problems}


def level_of(file: EvidenceFile, code: str) -> Level:
    return next(p.level for p in file.problems if p.code == code)


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under root: kind, bytes hash, size, mtime, mode (links are not followed)."""
    state: dict[str, tuple] = {}
    for folder, dirs, names in os.walk(root):
        for name in dirs + names:
            path = Path(folder, name)
            info = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() and not path.is_symlink() else ""
            link = os.readlink(path) if path.is_symlink() else ""
            state[str(path.relative_to(root))] = (digest, link, info.st_size, info.st_mtime_ns, info.st_mode)
    return state


PLAN_DIR = "03-年度计划/03.1-年度工作计划"
PHOTO_DIR = "03-年度计划/03.2-部署会议照片"


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    root = tmp_path / "evidence"
    root.mkdir()
    return root


# --------------------------------------------------------------------------- a good file


def test_good_file_is_fully_parsed(evidence: Path) -> None:
    data = pdf_bytes(3)
    write(evidence / PLAN_DIR / "2023-市爱卫办-测试市2023年爱国卫生工作计划.pdf", data)
    files = run_scan(make_project(), evidence)
    [file] = files.values()
    assert file.path == f"{PLAN_DIR}/2023-市爱卫办-测试市2023年爱国卫生工作计划.pdf"
    assert (file.item, file.material, file.years, file.unit, file.unit_raw) == (3, "03.1", (2023,), "市爱卫办", "市爱卫办")
    assert (file.title, file.filetype, file.pages, file.size) == ("测试市2023年爱国卫生工作计划", "pdf", 3, len(data))
    assert file.sha256 == hashlib.sha256(data).hexdigest()
    assert file.mtime_ns == (evidence / file.path).stat().st_mtime_ns
    assert file.problems == []


def test_aliases_full_width_and_spans_resolve(evidence: Path) -> None:
    names = {
        "２０２４－卫健委－计划（全角）.pdf": ((2024,), "市卫健委"),
        "2022至2024-测试市卫生健康委员会-三年行动方案.pdf": ((2022, 2023, 2024), "市卫健委"),
        "2023-市 爱卫办-空格 与 emoji 😀.pdf": ((2023,), "市爱卫办"),
        "2025_爱卫办_下划线分隔.pdf": ((2025,), "市爱卫办"),
    }
    for name in names:
        write(evidence / PLAN_DIR / name, pdf_bytes())
    files = run_scan(make_project(), evidence)
    for name, (years, unit) in names.items():
        file = files[f"{PLAN_DIR}/{name}"]
        assert (file.years, file.unit) == (years, unit), name
        assert file.problems == [], (name, file.problems)


# --------------------------------------------------------------------------- names


def test_name_problems(evidence: Path) -> None:
    cases = {
        "工作计划.pdf": "bad-name",
        "市爱卫办-工作计划.pdf": "no-year",
        "20233-市爱卫办-计划.pdf": "bad-year",
        "2024至2022-市爱卫办-计划.pdf": "bad-year",
        "2023-市城官局-计划.pdf": "unknown-unit",
        "2019-市爱卫办-计划.pdf": "outside-window",
        "2030-市爱卫办-计划.pdf": "outside-window",
    }
    for name in cases:
        write(evidence / PLAN_DIR / name, pdf_bytes())
    files = run_scan(make_project(), evidence)
    for name, code in cases.items():
        file = files[f"{PLAN_DIR}/{name}"]
        assert code in codes(file), (name, file.problems)
        assert file.has_error, name
        problem = next(p for p in file.problems if p.code == code)
        assert problem.place == Where(file.path) and file.path not in problem.message and problem.fix
    assert files[f"{PLAN_DIR}/市爱卫办-工作计划.pdf"].unit == "市爱卫办"  # what could be read is kept
    unknown = next(p for p in files[f"{PLAN_DIR}/2023-市城官局-计划.pdf"].problems if p.code == "unknown-unit")
    assert "市城管局" in unknown.fix and "2023-市城管局-计划.pdf" in unknown.fix
    bad = next(p for p in files[f"{PLAN_DIR}/工作计划.pdf"].problems if p.code == "bad-name")
    assert "-工作计划.pdf" in bad.fix


def test_bad_name_example_is_built_from_the_files_own_parts(evidence: Path) -> None:
    write(evidence / PLAN_DIR / "爱卫办2024年工作计划.pdf", pdf_bytes())
    [file] = run_scan(make_project(), evidence).values()
    [problem] = [p for p in file.problems if p.code == "bad-name"]
    assert "2024-爱卫办-2024年工作计划.pdf" in problem.fix


def test_outside_window_is_a_warning_for_a_lasting_document(evidence: Path) -> None:
    write(evidence / "01/01.1-规范性文件/2015-市卫健委-爱国卫生管理办法.pdf", pdf_bytes())
    write(evidence / PLAN_DIR / "2015-市卫健委-计划.pdf", pdf_bytes())
    files = run_scan(make_project(), evidence)
    assert level_of(files["01/01.1-规范性文件/2015-市卫健委-爱国卫生管理办法.pdf"], "outside-window") is Level.WARNING
    assert level_of(files[f"{PLAN_DIR}/2015-市卫健委-计划.pdf"], "outside-window") is Level.ERROR


def test_span_overlapping_the_window_is_fine(evidence: Path) -> None:
    write(evidence / PLAN_DIR / "2021至2023-市卫健委-三年方案.pdf", pdf_bytes())
    [file] = run_scan(make_project(), evidence).values()
    assert file.years == (2021, 2022, 2023) and file.problems == []


def test_unit_not_assigned_is_a_warning(evidence: Path) -> None:
    write(evidence / PLAN_DIR / "2023-市交通局-计划.pdf", pdf_bytes())
    write(evidence / "05/05.1-投诉渠道/2023-市交通局-投诉渠道.pdf", pdf_bytes())  # item 5 has a generic group
    files = run_scan(make_project(), evidence)
    assert codes(files[f"{PLAN_DIR}/2023-市交通局-计划.pdf"]) == {"unit-not-assigned"}
    assert not files[f"{PLAN_DIR}/2023-市交通局-计划.pdf"].has_error
    assert files["05/05.1-投诉渠道/2023-市交通局-投诉渠道.pdf"].problems == []


def test_windows_unsafe_names(evidence: Path) -> None:
    names = ["2023-市卫健委-问题:是什么?.pdf", "CON.pdf", "2023-市卫健委-结尾有点.", "<img src=x onerror=alert(1)>.pdf"]
    for name in names:
        write(evidence / PLAN_DIR / name, pdf_bytes())
    files = run_scan(make_project(), evidence)
    for name in names:
        file = files[f"{PLAN_DIR}/{name}"]
        assert "windows-unsafe-name" in codes(file), name
        assert level_of(file, "windows-unsafe-name") is Level.ERROR
    xss = files[f"{PLAN_DIR}/<img src=x onerror=alert(1)>.pdf"]
    assert xss.title == "<img src=x onerror=alert(1)>"  # kept verbatim; escaping is the renderer's job
    assert "bad-name" in codes(xss)


def test_long_paths(evidence: Path) -> None:
    long_title = "长" * 10 + "a" * 190  # a 200-character title (Linux allows 255 bytes per name)
    medium_title = "标题" * 10 + "b" * 60  # about 165 characters once unpacked on a Windows desktop
    write(evidence / PLAN_DIR / f"2023-市卫健委-{long_title}.pdf", pdf_bytes())
    write(evidence / PLAN_DIR / f"2023-市卫健委-{medium_title}.pdf", pdf_bytes())
    files = run_scan(make_project(), evidence)
    long_file = files[f"{PLAN_DIR}/2023-市卫健委-{long_title}.pdf"]
    assert long_file.title == long_title
    assert level_of(long_file, "path-too-long") is Level.ERROR
    assert level_of(files[f"{PLAN_DIR}/2023-市卫健委-{medium_title}.pdf"], "path-too-long") is Level.WARNING


def test_personal_data_in_names(evidence: Path) -> None:
    good_id = "11010519491231002X"
    bad_id = "110105194912310021"
    write(evidence / PLAN_DIR / f"2023-市卫健委-张三{good_id}.pdf", pdf_bytes())
    write(evidence / PLAN_DIR / f"2023-市卫健委-编号{bad_id}.pdf", pdf_bytes())
    write(evidence / PLAN_DIR / "2023-市卫健委-联系人13912345678.pdf", pdf_bytes())
    files = run_scan(make_project(), evidence)
    flagged = files[f"{PLAN_DIR}/2023-市卫健委-张三{good_id}.pdf"]
    assert codes(flagged) == {"personal-data"} and level_of(flagged, "personal-data") is Level.WARNING
    assert "restricted: true" in flagged.problems[0].fix
    assert files[f"{PLAN_DIR}/2023-市卫健委-编号{bad_id}.pdf"].problems == []
    assert codes(files[f"{PLAN_DIR}/2023-市卫健委-联系人13912345678.pdf"]) == {"personal-data"}


# --------------------------------------------------------------------------- folders


def test_folder_problems(evidence: Path) -> None:
    paths = {
        "3/03.1-计划/2023-市卫健委-计划.pdf": "bad-item-folder",
        "46/46.1/2023-市卫健委-计划.pdf": "bad-item-folder",
        "年度计划/2023-市卫健委-计划.pdf": "bad-item-folder",
        "03.1-计划/2023-市卫健委-计划.pdf": "bad-item-folder",
        "03/05.1-投诉渠道/2023-市卫健委-渠道.pdf": "bad-material-folder",
        "03/03.9-其他/2023-市卫健委-其他.pdf": "bad-material-folder",
        "03/3.1/2023-市卫健委-计划.pdf": "bad-material-folder",
        "03/2023/2023-市卫健委-计划.pdf": "bad-material-folder",
        "03/2023-市卫健委-直接放在条目下.pdf": "file-in-item-folder",
        "2023-市卫健委-放在根目录.pdf": "file-in-root",
        "03/03.1-计划/2023年/2023-市卫健委-子文件夹.pdf": "nested-folder",
    }
    for path in paths:
        write(evidence / path, pdf_bytes())
    write(evidence / "03/03.2-照片/.gitkeep", b"")
    files = run_scan(make_project(), evidence)
    for path, code in paths.items():
        assert code in codes(files[path]), (path, files[path].problems)
        problem = next(p for p in files[path].problems if p.code == code)
        assert problem.place == Where(path) and path not in problem.message and problem.fix
    assert "03" in next(p.fix for p in files["3/03.1-计划/2023-市卫健委-计划.pdf"].problems if p.code == "bad-item-folder")
    assert files["3/03.1-计划/2023-市卫健委-计划.pdf"].item == 3  # still placed where it was meant to be
    assert files["03/3.1/2023-市卫健委-计划.pdf"].material == "03.1"
    other = next(p for p in files["03/05.1-投诉渠道/2023-市卫健委-渠道.pdf"].problems if p.code == "bad-material-folder")
    assert "第 5 条" in other.message and "05/" in other.fix
    in_item = next(p for p in files["03/2023-市卫健委-直接放在条目下.pdf"].problems if p.code == "file-in-item-folder")
    assert "03.1-计划" in in_item.fix and "03.2-照片" in in_item.fix  # names the material folders that exist
    assert level_of(files["03/03.1-计划/2023年/2023-市卫健委-子文件夹.pdf"], "nested-folder") is Level.WARNING


def test_file_in_item_folder_points_to_the_material_its_title_resembles(evidence: Path) -> None:
    write(evidence / "03/2023-市卫健委-部署会议照片.jpg", image_bytes("JPEG"))
    write(evidence / "03/03.1-计划/2023-市卫健委-计划.pdf", pdf_bytes())
    files = run_scan(make_project(), evidence)
    [problem] = [p for p in files["03/2023-市卫健委-部署会议照片.jpg"].problems if p.code == "file-in-item-folder"]
    first = problem.fix.split("最可能是：", 1)[1].split("、")[0]
    assert first == "03/03.2-年度工作部署会议照片/", problem.fix  # not the only folder that exists (03.1)
    assert "03/03.1-计划/" in problem.fix


def test_readme_and_indicators_are_not_evidence_but_everything_else_is(evidence: Path) -> None:
    write(evidence / "README.md", b"# readme")
    write(evidence / "indicators/values.csv", b"indicator,year,value\n")
    write(evidence / "notes.md", b"# notes")
    write(evidence / "03/README.md", b"# not at the top: counts")
    files = run_scan(make_project(), evidence)
    assert set(files) == {"notes.md", "03/README.md"}


def test_material_folder_suggestion_from_label(evidence: Path) -> None:
    write(evidence / "03/年度工作计划/2023-市卫健委-计划.pdf", pdf_bytes())
    [file] = run_scan(make_project(), evidence).values()
    [problem] = [p for p in file.problems if p.code == "bad-material-folder"]
    assert "03.1-年度爱国卫生工作计划" in problem.fix


# --------------------------------------------------------------------------- content


def test_content_problems_on_real_files(evidence: Path) -> None:
    good = pdf_bytes(2)
    files_written = {
        "2023-市卫健委-截断.pdf": (good[: len(good) // 2], "pdf-truncated"),
        "2023-市卫健委-加密.pdf": (pdf_bytes(1, user_password="secret", owner_password="o"), "pdf-encrypted"),
        "2023-市卫健委-图片冒充.pdf": (image_bytes("PNG"), "ext-mismatch"),
        "2023-市卫健委-空文件.pdf": (b"", "empty"),
        "2023-市卫健委-PDF冒充.docx": (pdf_bytes(), "ext-mismatch"),
        "2023-市卫健委-坏压缩包.docx": (zip_bytes(DOCX)[:30], "file-corrupt"),
    }
    for name, (data, _code) in files_written.items():
        write(evidence / PLAN_DIR / name, data)
    write(evidence / PHOTO_DIR / "2023-市卫健委-坏照片.jpg", image_bytes("JPEG", (300, 200))[:500])
    files = run_scan(make_project(), evidence)
    for name, (_data, code) in files_written.items():
        file = files[f"{PLAN_DIR}/{name}"]
        assert code in codes(file), (name, file.problems)
        assert file.has_error
    assert "image-unreadable" in codes(files[f"{PHOTO_DIR}/2023-市卫健委-坏照片.jpg"])
    assert files[f"{PLAN_DIR}/2023-市卫健委-空文件.pdf"].filetype == "empty"
    assert files[f"{PLAN_DIR}/2023-市卫健委-图片冒充.pdf"].filetype == "png"
    assert files[f"{PLAN_DIR}/2023-市卫健委-PDF冒充.docx"].pages == 1


def test_format_not_accepted(evidence: Path) -> None:
    write(evidence / "01/01.1-规范性文件/2023-市卫健委-管理办法.docx", zip_bytes(DOCX))
    write(evidence / PLAN_DIR / "2023-市卫健委-计划.docx", zip_bytes({**DOCX, "word/x.xml": b"2"}))  # 03.1 accepts docx
    files = run_scan(make_project(), evidence)
    assert codes(files["01/01.1-规范性文件/2023-市卫健委-管理办法.docx"]) == {"format-not-accepted"}
    assert files[f"{PLAN_DIR}/2023-市卫健委-计划.docx"].problems == []


def test_too_large_is_a_warning(evidence: Path) -> None:
    write(evidence / PLAN_DIR / "2023-市卫健委-大文件.pdf", pdf_bytes(padding=(1 << 20) + 1000))
    [file] = run_scan(make_project(max_file_mb=1), evidence).values()
    assert codes(file) == {"too-large"} and level_of(file, "too-large") is Level.WARNING


def test_duplicate_content(evidence: Path) -> None:
    data = pdf_bytes(2)
    write(evidence / PLAN_DIR / "2023-市卫健委-计划.pdf", data)
    write(evidence / "05/05.1-投诉渠道/2023-市卫健委-计划副本.pdf", data)
    write(evidence / PLAN_DIR / "2024-市卫健委-空.pdf", b"")
    write(evidence / PLAN_DIR / "2025-市卫健委-空.pdf", b"")  # two empty files are not "duplicates"
    files = run_scan(make_project(), evidence)
    original = files[f"{PLAN_DIR}/2023-市卫健委-计划.pdf"]
    copy = files["05/05.1-投诉渠道/2023-市卫健委-计划副本.pdf"]
    assert "duplicate-content" not in codes(original)
    [problem] = [p for p in copy.problems if p.code == "duplicate-content"]
    assert problem.level is Level.ERROR and original.path in problem.message and "also_for" in problem.fix
    assert '"05.1"' in problem.fix
    assert "duplicate-content" not in codes(files[f"{PLAN_DIR}/2025-市卫健委-空.pdf"])


def test_junk_files_are_listed_as_warnings_and_serve_no_material(evidence: Path) -> None:
    for name in ("~$计划.docx", ".DS_Store", "Thumbs.db", "desktop.ini"):
        write(evidence / PLAN_DIR / name, b"junk")
    write(evidence / "__MACOSX/03/._x.pdf", b"junk")
    files = run_scan(make_project(), evidence)
    assert len(files) == 5
    for file in files.values():
        assert codes(file) == {"junk-file"}, file.path
        assert level_of(file, "junk-file") is Level.WARNING
        assert "删除" in file.problems[0].fix
        assert file.material is None  # must never make a cell "collected"
    assert "duplicate-content" not in {c for f in files.values() for c in codes(f)}


# --------------------------------------------------------------------------- links and odd entries


def test_symlink_to_etc_passwd_is_never_read(evidence: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    link = evidence / PLAN_DIR / "2023-市卫健委-密码.pdf"
    link.parent.mkdir(parents=True)
    link.symlink_to("/etc/passwd")
    inspected: list[str] = []
    real = scan.inspect_file
    monkeypatch.setattr(scan, "inspect_file", lambda path, rel, ext: inspected.append(str(path)) or real(path, rel, ext))
    [file] = run_scan(make_project(), evidence).values()
    assert {"symlink", "outside-tree"} <= codes(file)
    assert file.sha256 == "" and file.filetype == "symlink" and file.material is None
    assert inspected == []


def test_symlink_inside_the_tree_is_still_an_error(evidence: Path) -> None:
    target = write(evidence / PLAN_DIR / "2023-市卫健委-计划.pdf", pdf_bytes())
    (evidence / PLAN_DIR / "2024-市卫健委-链接.pdf").symlink_to(target.name)
    (evidence / "03-年度计划" / "03.2-链接文件夹").symlink_to("/etc")  # a folder link is not walked
    files = run_scan(make_project(), evidence)
    assert codes(files[f"{PLAN_DIR}/2024-市卫健委-链接.pdf"]) == {"symlink"}
    assert {"symlink", "outside-tree"} <= codes(files["03-年度计划/03.2-链接文件夹"])
    assert len(files) == 3


def test_fifo_is_listed_not_opened(evidence: Path) -> None:
    fifo = evidence / PLAN_DIR / "2023-市卫健委-管道.pdf"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)  # opening it would block the scan forever
    [file] = run_scan(make_project(), evidence).values()
    assert codes(file) == {"not-regular-file"}


def test_socket_is_listed_not_opened(evidence: Path, monkeypatch) -> None:
    import socket

    folder = evidence / PLAN_DIR
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)  # a relative bind: socket paths are limited to about 100 bytes
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("2023-市卫健委-套接字.pdf")
        [file] = run_scan(make_project(), evidence).values()
    assert codes(file) == {"not-regular-file"}


def test_a_50_mb_sidecar_is_refused_as_not_a_sidecar(evidence: Path) -> None:
    folder = evidence / PLAN_DIR
    folder.mkdir(parents=True)
    (folder / "2023-市卫健委-计划.pdf").write_bytes(pdf_bytes())
    with open(folder / "2023-市卫健委-计划.pdf.yml", "wb") as out:
        out.truncate(50 * 1024 * 1024)  # sparse: 50 MB of zeros without writing them
    found = run_scan(make_project(), evidence)
    [problem] = [p for f in found.values() for p in f.problems if p.code == "sidecar-error"]
    assert "说明文件超过 256 KB" in problem.message


def test_non_utf8_name_is_reported_with_a_readable_path(evidence: Path) -> None:
    folder = evidence / PLAN_DIR
    folder.mkdir(parents=True)
    raw = os.fsencode(folder) + b"/" + "2023-市卫健委-计划.pdf".encode("gbk")
    with open(raw, "wb") as out:
        out.write(pdf_bytes())
    [file] = run_scan(make_project(), evidence).values()
    assert "bad-encoding" in codes(file)
    assert file.path == f"{PLAN_DIR}/2023-市卫健委-计划.pdf"  # decoded as GBK for display
    file.path.encode("utf-8")  # printable everywhere


# --------------------------------------------------------------------------- sidecars


def test_sidecar_is_attached_and_not_an_entry(evidence: Path) -> None:
    write(evidence / PLAN_DIR / "2023-市卫健委-计划.pdf", pdf_bytes(8))
    write(evidence / PLAN_DIR / "2023-市卫健委-计划.yml", """\
doc_number: 测卫〔2023〕3号
doc_type: 规范性文件
issuer: 测试市卫生健康委员会
issued: 2023-02-15
effective: 2023-03-01
pages: "3-7"
also_for: ["05.1", 03.2]
restricted: true
note: 原件存档
""".encode())
    files = run_scan(make_project(), evidence)
    assert list(files) == [f"{PLAN_DIR}/2023-市卫健委-计划.pdf"]
    file = files[f"{PLAN_DIR}/2023-市卫健委-计划.pdf"]
    sidecar = file.sidecar
    assert sidecar is not None
    assert (sidecar.doc_number, sidecar.doc_type, sidecar.issuer) == ("测卫〔2023〕3号", "规范性文件", "测试市卫生健康委员会")
    assert (sidecar.issued, sidecar.effective, sidecar.pages) == (dt.date(2023, 2, 15), dt.date(2023, 3, 1), "3-7")
    assert sidecar.also_for == ("05.1", "03.2") and sidecar.restricted and file.restricted
    assert file.materials == ("03.1", "05.1", "03.2")
    # the unquoted 03.2 is accepted, with a warning only
    assert not file.has_error and codes(file) == {"sidecar-error"}


def test_sidecar_named_after_the_full_file_name(evidence: Path) -> None:
    write(evidence / PLAN_DIR / "2023-市卫健委-计划.pdf", pdf_bytes())
    write(evidence / PLAN_DIR / "2023-市卫健委-计划.pdf.yaml", b"doc_type: \xe5\x85\xac\xe6\x96\x87\n")
    [file] = run_scan(make_project(), evidence).values()
    assert file.sidecar is not None and file.sidecar.doc_type == "公文"


def test_sidecar_errors(evidence: Path) -> None:
    write(evidence / PLAN_DIR / "2023-市卫健委-计划.pdf", pdf_bytes(2))
    write(evidence / PLAN_DIR / "2023-市卫健委-计划.yml", """\
doc_numbr: 测卫〔2023〕3号
文号: 重复
doc_type: 通知
issued: 2023-13-01
effective: 2023/03/01
pages: "5-9"
also_for: ["09.9", "05.1"]
restricted: yes
note: 联系人 13912345678
""".encode())
    [file] = run_scan(make_project(), evidence).values()
    sidecar_rel = f"{PLAN_DIR}/2023-市卫健委-计划.yml"
    assert {p.place.file for p in file.problems if p.code == "sidecar-error"} == {sidecar_rel}
    at = {p.place.line: p.message for p in file.problems if p.code == "sidecar-error"}
    messages = [p.message for p in file.problems if p.code == "sidecar-error"]
    fixes = " ".join(p.fix for p in file.problems)
    assert not any(sidecar_rel in m for m in messages)  # the place is data, never written into the text
    assert "doc_numbr" in at[1] and "doc_number" in fixes
    assert any("文号" in m for m in messages)
    assert any("通知" in m for m in messages) and "公文" in fixes
    assert "2023-13-01" in at[4]
    assert any("2023/03/01" in m for m in messages)
    assert any("09.9" in m for m in messages)
    assert any("超出" in m for m in messages)  # pages 5-9 of a 2-page file
    assert any("restricted" in m for m in messages)
    assert "personal-data" in codes(file)
    assert file.has_error
    assert file.sidecar is not None and file.sidecar.also_for == ("05.1",)  # the good parts are kept


def test_sidecar_yaml_syntax_error(evidence: Path) -> None:
    write(evidence / PLAN_DIR / "2023-市卫健委-计划.pdf", pdf_bytes())
    write(evidence / PLAN_DIR / "2023-市卫健委-计划.yml", "doc_type: [公文\nnote: x\n".encode())
    [file] = run_scan(make_project(), evidence).values()
    assert "sidecar-error" in codes(file) and file.has_error


def test_orphan_sidecar_is_an_entry_of_its_own(evidence: Path) -> None:
    write(evidence / PLAN_DIR / "2023-市卫健委-计划.pdf", pdf_bytes())
    write(evidence / PLAN_DIR / "2023-市卫健委-计划（旧名）.yml", b"restricted: true\n")
    files = run_scan(make_project(), evidence)
    orphan = files[f"{PLAN_DIR}/2023-市卫健委-计划（旧名）.yml"]
    assert codes(orphan) == {"orphan-sidecar"} and orphan.has_error
    assert "2023-市卫健委-计划.pdf" in orphan.problems[0].fix
    assert orphan.material is None
    assert files[f"{PLAN_DIR}/2023-市卫健委-计划.pdf"].sidecar is None


# --------------------------------------------------------------------------- hash cache


def test_cache_second_scan_hashes_nothing_and_touch_rehashes_one(evidence: Path, tmp_path: Path) -> None:
    for year in (2023, 2024, 2025):
        write(evidence / PLAN_DIR / f"{year}-市卫健委-计划.pdf", pdf_bytes(year - 2020))
    write(evidence / PHOTO_DIR / "2023-市卫健委-照片.png", image_bytes())
    cache = tmp_path / "cache"
    project = make_project()
    first = scan.scan_evidence(project, evidence, cache_dir=cache, git=False)
    assert first.stats.hashed == 4 and first.stats.files_seen == 4
    second = scan.scan_evidence(project, evidence, cache_dir=cache, git=False)
    assert second.stats.hashed == 0 and second.stats.bytes_hashed == 0 and second.stats.cache_hits == 4
    assert not hasattr(scan, "last_stats") and "hashed again: 0" in str(second.stats)  # no process-wide state
    assert [(f.path, f.sha256, f.pages, f.filetype) for f in first] == [(f.path, f.sha256, f.pages, f.filetype) for f in second]
    touched = evidence / PLAN_DIR / "2024-市卫健委-计划.pdf"
    info = touched.stat()
    os.utime(touched, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    third = scan.scan_evidence(project, evidence, cache_dir=cache, git=False)
    assert third.stats.hashed == 1
    (cache / "evidence-scan.json").unlink()  # safe to delete
    assert scan.scan_evidence(project, evidence, cache_dir=cache, git=False).stats.hashed == 4


def test_unchanged_pdf_is_never_opened_again(evidence: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = pdf_bytes(5)
    write(evidence / PLAN_DIR / "2023-市卫健委-计划.pdf", good)
    write(evidence / PLAN_DIR / "2024-市卫健委-截断.pdf", good[:300])
    project = make_project()
    first = run_scan(project, evidence, cache_dir=tmp_path / "cache")
    from handbook.scan import content as filecheck

    def refuse(*_args, **_kwargs):
        raise AssertionError("an unchanged PDF was opened again")

    monkeypatch.setattr(filecheck, "check_pdf", refuse)
    monkeypatch.setattr(filecheck, "open_readonly", refuse)
    second = run_scan(project, evidence, cache_dir=tmp_path / "cache")
    assert second[f"{PLAN_DIR}/2023-市卫健委-计划.pdf"].pages == 5
    assert codes(second[f"{PLAN_DIR}/2024-市卫健委-截断.pdf"]) == codes(first[f"{PLAN_DIR}/2024-市卫健委-截断.pdf"]) == {"pdf-truncated"}


def test_corrupt_cache_is_ignored(evidence: Path, tmp_path: Path) -> None:
    write(evidence / PLAN_DIR / "2023-市卫健委-计划.pdf", pdf_bytes())
    cache = tmp_path / "cache"
    write(cache / "evidence-scan.json", b"{not json")
    result = scan.scan_evidence(make_project(), evidence, cache_dir=cache, git=False)
    assert result.stats.hashed == 1 and result[0].problems == []
    assert scan.scan_evidence(make_project(), evidence, cache_dir=cache, git=False).stats.hashed == 0


# --------------------------------------------------------------------------- nothing is changed


def test_scan_changes_nothing_under_evidence(evidence: Path, tmp_path: Path) -> None:
    write(evidence / PLAN_DIR / "2023-市卫健委-计划.pdf", pdf_bytes(2))
    write(evidence / PLAN_DIR / "2023-市卫健委-计划.yml", "doc_type: 公文\n".encode())
    write(evidence / PLAN_DIR / "坏名字.pdf", pdf_bytes()[:100])
    write(evidence / PHOTO_DIR / "2023-市卫健委-照片.jpg", image_bytes("JPEG"))
    write(evidence / "3/~$锁.docx", b"lock")
    (evidence / PLAN_DIR / "link.pdf").symlink_to("/etc/passwd")
    before = snapshot(evidence)
    cache = tmp_path / "cache"
    scan.scan_evidence(make_project(), evidence, cache_dir=cache, git=False)
    scan.scan_evidence(make_project(), evidence, cache_dir=cache, git=False)
    assert snapshot(evidence) == before


def test_cache_inside_evidence_is_refused(evidence: Path) -> None:
    write(evidence / PLAN_DIR / "2023-市卫健委-计划.pdf", pdf_bytes())
    before = snapshot(evidence)
    scan.scan_evidence(make_project(), evidence, cache_dir=evidence / ".cache", git=False)
    assert snapshot(evidence) == before


def test_missing_evidence_folder_gives_an_empty_list(tmp_path: Path) -> None:
    result = scan.scan_evidence(make_project(), tmp_path / "nope", git=False)
    assert result == [] and result.stats.files_seen == 0


# --------------------------------------------------------------------------- git


def _git(repo: Path, *args: str, name: str = "", date: str = "", committer: str = "") -> None:
    env = {
        **os.environ,
        "HOME": str(repo.parent),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": name or "x",
        "GIT_AUTHOR_EMAIL": "x@example.org",
        "GIT_COMMITTER_NAME": committer or name or "x",
        "GIT_COMMITTER_EMAIL": "x@example.org",
    }
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def test_git_provenance_from_one_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    evidence = repo / "evidence"
    first = write(evidence / PLAN_DIR / "2023-市卫健委-计划 一.pdf", pdf_bytes(1))
    write(evidence / PHOTO_DIR / "2023-市卫健委-照片.png", image_bytes())
    write(repo / "outside.txt", b"not evidence")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "one", name="张三", date="2024-03-01T10:00:00+08:00")
    first.write_bytes(pdf_bytes(2))
    write(evidence / PLAN_DIR / "2024-市卫健委-计划.pdf", pdf_bytes(3))
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "two", name="李四", date="2025-06-02T09:30:00+08:00")
    write(evidence / PLAN_DIR / "2025-市卫健委-未提交.pdf", pdf_bytes(4))

    calls: list[list[str]] = []
    real_popen = subprocess.Popen

    def counting_popen(command, *args, **kwargs):
        calls.append(list(command))
        return real_popen(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", counting_popen)
    files = run_scan(make_project(), evidence, git=True)
    assert len([c for c in calls if c[0] == "git"]) == 1
    changed = files[f"{PLAN_DIR}/2023-市卫健委-计划 一.pdf"]
    assert changed.committer == "李四"
    assert changed.committed == dt.datetime(2025, 6, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    photo = files[f"{PHOTO_DIR}/2023-市卫健委-照片.png"]
    assert (photo.committer, photo.committed) == ("张三", dt.datetime(2024, 3, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert files[f"{PLAN_DIR}/2024-市卫健委-计划.pdf"].committer == "李四"
    uncommitted = files[f"{PLAN_DIR}/2025-市卫健委-未提交.pdf"]
    assert (uncommitted.committer, uncommitted.committed) == ("", None)
    assert run_scan(make_project(), evidence, git=False)[f"{PLAN_DIR}/2024-市卫健委-计划.pdf"].committer == ""


def test_submitter_is_the_author_not_who_merged_it(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo / "evidence" / PLAN_DIR / "2024-市卫健委-计划.pdf", pdf_bytes(1))
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "web upload", name="卫健委联络员", committer="爱卫办管理员")
    files = run_scan(make_project(), repo / "evidence", git=True)
    assert files[f"{PLAN_DIR}/2024-市卫健委-计划.pdf"].committer == "卫健委联络员"


def test_a_shallow_clone_is_warned_about(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    repo = tmp_path / "repo"
    for n in range(3):
        write(repo / "evidence" / PLAN_DIR / f"202{n + 3}-市卫健委-计划.pdf", pdf_bytes(n + 1))
        if n == 0:
            _git(repo, "init", "-q")
        _git(repo, "add", ".")
        _git(repo, "commit", "-q", "-m", f"c{n}", name=f"人{n}")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True, capture_output=True)
    with caplog.at_level("WARNING", logger="handbook.scan.git"):
        run_scan(make_project(), clone / "evidence", git=True)
    assert "浅克隆" in caplog.text and "GIT_DEPTH" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="handbook.scan.git"):
        run_scan(make_project(), repo / "evidence", git=True)
    assert "浅克隆" not in caplog.text


def test_git_log_parsing_survives_chunks_split_mid_character() -> None:
    from handbook.scan import git as gitinfo

    text = (
        "\x1eaaa\x1f王五\x1f2025-01-02T03:04:05+08:00\x1fwangwu@example.gov.cn\x1f新\0\nA\x0003/03.1-计划/2025-市卫健委-新.pdf\0"
        "\x1ebbb\x1f赵六\x1f2024-01-02T03:04:05+08:00\x1f\x1f旧\0\nM\x0003/03.1-计划/2025-市卫健委-新.pdf\0"
        "R087\x00old name.pdf\x00a b.pdf\0"
        "\x1eccc\x1f合并\x1f2023-01-01T00:00:00+00:00\x1fm@example.gov.cn\x1f合并\0"  # a merge commit lists no files
    ).encode()

    class OneByteAtATime:
        def __init__(self) -> None:
            self.data = io.BytesIO(text)

        def read1(self, _size: int) -> bytes:
            return self.data.read(1)

    commits = list(gitinfo._commits(gitinfo._records(OneByteAtATime())))
    assert [(c.sha, c.author, c.subject) for c in commits] == [("aaa", "王五", "新"), ("bbb", "赵六", "旧"),
                                                               ("ccc", "合并", "合并")]
    assert [c.email for c in commits] == ["wangwu@example.gov.cn", "", "m@example.gov.cn"]
    assert commits[1].paths == (("M", "03/03.1-计划/2025-市卫健委-新.pdf", None), ("R", "a b.pdf", "old name.pdf"))
    found: dict[str, gitinfo.LastCommit] = {}
    for commit in commits:
        gitinfo._note_last(found, commit, None)
    assert {p: c.committer for p, c in found.items()} == {"03/03.1-计划/2025-市卫健委-新.pdf": "王五", "a b.pdf": "赵六"}


def test_git_stops_once_every_wanted_path_is_found(tmp_path: Path) -> None:
    from handbook.scan import git as gitinfo

    repo = tmp_path / "repo"
    write(repo / "evidence/a.pdf", b"1")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "old", name="老")
    for index in range(8):  # newer history that never touches a.pdf
        write(repo / f"evidence/b{index}.pdf", str(index).encode())
        _git(repo, "add", ".")
        _git(repo, "commit", "-q", "-m", f"c{index}", name="新")
    found = gitinfo.last_commits(repo / "evidence", {"a.pdf", "b7.pdf"})
    assert {p: c.committer for p, c in found.items()} == {"a.pdf": "老", "b7.pdf": "新"}
    assert gitinfo.last_commits(repo / "evidence", set()) == {}
    assert gitinfo.last_commits(tmp_path / "nowhere") == {}


def test_git_outside_a_checkout(evidence: Path) -> None:
    write(evidence / PLAN_DIR / "2023-市卫健委-计划.pdf", pdf_bytes())
    [file] = run_scan(make_project(), evidence, git=True).values()
    assert (file.committer, file.committed, file.problems) == ("", None, [])


# --------------------------------------------------------------------------- scale


def test_thousands_of_files_scan_quickly(evidence: Path, tmp_path: Path) -> None:
    import time

    for index in range(2000):
        year = 2023 + index % 4
        write(evidence / PLAN_DIR / f"{year}-市卫健委-材料{index:04d}.pdf", b"%PDF-1.4\n%" + str(index).encode() + b"\n%%EOF\n")
    cache = tmp_path / "cache"
    started = time.perf_counter()
    first = scan.scan_evidence(make_project(), evidence, cache_dir=cache, git=False)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    second = scan.scan_evidence(make_project(), evidence, cache_dir=cache, git=False)
    warm = time.perf_counter() - started
    assert len(first) == len(second) == 2000 and second.stats.hashed == 0
    assert cold < 60 and warm < 10, (cold, warm)


# --------------------------------------------------------------------------- the shipped demo


def test_shipped_demo_evidence_scans(tmp_path: Path) -> None:
    from handbook.load.project import load_project

    evidence = ROOT / "evidence"
    project = load_project(ROOT)
    before = snapshot(evidence)
    files = scan.scan_evidence(project, evidence, cache_dir=tmp_path / "cache", git=False)
    assert snapshot(evidence) == before
    assert files and all(f.path and not f.path.startswith(("indicators/", "/")) for f in files)
    assert any(f.problems == [] and f.material and f.unit and f.years for f in files)
    for file in files:
        for problem in file.problems:
            assert problem.message and problem.fix and problem.code, (file.path, problem)


def test_cache_entry_json_keeps_every_field() -> None:
    from dataclasses import fields

    from handbook.scan.cache import CacheEntry

    entry = CacheEntry(size=3, mtime_ns=4, sha256="ab", filetype="pdf", pages=2, crc32=7,
                       problems=[Problem("pdf-encrypted", "加密", "去掉密码", Level.WARNING)])
    data = entry.to_json()
    assert set(data) == {f.name for f in fields(CacheEntry)}  # a new field cannot be forgotten
    assert CacheEntry.from_json(data) == entry
