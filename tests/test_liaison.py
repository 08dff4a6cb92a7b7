"""The liaison's path: forge upload links, folders that exist (scaffold), who committed a file, the check a
liaison reads, and the 催报单 on the site. Expected values are written out here, never computed by the code."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import sys
from pathlib import Path

import markdown
import pytest
from PIL import Image
from pypdf import PdfWriter

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "workflow"))

from factory import commit_all, init_repo, write

from handbook.cli import main
from handbook.load.forge import upload_url
from handbook.load.project import load_project
from handbook.model import Forge, ForgeKind, Level, Sidecar
from handbook.render import render_site

REPO_ROOT = Path(__file__).resolve().parent.parent
ITEM10 = "evidence/10-道路街巷与建筑工地"


def pdf(title: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buffer, "JPEG")
    return buffer.getvalue()


def city_with(tmp_path: Path, city_extra: str = "") -> Path:
    root = tmp_path / "city"
    shutil.copytree(REPO_ROOT / "standards", root / "standards")
    if city_extra:
        city = root / "standards/local/city.yml"
        text = city.read_text(encoding="utf-8").split("\n# 代码托管平台")[0]  # drop the demo's forge (13 lines left)
        city.write_text(text.rstrip("\n") + "\n" + city_extra, encoding="utf-8")
    return root


# --------------------------------------------------------------------------- the forge's addresses


# Gitea 1.17–1.24: routers/web/web.go, m.Combo("/_upload/*") in the /{username}/{reponame} group, * = {branch}/{path}.
# GitLab 13–17: config/routes/repository.rb, get '/tree/*id' under /-/, id = {branch}/{path}; 上传文件 is in its "+" menu.
FOLDER = "evidence/14-生活垃圾分类与处理/14.2-生活垃圾分类覆盖和回收利用统计/"


def test_gitea_upload_url_opens_the_upload_form_of_that_folder():
    forge = Forge(ForgeKind.GITEA, "https://git.dengfeng.example", "aiweiban/handbook", "main")
    assert upload_url(forge, FOLDER) == (
        "https://git.dengfeng.example/aiweiban/handbook/_upload/main/evidence/"
        "14-%E7%94%9F%E6%B4%BB%E5%9E%83%E5%9C%BE%E5%88%86%E7%B1%BB%E4%B8%8E%E5%A4%84%E7%90%86/"
        "14.2-%E7%94%9F%E6%B4%BB%E5%9E%83%E5%9C%BE%E5%88%86%E7%B1%BB%E8%A6%86%E7%9B%96%E5%92%8C"
        "%E5%9B%9E%E6%94%B6%E5%88%A9%E7%94%A8%E7%BB%9F%E8%AE%A1")


def test_gitlab_upload_url_opens_the_folder_whose_plus_menu_uploads():
    forge = Forge(ForgeKind.GITLAB, "https://gitlab.example.gov.cn/git", "dengfeng/aiweiban/handbook", "release/2026")
    assert upload_url(forge, "evidence/03-年度计划/03.1-计划/") == (
        "https://gitlab.example.gov.cn/git/dengfeng/aiweiban/handbook/-/tree/release/2026/evidence/"
        "03-%E5%B9%B4%E5%BA%A6%E8%AE%A1%E5%88%92/03.1-%E8%AE%A1%E5%88%92")


def test_upload_url_encodes_what_would_break_html_or_markdown():
    forge = Forge(ForgeKind.GITEA, "http://10.0.0.5:3000", "a/b", "main")
    assert upload_url(forge, "evidence/01 (x)/01.1-a|b*c/") == (
        "http://10.0.0.5:3000/a/b/_upload/main/evidence/01%20%28x%29/01.1-a%7Cb%2Ac")


@pytest.mark.parametrize(("forge", "expected"), [
    ("forge:\n  kind: gittea\n  base_url: https://git.example\n  repository: a/b\n",
     "standards/local/city.yml:15: 错误: forge 的 kind“gittea”无效 — 是否应为“gitea”？"),
    ("forge:\n  kind: gitlab\n  base_url: git.example.gov.cn\n  repository: a/b\n",
     "standards/local/city.yml:16: 错误: forge 的 base_url“git.example.gov.cn”不是网址 — "
     "写成 http:// 或 https:// 开头的完整网址，如 https://git.example.gov.cn"),
    ("forge:\n  kind: gitea\n  base_url: https://git.example\n  repository: a/b/c\n",
     "standards/local/city.yml:17: 错误: Gitea 的 repository“a/b/c”只能有两段 — "
     "写成“所有者/仓库名”，如 aiweiban/handbook（Gitea 没有子组）"),
    ("forge:\n  kind: gitea\n  base_url: https://git.example\n  repository: a/b\n  branch: ma in\n",
     "standards/local/city.yml:18: 错误: forge 的 branch“ma in”不是合法的分支名 — "
     "写仓库里实际的分支名，如 main 或 master（不能有空格、~ ^ : ? * [ \\ 或 ..）"),
    ("forge:\n  kind: gitea\n  base_url: https://git.example\n  repo: a/b\n",
     "standards/local/city.yml:17: 错误: forge（代码托管平台）中有未知字段“repo” — 可用的字段：kind、base_url、repository、branch"),
])
def test_a_wrong_forge_is_a_chinese_error_naming_the_line(tmp_path, forge, expected):
    root = city_with(tmp_path, forge)
    project = load_project(root)
    assert expected in [str(d) for d in project.diagnostics]
    assert project.plan.forge is None


def test_the_demo_plan_has_a_forge_and_aliases_for_every_unit():
    plan = load_project(REPO_ROOT).plan
    assert plan.forge == Forge(ForgeKind.GITEA, "https://git.dengfeng.example", "aiweiban/handbook", "main",
                               plan.forge.where)
    assert [u.name for u in plan.units.values() if not u.aliases] == []
    for typed in ("城管局", "市城市管理局", "城市管理局", "登封市城市管理局"):
        assert plan.resolve_unit(typed).name == "市城管局"
    assert plan.committer_unit("cgj-liaison", "CGJ-Liaison@dengfeng.example") == "市城管局"
    assert plan.committer_unit("someone", "cgj-liaison@dengfeng.example") == "市城管局"  # the e-mail decides
    assert plan.committer_unit("cgj-liaison") == "市城管局"
    assert plan.committer_unit("dengfeng/cgj") is None  # a CODEOWNERS group is never a committer


def test_one_account_or_email_in_two_units_is_an_error(tmp_path):
    root = city_with(tmp_path)
    units = root / "standards/local/units.yml"
    text = units.read_text(encoding="utf-8")
    text = text.replace('accounts: ["@dengfeng/wjw", "@wjw-liaison"]', 'accounts: ["@dengfeng/wjw", "@cgj-liaison"]')
    text = text.replace("emails: [wjw-liaison@dengfeng.example]", "emails: [CGJ-liaison@dengfeng.example, 没有at]")
    units.write_text(text, encoding="utf-8")
    found = {d.code: d.problem for d in load_project(root).diagnostics}
    # 市卫健委 comes first in units.yml: 市城管局's own entries are then the second claim.
    assert found["duplicate-account"] == "账号“@cgj-liaison”已登记给单位“市卫健委”"
    assert found["duplicate-email"] == "邮箱“cgj-liaison@dengfeng.example”已登记给单位“市卫健委”"
    assert found["bad-email"] == "单位“市卫健委”的邮箱“没有at”格式不对"


# --------------------------------------------------------------------------- a liaison's seven-file commit


SEVEN = {
    "right": f"{ITEM10}/10.2-道路清扫保洁和机械化作业统计/2025-市城管局-登封市2025年道路清扫保洁统计.pdf",
    "phone photo": f"{ITEM10}/10.4-易涝积水点排查和整治材料/IMG_20250312_101500.jpg",
    "old unit name": f"{ITEM10}/10.1-市容环境卫生管理工作计划和总结/2025-市城管委-登封市2025年市容环境卫生工作计划.pdf",
    "word file": f"{ITEM10}/10.1-市容环境卫生管理工作计划和总结/2024-市城管局-登封市2024年市容环境卫生工作总结.docx",
    "item folder": f"{ITEM10}/2025-市城管局-建筑工地扬尘治理台账.pdf",
    "spaces": f"{ITEM10}/10.3-市容秩序和卫生死角整治台账/2025 市城管局 卫生死角整治台账.pdf",
    "empty": f"{ITEM10}/10.5-建筑工地管理材料/2025-市城管局-建筑工地管理材料.pdf",
}


@pytest.fixture()
def seven(tmp_path) -> Path:
    root = city_with(tmp_path)
    init_repo(root)
    write(root, ".gitignore", ".cache/\n")
    commit_all(root, "本市方案")
    contents = {"right": pdf("ok"), "phone photo": jpeg(), "old unit name": pdf("plan"),
                "word file": b"PK\x03\x04 cut short", "item folder": pdf("dust"), "spaces": pdf("ledger"), "empty": b""}
    for key, path in SEVEN.items():
        write(root, path, contents[key])
    commit_all(root, "市城管局提交 2025 年材料", author="cgj-liaison", email="cgj-liaison@dengfeng.example")
    return root


def test_seven_file_commit_is_reported_under_the_committers_unit_with_one_verdict_and_a_fix_each(seven, capsys):
    status = main(["--root", str(seven), "check", "--evidence", "--changed-since", "HEAD~1"])
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert status == 1
    assert lines[0] == ("结论：未通过。佐证材料：检查了 7 个文件，1 个通过，6 个有问题（8 个错误、3 个警告）；"
                        "标准与本市方案：无错误、无警告。请按下面每一条的改法修改后重新提交。")
    assert [line for line in lines if line.startswith("结论")] == [lines[0]]
    assert "二、佐证材料（evidence/）：检查自 HEAD~1 以来改动的 7 个文件（全库共 7 个）" in lines
    groups = [line for line in lines if line.startswith("  【")]
    assert groups == ["  【市城管局】（按提交人所属单位）6 个文件：8 个错误、3 个警告"]
    for key in ("phone photo", "old unit name", "word file", "item folder", "spaces", "empty"):
        at = lines.index(f"    ✗ {SEVEN[key]}（提交人 cgj-liaison）")
        block = []
        for line in lines[at + 1:]:
            if not line.startswith("        "):
                break
            block.append(line)
        assert any(line.startswith("          改法：") for line in block), key
    assert "          改法：是否应为“市城管局”？改名为 2025-市城管局-登封市2025年市容环境卫生工作计划.pdf" in lines
    assert ("          改法：改名为“年份-单位-标题.扩展名”，例如 2025-市城管局-卫生死角整治台账.pdf（年份写文件所属的年度）"
            in lines)
    assert ("          改法：改名为“年份-单位-标题.扩展名”，例如 2025-市城管局-20250312_101500.jpg（年份写文件所属的年度）"
            in lines)
    assert ("        ! 警告：文件名中没有可识别的单位，按提交人“cgj-liaison”（cgj-liaison@dengfeng.example）的单位归为"
            "“市城管局”（unit-from-committer）") in lines
    assert "  通过检查的文件（1 个）：" in lines
    assert f"    ✓ {SEVEN['right']}" in lines


def test_a_file_named_for_another_unit_is_warned_and_the_committers_files_reach_its_worklist(seven):
    from handbook.judge.owed import problem_files
    from handbook.pipeline import build_archive

    write(seven, f"{ITEM10}/10.3-市容秩序和卫生死角整治台账/2025-市住建局-建筑垃圾整治台账.pdf", pdf("zjj"))
    commit_all(seven, "顺手提交", author="cgj-liaison", email="cgj-liaison@dengfeng.example")
    archive = build_archive(seven, cache_dir=seven / ".cache")
    by_path = {f"evidence/{f.path}": f for f in archive.files}
    other = by_path[f"{ITEM10}/10.3-市容秩序和卫生死角整治台账/2025-市住建局-建筑垃圾整治台账.pdf"]
    assert (other.unit, other.committer_unit, other.unit_source) == ("市住建局", "市城管局", "name")
    warning = next(p for p in other.problems if p.code == "unit-differs-from-committer")
    assert warning.level is Level.WARNING
    assert warning.message.endswith("文件名写的单位是“市住建局”，提交人“cgj-liaison”（cgj-liaison@dengfeng.example）属于“市城管局”")
    photo = by_path[SEVEN["phone photo"]]
    assert (photo.unit, photo.unit_source) == ("市城管局", "committer")
    owed = {f"evidence/{f.path}" for f in problem_files(archive, "市城管局")}
    assert {SEVEN["phone photo"], SEVEN["old unit name"], SEVEN["spaces"]} <= owed


def test_changes_page_counts_an_unnamed_file_under_the_committers_unit(seven):
    from handbook.outputs.changes import collect_changes

    project = load_project(seven)
    changes = collect_changes(seven, since=dt.date(2000, 1, 1), until=dt.date(2100, 1, 1), project=project)
    photo = next(c for c in changes if c.path == SEVEN["phone photo"])
    assert (photo.unit_label, photo.by_committer, photo.email) == ("市城管局", True, "cgj-liaison@dengfeng.example")
    right = next(c for c in changes if c.path == SEVEN["right"])
    assert (right.unit_label, right.by_committer) == ("市城管局", False)


# --------------------------------------------------------------------------- scaffold


def test_scaffold_on_an_empty_tree_makes_every_folder_and_never_touches_what_exists(tmp_path, capsys):
    root = city_with(tmp_path)
    keep = root / "evidence/03-我们自己的名字/03.1-计划/README.md"
    write(root, str(keep.relative_to(root)), "本单位自己写的说明\n")
    write(root, "evidence/14-生活垃圾分类与处理", "不是文件夹")  # a file where item 14's folder goes
    assert main(["--root", str(root), "scaffold"]) == 1
    out = capsys.readouterr()
    evidence = root / "evidence"
    items = sorted(p.name for p in evidence.iterdir() if p.is_dir())
    assert len(items) == 44 and "03-我们自己的名字" in items and "14-生活垃圾分类与处理" not in items
    materials = [p for p in evidence.glob("*/*") if p.is_dir()]
    assert len(materials) == 198 - 3  # item 14's three materials wait for the file in the way to be moved
    assert keep.read_text(encoding="utf-8") == "本单位自己写的说明\n"
    assert (evidence / "14-生活垃圾分类与处理").read_text(encoding="utf-8") == "不是文件夹"
    assert "  ! 14-生活垃圾分类与处理：这里已有同名的文件或链接，没有改动它；请爱卫办核对后移走，再运行 scaffold" in out.err
    readme = (evidence / "10-道路街巷与建筑工地/10.4-易涝积水点排查和整治材料/README.md").read_text(encoding="utf-8")
    assert readme.splitlines()[0] == "# 10\\.4 易涝积水点排查和整治材料"
    assert "- **文件名示例**：`2025-市城管局-易涝积水点排查和整治材料.pdf`" in readme.splitlines()
    assert "- **格式**：pdf、ofd" in readme


def test_scaffold_twice_changes_nothing_and_the_scan_ignores_its_notes(tmp_path, capsys):
    from handbook.pipeline import build_archive

    root = city_with(tmp_path)
    assert main(["--root", str(root), "scaffold"]) == 0
    first = capsys.readouterr().out
    assert first.splitlines()[0].endswith("新建文件夹 243 个，新建说明 README.md 198 个，已有的说明 0 个未改动。")
    assert main(["--root", str(root), "scaffold"]) == 0
    second = capsys.readouterr().out
    assert second.splitlines()[0].endswith("新建文件夹 0 个，新建说明 README.md 0 个，已有的说明 198 个未改动。")
    archive = build_archive(root, cache_dir=tmp_path / "cache", git=False)
    assert archive.files == []
    assert len(archive.material_folders) == 198


# --------------------------------------------------------------------------- the site


def _site_archive(forge: Forge | None):
    from test_site_render import make_archive

    archive = make_archive()
    archive.project.plan.forge = forge
    return archive


def _html(text: str) -> str:
    body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
    return markdown.markdown(body, extensions=["tables", "attr_list", "md_in_html"])


def test_a_missing_row_links_the_forges_upload_page_and_shows_the_name(tmp_path):
    forge = Forge(ForgeKind.GITEA, "https://git.example", "aiweiban/handbook", "main")
    html = _html(render_site(_site_archive(forge))["units/songyang.md"])
    # No folder in the tree (the archive was made without a scan): the labelled one scaffold makes.
    assert ('<a class="hb-upload" href="https://git.example/aiweiban/handbook/_upload/main/evidence/'
            '03-%E5%B9%B4%E5%BA%A6%E8%AE%A1%E5%88%92%E4%B8%8E%E6%80%BB%E7%BB%93/'
            '03.2-%E8%A1%97%E9%81%93%E7%88%B1%E5%9B%BD%E5%8D%AB%E7%94%9F%E5%B7%A5%E4%BD%9C%E6%80%BB%E7%BB%93" '
            'target="_blank" rel="noopener"') in html
    assert '<code class="hb-path">evidence/03-年度计划与总结/03.2-街道爱国卫生工作总结/</code>' in html
    for year in (2023, 2025, 2026):
        assert (f'<code class="hb-name">{year}-嵩阳街道-街道爱国卫生工作总结.pdf</code>'
                '<button type="button" class="hb-copy" title="复制文件名">复制</button>') in html


def test_an_item_pages_missing_row_keeps_the_upload_link_beside_the_material(tmp_path):
    # Item pages drop the folder and names (page size) but each missing material can still be uploaded from
    # there: one link per material (the folder is the same for every unit owing it), beside its title.
    forge = Forge(ForgeKind.GITEA, "https://git.example", "aiweiban/handbook", "main")
    html = render_site(_site_archive(forge))["items/03.md"]
    missing = html.split('id="缺失材料"', 1)[1]
    assert ('03.2</a> 街道爱国卫生工作总结 <a class="hb-upload hb-upload-small" href="https://git.example/aiweiban/handbook/_upload/main/'
            'evidence/03-%E5%B9%B4%E5%BA%A6%E8%AE%A1%E5%88%92%E4%B8%8E%E6%80%BB%E7%BB%93/'
            '03.2-%E8%A1%97%E9%81%93%E7%88%B1%E5%9B%BD%E5%8D%AB%E7%94%9F%E5%B7%A5%E4%BD%9C%E6%80%BB%E7%BB%93" '
            'target="_blank" rel="noopener"') in missing
    assert '<a href="../../units/songyang/#还缺的材料">嵩阳街道</a>' in missing
    assert '<code class="hb-name">' not in missing


def test_without_a_forge_the_folder_and_name_are_still_shown():
    # On the unit's own page (the missing list and the item pages link there for them).
    html = render_site(_site_archive(None))["units/aiwei.md"].split('id="还缺的材料"', 1)[1]
    assert "hb-upload" not in html
    assert '<code class="hb-name">2026-市爱卫办-年度工作计划.pdf</code>' in html
    assert '<code class="hb-path">evidence/03-年度计划与总结/03.1-年度工作计划/</code>' in html


def test_a_hostile_material_title_stays_text_in_the_upload_cell():
    archive = _site_archive(Forge(ForgeKind.GITLAB, "https://gl.example", "g/p", "main"))
    material = archive.project.standard.items[45].materials[0]
    material.title = "<img src=x onerror=alert(1)>*监测*|报告"
    html = _html(render_site(archive)["units/wjw.md"])
    assert "<img" not in html
    # The name drops what Windows refuses (< > * |); the title shows as written, as text.
    assert '<code class="hb-name">2026-市卫健委-img src=x onerror=alert(1)监测报告.pdf</code>' in html
    assert "&lt;img src=x onerror=alert(1)&gt;*监测*|报告" in html


def test_unit_page_links_its_worklist_and_the_summary_unless_restricted():
    archive = _site_archive(None)
    pages = render_site(archive)
    # Served at units/cgj/: the workbook's URL from there, its Chinese name kept as text (an IRI).
    assert ('<a class="hb-worklist" href="../../worklists/催报单-市城管局.xlsx" download>'
            '下载本单位催报单（催报单-市城管局.xlsx）</a>') in pages["units/cgj.md"]
    # 嵩阳街道's list of problem files is clean, but the city's summary lists the hostile file only: published.
    assert '<a class="hb-worklist" href="../../worklists/催报汇总.xlsx" download>' in pages["units/cgj.md"]
    # A problem file marked restricted keeps its unit's workbook (and the summary) off the site.
    restricted = next(f for f in archive.files if f.unit == "嵩阳街道")
    from handbook.model import Problem

    restricted.problems.append(Problem("too-large", "太大", "压缩", Level.WARNING))
    restricted.sidecar = Sidecar(restricted=True)
    pages = render_site(archive)
    assert "本单位的催报单列有含个人信息的文件，不在站点发布，请向爱卫办索取。" in pages["units/songyang.md"]
    assert "催报汇总" not in pages["units/cgj.md"]


def test_site_worklists_are_written_and_sorted_into_published_and_held(tmp_path):
    from handbook.outputs.worklist_site import write_site_worklists

    archive = _site_archive(None)
    restricted = next(f for f in archive.files if f.unit == "嵩阳街道")
    from handbook.model import Problem

    restricted.problems.append(Problem("personal-data", "文件名含身份证号", "改名", Level.WARNING))
    result = write_site_worklists(archive, tmp_path / "worklists")
    assert sorted(result.held) == ["worklists/催报单-嵩阳街道.xlsx", "worklists/催报汇总.xlsx"]
    assert sorted(result.published) == ["worklists/催报单-市卫健委.xlsx", "worklists/催报单-市城管局.xlsx",
                                        "worklists/催报单-市爱卫办.xlsx", "worklists/催报单-市疾控中心.xlsx"]
    assert all(path.is_file() for path in [*result.published.values(), *result.held.values()])
