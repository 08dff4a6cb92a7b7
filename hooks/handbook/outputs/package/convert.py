"""Word, Excel and PowerPoint files to PDF with LibreOffice running headless, many files per process.

One ``soffice --convert-to pdf`` call converts a whole batch (starting LibreOffice costs about a second, a
document a fraction of that), with its own throw-away profile (``-env:UserInstallation``) so that it
neither waits for nor disturbs a LibreOffice the user has open, and with a timeout per batch. Inputs are
copied into the batch folder under short ASCII names (a number and the extension), so no two files clash
and no character of a Chinese file name can confuse the command line.

Every failure is returned as a :class:`Failure` (the file, the reason, the fix in Chinese), never raised:
the package lists it for the office and goes on.

LibreOffice stamps each PDF with the time of conversion and a random document ID; :func:`normalise_pdf`
rewrites both (fixed date, ID derived from the content) so that the package stays byte-reproducible.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

BATCH_SIZE = 40  # files per soffice run: a hung file costs at most one batch
BATCH_TIMEOUT_BASE = 60  # seconds for LibreOffice to start, plus …
BATCH_TIMEOUT_PER_FILE = 30  # … this much per file of the batch
# What each family is called in the office's list and the 卷内目录 ("由 Word 转换").
FAMILY = {
    "doc": "Word", "docx": "Word", "odt": "Word", "rtf": "Word", "wps": "Word",
    "xls": "Excel", "xlsx": "Excel", "ods": "Excel", "et": "Excel",
    "ppt": "PowerPoint", "pptx": "PowerPoint", "odp": "PowerPoint", "dps": "PowerPoint",
}
# The part an Office Open XML package must hold; without it LibreOffice would import the bytes as text.
_OOXML_MAIN = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
FIX = "请用 Word、Excel、PowerPoint 或 WPS 打开原文件，另存为（或导出为）PDF 后重新提交"


@dataclass(frozen=True, slots=True)
class Failure:
    """A file LibreOffice could not convert: what happened and what the office should do."""

    reason: str
    fix: str = FIX


def find_soffice() -> str | None:
    """LibreOffice's command, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


NOT_INSTALLED = Failure("本机未安装 LibreOffice（soffice），无法转换为 PDF",
                        "请按 README 的命令安装 LibreOffice（scripts/system-deps.sh）后重新打包，或把原文件另存为 PDF 后重新提交")


def convert_evidence(files: list[tuple[str, Path, str]], workdir: Path, created: dt.datetime,
                     soffice: str | None) -> tuple[dict[str, Path | Failure], int]:
    """Convert each (evidence path, source, kind) once; ({evidence path: its PDF or why not}, soffice runs).

    The upload slots and the reviewers' part share these PDFs, so a file is converted once per build.
    """
    if not files:
        return {}, 0
    if not soffice:
        return {path: NOT_INSTALLED for path, _, _ in files}, 0
    converter = OfficeConverter(soffice, workdir, created)
    by_source = converter.convert([(source, kind) for _, source, kind in files])
    return {path: by_source[source] for path, source, _ in files}, converter.runs


def family(kind: str) -> str:
    return FAMILY.get(kind, kind.upper())


def precheck(source: Path, kind: str) -> Failure | None:
    """A damaged Office Open XML file is refused before LibreOffice sees it (it would print the raw bytes)."""
    main = _OOXML_MAIN.get(kind)
    if main is None:
        return None
    try:
        with zipfile.ZipFile(source) as package:
            names = set(package.namelist())
            if "[Content_Types].xml" not in names or main not in names:
                return Failure(f"{family(kind)} 文件缺少正文部分（{main}），文件已损坏或不是真正的 .{kind} 文件")
            if package.testzip() is not None:
                return Failure(f"{family(kind)} 文件已损坏（压缩内容校验失败）")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        return Failure(f"{family(kind)} 文件已损坏，无法打开（{error}）")
    return None


