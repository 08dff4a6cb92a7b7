"""Scan evidence/: one EvidenceFile per thing found, with every contract break as a Problem.

Walk with ``os.scandir`` (one lstat per entry, symlinks never followed), read each regular file only
when its (path, size, mtime) is new to the cache (hash + type + PDF pages + content checks, in a small
thread pool), attach sidecars, ask git once for the last commit of every path, then check the names
against the standard and the plan. Nothing under evidence/ is written, renamed or dropped: only
``evidence/README.md`` and ``evidence/indicators/`` (another module's) are not evidence files; a
nested ``.git`` (evidence kept as a submodule) is not looked into.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import os
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from handbook.scan import names as fn
from handbook.problems import suggest
from handbook.scan.content import Content, inspect_file
from handbook.scan.attribution import attribute_to_committers
from handbook.scan.folders import existing_folders
from handbook.scan.cache import CacheEntry, HashCache, Witness
from handbook.scan.links import foreign_links
from handbook.scan.name_clash import add_clash_problems
from handbook.model import Diagnostic, EvidenceFile, Level, Problem, Project
from handbook.load.sidecar import SUFFIXES as SIDECAR_SUFFIXES
from handbook.load.sidecar import read_sidecar

log = logging.getLogger(__name__)

# Every Problem code the scan can give, with its level; docs and the check command can list them.
PROBLEM_CODES: dict[str, str] = {
    "file-in-root": "错误：文件直接放在 evidence/ 下",
    "bad-item-folder": "错误：条目文件夹名不对（如 3 应为 03）",
    "bad-material-folder": "错误：资料文件夹名不对，或属于别的条目",
    "file-in-item-folder": "错误：文件直接放在条目文件夹下，没放进资料文件夹",
    "nested-folder": "警告：资料文件夹下又建了子文件夹",
    "bad-name": "错误：文件名不是“年份-单位-标题.扩展名”",
    "no-year": "错误：文件名开头没有年份",
    "bad-year": "错误：年份写法不对",
    "outside-window": "错误（长期有效的文件为警告）：年份不在评审期内",
    "unknown-unit": "错误：单位不在本市单位名单中",
    "unit-not-assigned": "警告：单位不是该条目的牵头或责任单位",
    "format-not-accepted": "错误：该资料不接受这种格式",
    "ext-mismatch": "错误：扩展名与文件内容不符",
    "empty": "错误：空文件",
    "too-large": "警告：文件超过大小上限",
    "pdf-corrupt": "错误（可修复时为警告）：PDF 已损坏",
    "pdf-truncated": "错误：PDF 不完整",
    "pdf-encrypted": "错误（只有权限密码时为警告）：PDF 加密",
    "image-unreadable": "错误：图片损坏或不完整",
    "file-corrupt": "错误：Office/OFD/压缩包文件损坏",
    "duplicate-content": "错误：与另一个文件内容完全相同",
    "windows-unsafe-name": "错误：名称在 Windows 上无法使用",
    "path-too-long": "警告（超过 240 字符为错误）：路径太长",
    "bad-encoding": "错误：文件名不是 UTF-8 编码",
    "symlink": "错误：符号链接",
    "outside-tree": "错误：指向 evidence/ 以外",
    "not-regular-file": "错误：不是普通文件",
    "unreadable": "错误：无法读取",
    "junk-file": "警告：系统或软件生成的垃圾文件",
    "sidecar-error": "错误（部分为警告）：说明文件有误",
    "orphan-sidecar": "错误：说明文件旁边没有同名材料",
    "personal-data": "警告：名称或说明文件中含身份证号、手机号",
    "lfs-pointer": "错误：只有 Git LFS 指针，文件本身没有取回",
    "unit-from-committer": "警告：文件名中没有可识别的单位，按提交人的单位归属",
    "unit-differs-from-committer": "警告：文件名中的单位与提交人的单位不同",
}

NOT_EVIDENCE_FILES = {"README.md"}  # at the top of evidence/, and in a material folder (scaffold's note)
NOTE_DEPTHS = (0, 2)  # folder depths where README.md is a note, not evidence
NOT_EVIDENCE_FOLDERS = {"indicators", "findings"}  # at the top of evidence/ only (findings: the campaign's table and photos)
NEVER_ENTER = {".git"}
WORKERS = min(4, os.cpu_count() or 1)


@dataclass(slots=True)
class ScanStats:
    files_seen: int = 0
    hashed: int = 0  # files read and hashed this run (0 on an unchanged rebuild)
    bytes_hashed: int = 0
    hash_seconds: float = 0.0  # reading new files (hash, type, PDF check): the part that grows with new bytes
    cache_hits: int = 0
    seconds: float = 0.0
    git_seconds: float = 0.0

    def __str__(self) -> str:
        return (
            f"files seen: {self.files_seen}, hashed again: {self.hashed}, bytes hashed: {self.bytes_hashed}, "
            f"cache hits: {self.cache_hits}, seconds: {self.seconds:.2f} (git {self.git_seconds:.2f})"
        )


class ScanResult(list):
    """The list of EvidenceFile, plus ``stats`` (a ScanStats) of the scan that made it, and the recent commits
    under evidence/ that the same git call gave (None: not asked, or no git history)."""

    stats: ScanStats
    recent_commits: list | None
    material_folders: dict[str, str]  # material id → "item/material" folder as it exists in the tree
    history_note: Diagnostic | None  # what git could not tell (a shallow clone), for project.diagnostics

    def __init__(self, files=()):
        super().__init__(files)
        self.recent_commits = None
        self.history_note = None
        self.material_folders = {}  # per result: a class-level {} would be shared by every scan


last_stats: ScanStats | None = None  # the stats of the most recent scan in this process


# --------------------------------------------------------------------------- walking


@dataclass(slots=True)
class Entry:
    raw: str  # path relative to the root as the OS gives it (may hold surrogates for non-UTF-8 bytes)
    rel: str  # the same, safe to print and to store as JSON
    path: str  # absolute
    parts: tuple[str, ...]
    kind: str  # "file", "symlink", "other" (fifo, socket, device), "unreadable" (a folder we cannot list)
    size: int = 0
    mtime_ns: int = 0
    error: str = ""
    stat: os.stat_result | None = None  # of a regular file: the cache's witness, the link count, the device


def _display(raw: str) -> tuple[str, bool]:
    """A printable form of a path, and whether some name in it was not valid UTF-8 on disk."""
    try:
        raw.encode("utf-8")
        return raw, False
    except UnicodeEncodeError:
        return "/".join(_display_name(part) for part in raw.split("/")), True


def _display_name(part: str) -> str:
    data = os.fsencode(part)
    for encoding in ("utf-8", "gb18030"):  # names zipped on Chinese Windows arrive as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def _walk(root: str, folders: dict[tuple[str, ...], list[str]]) -> Iterator[Entry]:
    """Every non-directory entry below ``root``; ``folders`` collects each folder's sub-folder names."""
    stack: list[tuple[str, tuple[str, ...]]] = [(root, ())]
    while stack:
        folder, parts = stack.pop()
        try:
            with os.scandir(folder) as listing:
                children = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            raw = "/".join(parts) or "."
            parts = parts or (".",)
            yield Entry(raw, _display(raw)[0], folder, parts, "unreadable", error=exc.strerror or str(exc))
            continue
        subfolders = folders.setdefault(parts, [])
        for child in children:
            entry = _classify(child, parts)
            if entry is None:
                if child.name not in NEVER_ENTER and not _skipped(child, parts):
                    subfolders.append(child.name)
                    stack.append((child.path, (*parts, child.name)))
            elif entry.kind != "skip":
                yield entry


