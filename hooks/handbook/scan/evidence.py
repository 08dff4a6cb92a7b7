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
import logging
import os
import time
from collections.abc import Callable
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from handbook.scan import names as fn
from handbook.scan.content import Content, inspect_file
from handbook.scan.attribution import attribute_to_committers
from handbook.scan.folders import existing_folders
from handbook.scan.cache import CacheEntry, HashCache, Witness
from handbook.scan.links import foreign_links
from handbook.scan.memo import FileMemo
from handbook.scan.name_clash import add_clash_problems
from handbook.model import EvidenceFile, Level, Problem, Project, Where
from handbook.load.sidecar import SUFFIXES as SIDECAR_SUFFIXES
from handbook.load.sidecar import read_sidecar
from handbook.scan.codes import PROBLEM_CODES
from handbook.scan.walk import Entry, walk
from handbook.scan.placement import ScanContext, fn_suggest, name_checks, path_problems, point_to_likely_materials, size_problems

__all__ = ["PROBLEM_CODES", "ScanResult", "ScanStats", "scan_evidence"]

log = logging.getLogger(__name__)


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
    history_note: Problem | None  # what git could not tell (a shallow clone), for project.diagnostics

    def __init__(self, files=()):
        super().__init__(files)
        self.recent_commits = None
        self.history_note = None
        self.material_folders = {}  # per result: a class-level {} would be shared by every scan
        self.stats = ScanStats()


# --------------------------------------------------------------------------- the entry point


def scan_evidence(
    project: Project,
    evidence_root: Path,
    *,
    cache_dir: Path | None = None,
    git: bool = True,
    history_since: dt.date | None = None,
    own_dirs: tuple[Path, ...] | None = None,
    memo: FileMemo | None = None,
    later: Callable[[Callable[[], None]], None] | None = None,
) -> ScanResult:
    """Every file under ``evidence_root`` as an EvidenceFile, sorted by path; never raises for bad input.

    ``own_dirs``: where this build publishes evidence by hard link (handbook.scan.links; default: site/evidence
    and .site-evidence of the project), e.g. ``mkdocs serve``'s temporary site: those links are ours.

    With ``git``, one ``git log`` gives each file's last commit and (from ``history_since`` on) the recent
    commits, kept as ``result.recent_commits`` for the /changes/ page.

    ``memo`` (a ``mkdocs serve`` session's handbook.scan.memo.FileMemo): each file whose inputs are those of the
    session's last scan is a copy of the file that scan made, instead of being worked out again.

    ``later`` takes the work the result does not need, the hash cache's save (a ``mkdocs serve`` session runs it
    after the page is up, before its next scan); without it the cache is saved before the scan returns.

    The returned list has a ``stats`` attribute (ScanStats): the only place the scan's counters travel.
    Every problem on a returned file has a ``place`` (the file itself unless it says another, e.g. its sidecar).
    """
    started = time.perf_counter()
    stats = ScanStats()
    result = ScanResult()
    result.stats = stats
    root = Path(evidence_root)
    if not root.is_dir():
        log.info("no evidence folder at %s", root)
        return result
    if cache_dir is not None and _inside(Path(cache_dir), root):
        log.warning("scan cache %s is inside the evidence folder; not caching (evidence/ is never written)", cache_dir)
        cache_dir = None
    folders: dict[tuple[str, ...], list[str]] = {}
    entries = list(walk(str(root), folders))
    sidecars, evidence = _split_sidecars(entries)
    cache = HashCache(cache_dir)
    contents = _read_contents(evidence + sidecars.orphans, cache, stats)
    context = ScanContext(project, root, folders)
    context.foreign = foreign_links(evidence, cache, root, own_dirs, None if memo is None else memo.links)
    if later is None:
        cache.save()
    else:
        later(cache.save)
    if memo is None:
        files = [_evidence_file(e, contents.get(e.raw), sidecars.of(e), context) for e in evidence]
    else:
        memo.begin(context, root)
        files = [memo.file(e, contents.get(e.raw), sidecars.of(e), context, partial(
                     _evidence_file, e, contents.get(e.raw), sidecars.of(e), context)) for e in evidence]
        memo.end()
    files += [_orphan_sidecar(e, contents.get(e.raw), context) for e in sidecars.orphans]
    _mark_duplicates(files, context.not_counted)
    add_clash_problems(files)
    if git:
        raw_of = {f.path: e.raw for f, e in zip(files, evidence + sidecars.orphans)}
        result.recent_commits, result.history_note = _add_git(files, root, raw_of, stats, history_since)
        attribute_to_committers(files, project.plan)
    result.material_folders = existing_folders(folders)[1]
    _file_problems(files)
    files.sort(key=lambda f: f.path)
    result.extend(files)
    stats.files_seen = len(files)
    stats.seconds = time.perf_counter() - started
    log.info("evidence scan: %s", stats)
    return result


def _file_problems(files: list[EvidenceFile]) -> None:
    """Give each problem found without a place (content checks, name checks, git) its file's path as the place:
    the message never repeats it, so every view names the file the same way (``format_problem``)."""
    for file in files:
        if all(p.place is not None for p in file.problems):  # most files: nothing to give (a serve rebuild's copies)
            continue
        own = Where(file.path)
        file.problems = [p if p.place is not None else replace(p, place=own) for p in file.problems]


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
    problem = Problem("unreadable", f"无法读取文件（{why}）", "检查文件权限，或重新导出后再提交")
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