class OfficeConverter:
    """Converts batches of files; PDFs land in ``workdir`` and stay there until the package is written."""

    def __init__(self, soffice: str, workdir: Path, created: dt.datetime, *, batch_size: int = BATCH_SIZE) -> None:
        self.soffice, self.workdir, self.created, self.batch_size = soffice, workdir, created, batch_size
        self.profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=workdir))
        self.runs = 0  # soffice processes started (the benchmark and the tests read it)

    def convert(self, sources: list[tuple[Path, str]]) -> dict[Path, Path | Failure]:
        """{source: its PDF, or why not} for every (source, kind) given."""
        results: dict[Path, Path | Failure] = {}
        todo = []
        for source, kind in dict.fromkeys(sources):
            failure = precheck(source, kind)
            if failure:
                results[source] = failure
            else:
                todo.append((source, kind))
        for start in range(0, len(todo), self.batch_size):
            results.update(self._batch(todo[start : start + self.batch_size]))
        return results

    def _batch(self, batch: list[tuple[Path, str]]) -> dict[Path, Path | Failure]:
        folder = Path(tempfile.mkdtemp(prefix="convert-", dir=self.workdir))
        inputs, outputs = folder / "in", folder / "out"
        inputs.mkdir()
        outputs.mkdir()
        names = {}
        for number, (source, kind) in enumerate(batch, 1):
            name = f"{number:04d}.{kind}"
            shutil.copyfile(source, inputs / name)
            names[source] = name
        timeout = BATCH_TIMEOUT_BASE + BATCH_TIMEOUT_PER_FILE * len(batch)
        error = self._run([str(inputs / n) for n in names.values()], outputs, timeout)
        results: dict[Path, Path | Failure] = {}
        for source, kind in batch:
            produced = outputs / (Path(names[source]).stem + ".pdf")
            if produced.is_file() and produced.stat().st_size > 0:
                results[source] = self._checked(produced, kind)
            else:
                results[source] = Failure(error or f"LibreOffice 无法打开此 {family(kind)} 文件（文件可能已损坏或加了密码）")
        shutil.rmtree(inputs, ignore_errors=True)
        return results

    def _run(self, files: list[str], outdir: Path, timeout: int) -> str:
        """Run one soffice over ``files``; '' when it finished, else why it did not (in Chinese)."""
        command = [self.soffice, f"-env:UserInstallation={self.profile.resolve().as_uri()}", "--headless",
                   "--invisible", "--norestore", "--nologo", "--nodefault", "--convert-to", "pdf",
                   "--outdir", str(outdir), *files]
        self.runs += 1
        try:
            # A session of its own: on timeout the whole group (soffice.bin under the soffice script) is ended.
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=True, env={**os.environ, "HOME": str(self.profile)})
        except OSError as error:
            return f"无法启动 LibreOffice（{error}）"
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            return f"LibreOffice 转换超时（这一批 {len(files)} 个文件超过 {timeout} 秒未完成）"
        return ""

    def _checked(self, produced: Path, kind: str) -> Path | Failure:
        try:
            normalise_pdf(produced, self.created)
        except Exception as error:  # noqa: BLE001 — pikepdf raises PdfError and others on a broken PDF
            return Failure(f"LibreOffice 转出的 PDF 无法读取（{type(error).__name__}）")
        return produced


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        process.kill()
    process.wait()


def normalise_pdf(path: Path, created: dt.datetime) -> int:
    """Fixed dates, no XMP packet, a content-derived /ID: the same document gives the same bytes.

    Returns the page count. LibreOffice's own bytes are otherwise deterministic for the same input and
    the same LibreOffice version (checked by the tests); another version may lay pages out differently.
    """
    import pikepdf

    stamp = created.strftime("D:%Y%m%d%H%M%S") + "+08'00'"
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        if "/Metadata" in pdf.Root:
            del pdf.Root.Metadata
        if "/DocChecksum" in pdf.trailer:  # LibreOffice's checksum covers the conversion time
            del pdf.trailer.DocChecksum
        if "/ID" in pdf.trailer:  # random per run; deterministic_id derives a new one from the content
            del pdf.trailer.ID
        info = pdf.docinfo
        for key in list(info.keys()):
            del info[key]
        info["/Producer"] = "LibreOffice (handbook)"
        info["/CreationDate"] = stamp
        info["/ModDate"] = stamp
        pages = len(pdf.pages)
        pdf.save(path, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    return pages


def page_count(path: Path) -> int | None:
    from pypdf import PdfReader

    try:
        with path.open("rb") as handle:
            return len(PdfReader(handle, strict=False).pages)
    except Exception:  # noqa: BLE001 — pypdf raises many types; the count is only shown
        return None