def _skipped(child: os.DirEntry, parts: tuple[str, ...]) -> bool:
    return not parts and child.name in NOT_EVIDENCE_FOLDERS


def _classify(child: os.DirEntry, parts: tuple[str, ...]) -> Entry | None:
    """None for a folder to walk into; an Entry (kind "skip" for what is not evidence) otherwise."""
    rel_parts = (*parts, child.name)
    raw = "/".join(rel_parts)
    rel = _display(raw)[0]
    try:
        stat = child.stat(follow_symlinks=False)
    except OSError as exc:
        return Entry(raw, rel, child.path, rel_parts, "unreadable", error=exc.strerror or str(exc))
    if child.is_symlink():
        return Entry(raw, rel, child.path, rel_parts, "symlink", 0, stat.st_mtime_ns)
    if child.is_dir(follow_symlinks=False):
        return None
    if child.name in NEVER_ENTER:
        return Entry(raw, rel, child.path, rel_parts, "skip")
    if child.is_file(follow_symlinks=False):
        if len(parts) in NOTE_DEPTHS and child.name in NOT_EVIDENCE_FILES:
            return Entry(raw, rel, child.path, rel_parts, "skip")
        return Entry(raw, rel, child.path, rel_parts, "file", stat.st_size, stat.st_mtime_ns, stat=stat)
    return Entry(raw, rel, child.path, rel_parts, "other", 0, stat.st_mtime_ns)


# --------------------------------------------------------------------------- the entry point