def _evidence_file(entry: Entry, content: Content | None, sidecars: list[Entry], ctx: ScanContext) -> EvidenceFile:
    file = _new_file(entry, content)
    place = ctx.place(entry.parts[:-1])
    file.item = place.item
    file.problems.extend(_located(entry.rel, place.problems))
    file.problems.extend(path_problems(entry, ctx))
    junk = fn.junk_reason(entry.parts[-1]) or place.junk
    if entry.kind != "file" or junk:
        file.problems.extend(_not_evidence_problems(entry, junk, ctx))
        ctx.not_counted.add(id(file))
        return file
    file.material = place.material
    name_checks(file, entry, place, ctx)
    if place.item is not None and place.material is None and len(entry.parts) == 2:
        point_to_likely_materials(file, place.item, ctx)
    if content:
        file.problems.extend(content.problems)
    if entry.raw in ctx.foreign:
        file.problems.append(ctx.foreign[entry.raw])
    file.problems.extend(size_problems(entry, content, ctx))
    _attach_sidecars(file, sidecars, ctx)
    return file


def _located(rel: str, problems: list[Problem]) -> list[Problem]:
    """A folder's problems, filed under one file in it (the place is that file)."""
    return [replace(p, place=Where(rel)) for p in problems]


def _not_evidence_problems(entry: Entry, junk: str, ctx: ScanContext) -> list[Problem]:
    if entry.kind == "symlink":
        problems = [Problem("symlink", "这是一个符号链接（快捷方式），不是文件本身；构建不会读取它",
                            "删除链接，把真实文件本身提交到这个位置")]
        target = os.path.realpath(entry.path)
        if os.path.commonpath([target, ctx.root_real]) != ctx.root_real:
            problems.append(Problem("outside-tree", "它指向 evidence/ 以外的位置",
                                    "evidence/ 里只能放材料文件本身，不能链接到其他目录"))
        return problems
    if entry.kind == "other":
        return [Problem("not-regular-file", "这不是普通文件（管道、设备或套接字），构建不会读取它", "删除它")]
    if entry.kind == "unreadable":
        return [Problem("unreadable", f"无法读取（{entry.error}）", "检查文件夹和文件的权限")]
    if junk:
        fix = "删除它（放入材料后即可删除）" if "占位" in junk else "删除它：它不是材料，是软件自动生成的"
        return [Problem("junk-file", f"这是{junk}，不是佐证材料", fix, Level.WARNING)]
    return []


# --------------------------------------------------------------------------- sidecars on files


def _attach_sidecars(file: EvidenceFile, sidecars: list[Entry], ctx: ScanContext) -> None:
    if not sidecars:
        return
    first, *others = sidecars
    result = read_sidecar(Path(first.path), first.rel, ctx.standard)
    file.sidecar = result.sidecar
    file.problems.extend(result.problems)
    for other in others:
        file.problems.append(Problem("sidecar-error", f"同一个文件有多个说明文件，只采用了 {first.rel}",
                                     "合并为一个说明文件", Level.WARNING, Where(other.rel)))
    _check_sidecar_pages(file, first.rel)


def _check_sidecar_pages(file: EvidenceFile, sidecar_rel: str) -> None:
    if not (file.sidecar and file.sidecar.pages and file.pages):
        return
    numbers = [int(n) for part in file.sidecar.pages.split(",") for n in part.split("-") if n]
    if numbers and max(numbers) > file.pages:
        file.problems.append(Problem("sidecar-error", f"页码 {file.sidecar.pages} 超出了文件的 {file.pages} 页",
                                     f"页码应在 1–{file.pages} 之间", Level.WARNING, Where(sidecar_rel)))


def _orphan_sidecar(entry: Entry, content: Content | None, ctx: ScanContext) -> EvidenceFile:
    file = _new_file(entry, content)
    place = ctx.place(entry.parts[:-1])
    file.item = place.item
    file.problems.extend(_located(entry.rel, place.problems))
    file.problems.extend(path_problems(entry, ctx))
    stem = entry.parts[-1].rsplit(".", 1)[0]
    siblings = [n for n in _siblings(entry, ctx) if not n.lower().endswith(SIDECAR_SUFFIXES)]
    nearest = fn_suggest(stem, siblings) if siblings else None
    fix = f"说明文件要与材料同名（只差扩展名）：是否是为 {nearest} 写的？改名为 {nearest.rsplit('.', 1)[0]}.yml" if nearest else "说明文件要与材料同名（只差扩展名）；若材料已删除，请同时删除此说明文件"
    file.problems.append(Problem("orphan-sidecar", "说明文件旁边没有同名的材料文件", fix))
    result = read_sidecar(Path(entry.path), entry.rel, ctx.standard)
    file.sidecar = result.sidecar
    file.problems.extend(result.problems)
    ctx.not_counted.add(id(file))
    return file


def _siblings(entry: Entry, ctx: ScanContext) -> list[str]:
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
                "duplicate-content", f"与 {original.path} 内容完全相同（重复提交）", fix
            ))


def _add_git(
    files: list[EvidenceFile], root: Path, raw_of: dict[str, str], stats: ScanStats, since: dt.date | None
) -> tuple[list | None, Problem | None]:
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