def scan_evidence(
    project: Project,
    evidence_root: Path,
    *,
    cache_dir: Path | None = None,
    git: bool = True,
    history_since: dt.date | None = None,
) -> list[EvidenceFile]:
    """Every file under ``evidence_root`` as an EvidenceFile, sorted by path; never raises for bad input.

    With ``git``, one ``git log`` gives each file's last commit and (from ``history_since`` on) the recent
    commits, kept as ``result.recent_commits`` for the /changes/ page.

    The returned list has a ``stats`` attribute (ScanStats); ``handbook.scan.evidence.last_stats`` holds it too.
    """
    global last_stats
    started = time.perf_counter()
    stats = ScanStats()
    result = ScanResult()
    result.stats = last_stats = stats
    root = Path(evidence_root)
    if not root.is_dir():
        log.info("no evidence folder at %s", root)
        return result
    if cache_dir is not None and _inside(Path(cache_dir), root):
        log.warning("scan cache %s is inside the evidence folder; not caching (evidence/ is never written)", cache_dir)
        cache_dir = None
    folders: dict[tuple[str, ...], list[str]] = {}
    entries = list(_walk(str(root), folders))
    sidecars, evidence = _split_sidecars(entries)
    cache = HashCache(cache_dir)
    contents = _read_contents(evidence + sidecars.orphans, cache, stats)
    context = _Context(project, root, folders)
    context.foreign = foreign_links(evidence, cache, root)
    cache.save()
    files = [_evidence_file(e, contents.get(e.raw), sidecars.of(e), context) for e in evidence]
    files += [_orphan_sidecar(e, contents.get(e.raw), context) for e in sidecars.orphans]
    _mark_duplicates(files, context.not_counted)
    add_clash_problems(files)
    if git:
        raw_of = {f.path: e.raw for f, e in zip(files, evidence + sidecars.orphans)}
        result.recent_commits, result.history_note = _add_git(files, root, raw_of, stats, history_since)
        attribute_to_committers(files, project.plan)
    result.material_folders = existing_folders(folders)[1]
    files.sort(key=lambda f: f.path)
    result.extend(files)
    stats.files_seen = len(files)
    stats.seconds = time.perf_counter() - started
    log.info("evidence scan: %s", stats)
    return result


def _inside(path: Path, root: Path) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(root)
    return os.path.commonpath([real, top]) == top


# --------------------------------------------------------------------------- reading contents


def _read_contents(entries: list[Entry], cache: HashCache, stats: ScanStats) -> dict[str, Content]:
    """Content of every regular file: from the cache when unchanged, else read (in parallel)."""
    found: dict[str, Content] = {}
    todo: list[Entry] = []
    for entry in entries:
        if entry.kind != "file" or entry.stat is None:
            continue
        cached = cache.get(entry.rel, Witness.of(entry.stat))
        if cached is not None:
            found[entry.raw] = Content(cached.sha256, 0, cached.filetype, cached.pages, list(cached.problems),
                                       cached.crc32)
            stats.cache_hits += 1
        else:
            todo.append(entry)
    if todo:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            for entry, content in zip(todo, pool.map(_inspect, todo)):
                found[entry.raw] = content
                stat = entry.stat
                if content.sha256 and stat is not None:  # always set for a regular file (see above)
                    stats.hashed += 1
                    stats.bytes_hashed += content.size_read
                    cache.put(entry.rel, CacheEntry(
                        entry.size, entry.mtime_ns, content.sha256, content.filetype, content.pages,
                        list(content.problems), content.crc32, ino=stat.st_ino, ctime_ns=stat.st_ctime_ns,
                        nlink=cache.published_links(entry.rel, stat.st_ino)))
        stats.hash_seconds = round(time.perf_counter() - started, 3)
    return found


def _inspect(entry: Entry) -> Content:
    """Never raises: one odd file must not stop the scan. Failures have no hash, so they are not cached."""
    ext = fn.parse_file_name(entry.parts[-1]).ext
    try:
        return inspect_file(Path(entry.path), entry.rel, ext)
    except OSError as exc:
        why = exc.strerror or str(exc)
    except Exception as exc:  # a library choking on hostile bytes
        log.exception("checking %s failed", entry.rel)
        why = f"检查时出错：{type(exc).__name__}"
    problem = Problem("unreadable", f"{entry.rel}：无法读取文件（{why}）", "检查文件权限，或重新导出后再提交")
    return Content("", 0, "unknown", None, [problem])


# --------------------------------------------------------------------------- sidecars


@dataclass(slots=True)
class _Sidecars:
    attached: dict[str, list[Entry]] = field(default_factory=dict)  # evidence raw path → its sidecars
    orphans: list[Entry] = field(default_factory=list)

    def of(self, entry: Entry) -> list[Entry]:
        return self.attached.get(entry.raw, [])


def _is_sidecar(entry: Entry) -> bool:
    name = entry.parts[-1]
    return entry.kind == "file" and name.lower().endswith(SIDECAR_SUFFIXES) and not fn.junk_reason(name)


def _split_sidecars(entries: list[Entry]) -> tuple[_Sidecars, list[Entry]]:
    """Sidecars attach to the file of the same name (``x.pdf`` ← ``x.yml`` or ``x.pdf.yml``)."""
    sidecars = _Sidecars()
    evidence = [e for e in entries if not _is_sidecar(e)]
    by_folder: dict[tuple[str, ...], dict[str, list[Entry]]] = defaultdict(lambda: defaultdict(list))
    for entry in evidence:
        name = entry.parts[-1]
        names = by_folder[entry.parts[:-1]]
        names[name].append(entry)
        stem, ext = fn.split_ext(name)
        if ext and stem != name:
            names[stem].append(entry)
    for entry in entries:
        if not _is_sidecar(entry):
            continue
        stem = entry.parts[-1].rsplit(".", 1)[0]
        owners = by_folder.get(entry.parts[:-1], {}).get(stem, [])
        if not owners:
            sidecars.orphans.append(entry)
        for owner in owners:
            sidecars.attached.setdefault(owner.raw, []).append(entry)
    return sidecars, evidence


# --------------------------------------------------------------------------- one file


class _Context:
    """What every file's checks need, computed once per scan."""

    def __init__(self, project: Project, root: Path, folders: dict[tuple[str, ...], list[str]]) -> None:
        self.project = project
        self.standard = project.standard
        self.plan = project.plan
        self.root_real = os.path.realpath(root)
        self.folders = folders
        names = list(self.plan.alias_index) or [n for u in self.plan.units.values() for n in u.names]
        self.unit_names = sorted(set(names), key=lambda n: (-len(n), n))
        self.sample_year = max((y for y in self.plan.window if y < self.plan.review_year), default=self.plan.review_year)
        self.places: dict[tuple[str, ...], _Place] = {}
        self.not_counted: set[int] = set()  # id() of files that serve no material (junk, links, orphans)
        self.foreign: dict[str, Problem] = {}  # raw path → why it is someone else's file (hard link, device)

    def place(self, folder: tuple[str, ...]) -> _Place:
        if folder not in self.places:
            self.places[folder] = _place_of(folder, self)
        return self.places[folder]

    def resolve_unit(self, raw: str) -> str | None:
        for candidate in dict.fromkeys((raw, raw.strip(), fn.nfkc(raw).strip(), "".join(fn.nfkc(raw).split()))):
            unit = self.plan.resolve_unit(candidate)
            if unit is not None:
                return unit.name
            if candidate in self.plan.units:
                return candidate
        return None


def _new_file(entry: Entry, content: Content | None) -> EvidenceFile:
    return EvidenceFile(
        path=entry.rel,
        size=entry.size,
        mtime_ns=entry.mtime_ns,
        sha256=content.sha256 if content else "",
        filetype=content.filetype if content else {"symlink": "symlink", "other": "special"}.get(entry.kind, "unknown"),
        item=None,
        material=None,
        years=(),
        unit=None,
        unit_raw="",
        title=entry.parts[-1],
        pages=content.pages if content else None,
        crc32=content.crc32 if content else None,
    )


def _evidence_file(entry: Entry, content: Content | None, sidecars: list[Entry], ctx: _Context) -> EvidenceFile:
    file = _new_file(entry, content)
    place = ctx.place(entry.parts[:-1])
    file.item = place.item
    file.problems.extend(_located(entry.rel, place.problems))
    file.problems.extend(_path_problems(entry, ctx))
    junk = fn.junk_reason(entry.parts[-1]) or place.junk
    if entry.kind != "file" or junk:
        file.problems.extend(_not_evidence_problems(entry, junk, ctx))
        ctx.not_counted.add(id(file))
        return file
    file.material = place.material
    _name_checks(file, entry, place, ctx)
    if place.item is not None and place.material is None and len(entry.parts) == 2:
        _point_to_likely_materials(file, place.item, ctx)
    if content:
        file.problems.extend(content.problems)
    if entry.raw in ctx.foreign:
        file.problems.append(ctx.foreign[entry.raw])
    file.problems.extend(_size_problems(entry, content, ctx))
    _attach_sidecars(file, sidecars, ctx)
    return file


def _located(rel: str, problems: list[Problem]) -> list[Problem]:
    """A folder's problems, said about one file in it (every message names the file's path)."""
    return [Problem(p.code, f"{rel}：{p.message}", p.fix, p.level) for p in problems]


def _not_evidence_problems(entry: Entry, junk: str, ctx: _Context) -> list[Problem]:
    rel = entry.rel
    if entry.kind == "symlink":
        problems = [Problem("symlink", f"{rel}：这是一个符号链接（快捷方式），不是文件本身；构建不会读取它",
                            "删除链接，把真实文件本身提交到这个位置")]
        target = os.path.realpath(entry.path)
        if os.path.commonpath([target, ctx.root_real]) != ctx.root_real:
            problems.append(Problem("outside-tree", f"{rel}：它指向 evidence/ 以外的位置",
                                    "evidence/ 里只能放材料文件本身，不能链接到其他目录"))
        return problems
    if entry.kind == "other":
        return [Problem("not-regular-file", f"{rel}：这不是普通文件（管道、设备或套接字），构建不会读取它", "删除它")]
    if entry.kind == "unreadable":
        return [Problem("unreadable", f"{rel}：无法读取（{entry.error}）", "检查文件夹和文件的权限")]
    if junk:
        fix = "删除它（放入材料后即可删除）" if "占位" in junk else "删除它：它不是材料，是软件自动生成的"
        return [Problem("junk-file", f"{rel}：这是{junk}，不是佐证材料", fix, Level.WARNING)]
    return []


# --------------------------------------------------------------------------- folders


@dataclass(slots=True)
class _Place:
    item: int | None = None
    material: str | None = None
    problems: list[Problem] = field(default_factory=list)
    junk: str = ""


def _place_of(folder: tuple[str, ...], ctx: _Context) -> _Place:
    place = _Place()
    junk_folder = next((fn.JUNK_FOLDERS[p.lower()] for p in folder if p.lower() in fn.JUNK_FOLDERS), "")
    if junk_folder:
        place.junk = junk_folder
        return place
    if not folder:
        place.problems.append(Problem("file-in-root", "文件直接放在 evidence/ 下，不属于任何条目",
                                      "移到对应的条目和资料文件夹中，如 evidence/03/03.1-年度工作计划/"))
        return place
    _item_folder(folder[0], place, ctx)
    if len(folder) == 1:
        place.problems.append(_file_in_item_folder(folder, place, ctx))
        return place
    _material_folder(folder, place, ctx)
    if len(folder) > 2:
        target = "/".join(folder[:2])
        place.problems.append(Problem("nested-folder", f"资料文件夹下又建了子文件夹“{'/'.join(folder[2:])}”",
                                      f"把文件直接放到 {target}/ 中，年份和单位写在文件名里", Level.WARNING))
    return place


def _item_folder(name: str, place: _Place, ctx: _Context) -> None:
    items = ctx.standard.items
    parsed = fn.parse_item_folder(name)
    if parsed.number is not None and parsed.number in items:
        place.item = parsed.number
        if not parsed.canonical:
            good = items[parsed.number].code + (f"-{parsed.label}" if parsed.label else "")
            place.problems.append(Problem("bad-item-folder", f"条目文件夹“{name}”名称不规范",
                                          f"改名为 {good}（两位条目编号，可加“-说明”）"))
        return
    material = fn.parse_material_folder(name)
    if material.material and ctx.standard.material(material.material):
        place.item, place.material = material.item, material.material
        code = f"{material.item:02d}"
        place.problems.append(Problem("bad-item-folder", f"资料文件夹“{name}”直接放在了 evidence/ 下",
                                      f"放到条目文件夹中：{code}/{name}/"))
        return
    if parsed.number is not None:
        why = f"标准中没有第 {parsed.number} 条（共 {len(items)} 条：{min(items)}–{max(items)}）" if items else "标准未载入"
        place.problems.append(Problem("bad-item-folder", f"条目文件夹“{name}”：{why}", "条目文件夹用两位条目编号命名，如 03 或 03-年度计划"))
        return
    by_label = {f"{n:02d}-{items[n].title}": n for n in sorted(items)} | {items[n].title: n for n in sorted(items)}
    nearest = fn_suggest(name, list(by_label))
    if nearest is not None:
        number = by_label[nearest]
        fix = f"是否应为 {items[number].code}-{items[number].title}？条目文件夹以两位条目编号开头"
    else:
        fix = "条目文件夹以两位条目编号开头，如 03 或 03-年度计划与卫生创建"
    place.problems.append(Problem("bad-item-folder", f"“{name}”不是条目文件夹（名称开头没有条目编号）", fix))


def _file_in_item_folder(folder: tuple[str, ...], place: _Place, ctx: _Context) -> Problem:
    existing = [n for n in ctx.folders.get(folder, []) if fn.parse_material_folder(n).material]
    if existing:
        where = "、".join(f"{folder[0]}/{n}/" for n in existing[:8])
        fix = f"移到对应的资料文件夹中：{where}"
    elif place.item in ctx.standard.items:
        materials = ctx.standard.items[place.item].materials
        where = "、".join(f"{m.id}-{m.title}/" for m in materials)
        fix = f"在 {folder[0]}/ 下新建资料文件夹再放入，本条目的资料有：{where}" if where else "先在本条目下建资料文件夹"
    else:
        fix = "放到 条目/资料 两级文件夹中，如 03/03.1-年度工作计划/"
    return Problem("file-in-item-folder", f"文件直接放在条目文件夹“{folder[0]}”下，没有放进资料文件夹", fix)


def _point_to_likely_materials(file: EvidenceFile, item: int, ctx: _Context) -> None:
    """A file lying directly in an item folder: name the item's materials its title most resembles first."""
    materials = ctx.standard.items[item].materials if item in ctx.standard.items else []
    if not materials:
        return
    def likeness(material) -> float:
        return difflib.SequenceMatcher(None, file.title, material.title, autojunk=False).ratio()
    ranked = sorted(materials, key=likeness, reverse=True)
    folder = file.path.split("/", 1)[0]
    existing: dict[str | None, str] = {}  # material id → the folder already made for it (its own label), else id-title
    for name in ctx.folders.get((folder,), []):
        material = fn.parse_material_folder(name).material
        existing.setdefault(material, name)
    where = "、".join(f"{folder}/{existing.get(m.id, f'{m.id}-{m.title}')}/" for m in ranked[:3])
    for index, problem in enumerate(file.problems):
        if problem.code == "file-in-item-folder":
            fix = f"移到资料文件夹中（文件夹不存在就新建），最可能是：{where}"
            file.problems[index] = Problem(problem.code, problem.message, fix, problem.level)


def _material_folder(folder: tuple[str, ...], place: _Place, ctx: _Context) -> None:
    name = folder[1]
    parsed = fn.parse_material_folder(name)
    material = ctx.standard.material(parsed.material) if parsed.material else None
    item = ctx.standard.items.get(place.item) if place.item is not None else None
    if material is not None:
        place.material = material.id
        if item is not None and material.item != item.number:
            place.problems.append(Problem("bad-material-folder", f"资料文件夹“{name}”：资料 {material.id}（{material.title}）属于第 {material.item} 条，不属于第 {item.number} 条",
                                          f"移到 {material.item:02d}/{name}/ 下"))
        elif not parsed.canonical:
            good = material.id + (f"-{parsed.label}" if parsed.label else f"-{material.title}")
            place.problems.append(Problem("bad-material-folder", f"资料文件夹“{name}”名称不规范", f"改名为 {good}"))
        return
    choices = item.materials if item is not None else ctx.standard.materials
    by_title = {m.title: m for m in choices}
    # A wrong id says nothing about the right one; the label (or a bare title) does.
    titled = fn_suggest(parsed.label or name, list(by_title)) if (parsed.label or not parsed.material) else None
    hint = by_title.get(titled) if titled else None
    if parsed.material:
        why = f"标准中没有资料 {parsed.material}"
    elif fn.parse_years(name)[0]:
        why = "不要按年份建文件夹，年份写在文件名里"
    else:
        why = "名称开头没有资料编号"
    fix = f"是否应为 {hint.id}-{hint.title}？" if hint else ""
    shown = choices if item is not None else choices[:8]  # all of one item's (at most a dozen), not all 180
    listing = "、".join(f"{m.id}-{m.title}" for m in shown)
    fix += f"资料文件夹以资料编号开头，本条目的资料有：{listing}" if listing else "资料文件夹以资料编号开头，如 03.1-年度工作计划"
    place.problems.append(Problem("bad-material-folder", f"资料文件夹“{name}”：{why}", fix))


def fn_suggest(name: str, candidates: list[str]) -> str | None:
    """The nearest unit name for a typo, as the loader suggests it."""
    return suggest(name, candidates)


# --------------------------------------------------------------------------- names


def _name_checks(file: EvidenceFile, entry: Entry, place: _Place, ctx: _Context) -> None:
    parts = fn.parse_file_name(file.name)  # the printable name: a GBK name is read as GBK, never as surrogates
    file.years, file.unit_raw, file.title = parts.years, parts.unit_raw, parts.title or parts.stem
    file.unit = ctx.resolve_unit(parts.unit_raw) if parts.unit_raw else None
    if parts.issue is None and file.unit is None:
        file.problems.append(_unknown_unit(file, parts, ctx))
    elif parts.issue is not None:
        file.problems.append(_name_problem(file, parts, ctx))
    material = ctx.standard.material(place.material) if place.material else None
    file.problems.extend(_window_problems(file, material, ctx))
    if material is not None and material.formats and parts.ext and parts.ext not in material.formats:
        fix = "转换为 PDF 后再提交（图片、Word 都可以导出或打印为 PDF）" if "pdf" in material.formats else f"转换为 {'/'.join(material.formats)} 之一"
        file.problems.append(Problem("format-not-accepted", f"{file.path}：资料 {material.id}（{material.title}）只接受 {'、'.join(material.formats)} 格式，此文件是 .{parts.ext_raw}", fix))
    file.problems.extend(_assignment_problems(file, ctx))


def _name_problem(file: EvidenceFile, parts: fn.NameParts, ctx: _Context) -> Problem:
    example = fn.example_name(parts, unit=file.unit, year=ctx.sample_year, unit_names=ctx.unit_names)
    fix = f"改名为“年份-单位-标题.扩展名”，例如 {example}"
    if parts.issue == "no-year" or (parts.issue == "bad-name" and not parts.years):
        fix += "（年份写文件所属的年度）"
    return Problem(parts.issue or "bad-name", f"{file.path}：{parts.detail}", fix)


def _unknown_unit(file: EvidenceFile, parts: fn.NameParts, ctx: _Context) -> Problem:
    nearest = fn_suggest(parts.unit_raw, ctx.unit_names)
    canonical = ctx.resolve_unit(nearest) if nearest else None
    if canonical:
        example = f"{parts.year_raw}-{canonical}-{parts.title}.{parts.ext_raw}"
        fix = f"是否应为“{canonical}”？改名为 {example}"
    else:
        fix = "单位写本市单位名单中的简称、全称或别名（见 standards/local/units.yml 或网站“单位”页）"
    return Problem("unknown-unit", f"{file.path}：文件名中的单位“{parts.unit_raw}”不在本市单位名单中", fix)


def _window_problems(file: EvidenceFile, material, ctx: _Context) -> list[Problem]:
    window = tuple(ctx.plan.window)
    if not file.years or not window or set(file.years) & set(window):
        return []
    span = f"{window[0]}–{window[-1]}"
    shown = f"{file.years[0]}" if len(file.years) == 1 else f"{file.years[0]}至{file.years[-1]}"
    if min(file.years) > max(window):
        return [Problem("outside-window", f"{file.path}：年份 {shown} 晚于评审期 {span}", "核对文件名中的年份")]
    if material is not None and material.time_rule == "once":
        return []  # a one-off document (本底调查) done before the window still stands
    if material is not None and material.per_year:
        return [Problem("outside-window", f"{file.path}：年份 {shown} 不在评审期 {span} 内，不能算作本期材料",
                        f"提交 {span} 年度的材料；若年份写错了，改正文件名")]
    return [Problem("outside-window", f"{file.path}：年份 {shown} 早于评审期 {span}",
                    "若文件至今仍然有效（如长期有效的规范性文件）可保留；否则请提交评审期内的版本", Level.WARNING)]


def _assignment_problems(file: EvidenceFile, ctx: _Context) -> list[Problem]:
    """A file from a unit that neither supplies its material nor is among the item's units: collected, warned,
    with the unit the plan expected (a parent answers for its sub-units)."""
    assignment = ctx.plan.assignments.get(file.item) if file.item is not None else None
    if file.unit is None or assignment is None or assignment.groups:
        return []
    expected = [u for m in file.materials if (o := ctx.plan.obligations.get(m)) for u in o.units]
    answerable = set(assignment.lead) | set(assignment.responsible) | set(expected)
    unit = ctx.plan.units.get(file.unit)
    while unit is not None:
        if unit.name in answerable:
            return []
        unit = ctx.plan.units.get(unit.parent) if unit.parent else None
    owners = "、".join(dict.fromkeys(expected)) or "、".join(assignment.lead) or "牵头单位"
    return [Problem("unit-not-assigned", f"{file.path}：{file.unit} 既不是该材料的供给单位，也不是第 {file.item} 条的牵头或责任单位；应由 {owners} 提交",
                    f"核对条目文件夹和单位是否写对（应由 {owners} 提交）；确需由 {file.unit} 提交的，请爱卫办在 standards/local/assignments.yml 的 suppliers 或该条分工中写上它",
                    Level.WARNING)]


# --------------------------------------------------------------------------- the path as a whole


def _path_problems(entry: Entry, ctx: _Context) -> list[Problem]:
    problems: list[Problem] = []
    rel = entry.rel
    if _display(entry.raw)[1]:
        problems.append(Problem("bad-encoding", f"{rel}：文件或文件夹名不是 UTF-8 编码（常见于在 Windows 上压缩、在别处解压）",
                                "在电脑上把文件重新命名（直接输入中文名）后再提交"))
    troubles = [(part, why) for part in entry.parts if (why := fn.windows_trouble(part))]
    if troubles:
        said = "；".join(f"“{part}”{why}" for part, why in troubles)
        problems.append(Problem("windows-unsafe-name", f"{rel}：名称在 Windows 上无法使用：{said}",
                                "改名：去掉 < > : \" / \\ | ? * 等字符（可用全角字符或短横线代替），不要以点或空格结尾，不要用 CON、NUL 等设备名"))
    invisible = [seen for part in entry.parts for seen in fn.invisible_characters(part)]
    if invisible:
        clean = "/".join(fn.without_invisible(part) for part in entry.parts)
        problems.append(Problem("invisible-character", f"{rel}：名称中有看不见的字符：{'、'.join(invisible)}",
                                f"重新输入文件名（不要从网页或聊天记录里复制），改为 {clean}", Level.WARNING))
    length = fn.windows_path_length(rel)
    if length > fn.PATH_WARN:
        level = Level.ERROR if length > fn.PATH_ERROR else Level.WARNING
        problems.append(Problem("path-too-long", f"{rel}：路径太长，解压到 Windows 桌面后约 {length} 个字符（上限约 260）",
                                f"缩短标题或资料文件夹名，使整个路径不超过 {fn.PATH_WARN} 个字符", level))
    kinds = fn.personal_data(rel)
    if kinds:
        problems.append(Problem("personal-data", f"{rel}：文件名中似乎含有{'和'.join(kinds)}",
                                "改名去掉个人信息；文件内容含个人信息的，在说明文件中写 restricted: true（不在网站公开）",
                                Level.WARNING))
    return problems


def _size_problems(entry: Entry, content: Content | None, ctx: _Context) -> list[Problem]:
    if entry.size == 0:
        return [Problem("empty", f"{entry.rel}：文件是空的（0 字节）", "重新提交完整的文件（多半是上传或复制时出错）")]
    limit_mb = ctx.plan.max_file_mb or 50
    if entry.size > limit_mb * 1024 * 1024:
        size_mb = entry.size / 1024 / 1024
        return [Problem("too-large", f"{entry.rel}：文件有 {size_mb:.1f} MB，超过 {limit_mb} MB",
                        "压缩后再提交（PDF 可降低扫描分辨率到 200–300 dpi，照片可缩小尺寸），或拆分成几个文件", Level.WARNING)]
    return []


# --------------------------------------------------------------------------- sidecars on files


def _attach_sidecars(file: EvidenceFile, sidecars: list[Entry], ctx: _Context) -> None:
    if not sidecars:
        return
    first, *others = sidecars
    result = read_sidecar(Path(first.path), first.rel, ctx.standard)
    file.sidecar = result.sidecar
    file.problems.extend(result.problems)
    for other in others:
        file.problems.append(Problem("sidecar-error", f"{other.rel}：同一个文件有多个说明文件，只采用了 {first.rel}",
                                     "合并为一个说明文件", Level.WARNING))
    _check_sidecar_pages(file, first.rel)


def _check_sidecar_pages(file: EvidenceFile, sidecar_rel: str) -> None:
    if not (file.sidecar and file.sidecar.pages and file.pages):
        return
    numbers = [int(n) for part in file.sidecar.pages.split(",") for n in part.split("-") if n]
    if numbers and max(numbers) > file.pages:
        file.problems.append(Problem("sidecar-error", f"{sidecar_rel}：页码 {file.sidecar.pages} 超出了文件的 {file.pages} 页",
                                     f"页码应在 1–{file.pages} 之间", Level.WARNING))


def _orphan_sidecar(entry: Entry, content: Content | None, ctx: _Context) -> EvidenceFile:
    file = _new_file(entry, content)
    place = ctx.place(entry.parts[:-1])
    file.item = place.item
    file.problems.extend(_located(entry.rel, place.problems))
    file.problems.extend(_path_problems(entry, ctx))
    stem = entry.parts[-1].rsplit(".", 1)[0]
    siblings = [n for n in _siblings(entry, ctx) if not n.lower().endswith(SIDECAR_SUFFIXES)]
    nearest = fn_suggest(stem, siblings) if siblings else None
    fix = f"说明文件要与材料同名（只差扩展名）：是否是为 {nearest} 写的？改名为 {nearest.rsplit('.', 1)[0]}.yml" if nearest else "说明文件要与材料同名（只差扩展名）；若材料已删除，请同时删除此说明文件"
    file.problems.append(Problem("orphan-sidecar", f"{entry.rel}：说明文件旁边没有同名的材料文件", fix))
    result = read_sidecar(Path(entry.path), entry.rel, ctx.standard)
    file.sidecar = result.sidecar
    file.problems.extend(result.problems)
    ctx.not_counted.add(id(file))
    return file


def _siblings(entry: Entry, ctx: _Context) -> list[str]:
    folder = os.path.dirname(entry.path)
    try:
        return sorted(e.name for e in os.scandir(folder) if e.is_file(follow_symlinks=False))
    except OSError:
        return []


# --------------------------------------------------------------------------- whole-tree checks


def _mark_duplicates(files: list[EvidenceFile], not_counted: set[int]) -> None:
    """The first copy (by path) is the original; every later copy is an error pointing to also_for."""
    by_hash: dict[str, list[EvidenceFile]] = defaultdict(list)
    for file in files:
        if file.sha256 and file.size and id(file) not in not_counted:
            by_hash[file.sha256].append(file)
    for copies in by_hash.values():
        if len(copies) < 2:
            continue
        original, *later = sorted(copies, key=lambda f: f.path)
        sidecar = original.path.rsplit(".", 1)[0] + ".yml"
        for copy in later:
            if copy.material and copy.material not in original.materials:
                fix = f'同一份文件只保留一份：删除本文件，在 {sidecar} 中写 also_for: ["{copy.material}"]，它就同时算作 {copy.material} 的材料'
            else:
                fix = "同一份文件只保留一份：删除本文件（若它还用于其他资料，在原文件的说明文件中用 also_for 列出）"
            copy.problems.append(Problem(
                "duplicate-content", f"{copy.path}：与 {original.path} 内容完全相同（重复提交）", fix
            ))


def _add_git(
    files: list[EvidenceFile], root: Path, raw_of: dict[str, str], stats: ScanStats, since: dt.date | None
) -> tuple[list | None, Diagnostic | None]:
    """Each file's last commit, the recent commits, and (for a shallow clone) the warning saying what is unknown."""
    from handbook.scan.git import read_history, shallow_diagnostic

    started = time.perf_counter()
    history = read_history(root, set(raw_of.values()), since=since)
    unknown = []
    for file in files:
        commit = history.last.get(raw_of.get(file.path, file.path))
        if commit is None:
            continue
        if history.boundary is not None and commit.sha in history.boundary:
            unknown.append(file.path)  # committed before the clone's depth: who and when are not in this clone
            continue
        file.committer, file.committed, file.committer_email = commit.committer, commit.committed, commit.email
    stats.git_seconds = time.perf_counter() - started
    note = shallow_diagnostic(unknown, len(files)) if history.boundary is not None else None
    return history.recent, note
