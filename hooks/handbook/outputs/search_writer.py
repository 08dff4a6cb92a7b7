"""Writing the Pagefind index to disk, completely, once; and keeping it between ``mkdocs serve`` rebuilds.

The Pagefind binary runs as a service (a subprocess) behind its Python wrapper (pagefind 1.5.2). Two of its
habits would leave a broken index on the site, so this module works around both:

- The service answers "written" once its writes are *handed* to tokio's background threads (tokio's
  ``File::write_all`` without a flush), and the wrapper kills the service right after. A killed write leaves
  a truncated ``pagefind.js`` or an empty ``pagefind-entry.json`` (seen: a 0-byte entry file, a JS file cut at
  128 KiB), and search says "Failed to load Pagefind metadata". So the index is written into a fresh folder,
  the service is kept alive until the files stop growing, the result is checked, and only then moved into
  place.
- ``async with PagefindIndex(...)`` writes the files a second time on exit (rewriting the non-hashed files a
  moment before the kill). The index is made from a ``PagefindService`` instead, and written once.

Every build empties the site folder (``mkdocs build`` cleans it, ``mkdocs serve`` builds into a new one). The
index is kept in the cache with a digest of everything it was made from; a build whose pages and records are
unchanged links the kept files back instead of running Pagefind again (at N = 10,000, 0.8 s instead of 14 s).
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import os
import shutil
import time
import types
import zlib
from contextlib import contextmanager
from pathlib import Path

BATCH = 64  # requests in flight to the Pagefind service at once
SETTLE_POLL = 0.02  # seconds between two looks at the folder being written
SETTLE_QUIET = 3  # this many identical looks in a row: the writes are done
SETTLE_LIMIT = 30.0  # seconds at most (a slow disk); the check afterwards still catches a short file
DIGEST_FILE = ".handbook-digest"  # beside a kept index: what it was made from


class IndexWriteError(RuntimeError):
    """The written index is incomplete (the message is Chinese)."""


def documents_digest(documents: list[tuple[str, str]], settings: str) -> str:
    """What an index is made from: every (url, document) and the indexing settings."""
    digest = hashlib.sha256(settings.encode("utf-8"))
    for url, document in documents:
        digest.update(b"\0" + url.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(document.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def write_index(documents: list[tuple[str, str]], output: Path, config: dict) -> None:
    """Index ``documents`` with Pagefind into ``output`` (replaced whole only once the new index is complete)."""
    fresh = output.with_name(output.name + ".new")
    if fresh.exists():  # left by a build that was interrupted
        shutil.rmtree(fresh)
    _run(_index_into(documents, fresh, config))
    check_complete(fresh)
    if output.exists():  # a stale index of an earlier build (dirty build): never mixed with this one
        shutil.rmtree(output)
    os.replace(fresh, output)


def reuse_kept(kept: Path, digest: str, output: Path) -> bool:
    """Link the index kept in ``kept`` into ``output`` when it was made from the same documents."""
    try:
        if (kept / DIGEST_FILE).read_text(encoding="ascii") != digest:
            return False
        if output.exists():
            shutil.rmtree(output)
        shutil.copytree(kept, output, copy_function=_link_or_copy, ignore=shutil.ignore_patterns(DIGEST_FILE))
        check_complete(output)
    except (OSError, IndexWriteError):  # gone, half-written by another build, or not whole: index again
        return False
    return True


def keep(output: Path, kept: Path, digest: str) -> None:
    """Keep a copy (hard links where possible) of the index just written, for the next build.

    The copy is made beside ``kept`` and moved in whole, the digest last inside it, and the old copy loses
    its digest before it is removed: a build killed at any moment leaves no digest beside a partial index."""
    fresh = kept.with_name(f"{kept.name}.{os.getpid()}.new")  # two builds at once each make their own
    try:
        if fresh.exists():
            shutil.rmtree(fresh)
        shutil.copytree(output, fresh, copy_function=_link_or_copy)
        (fresh / DIGEST_FILE).write_text(digest, encoding="ascii")
        if kept.exists():
            (kept / DIGEST_FILE).unlink(missing_ok=True)
            shutil.rmtree(kept)
        os.replace(fresh, kept)
    except OSError:  # a read-only cache, or another build keeping its index at the same moment
        shutil.rmtree(fresh, ignore_errors=True)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system (serve builds into /tmp), or no hard links there
        shutil.copy2(source, target)


def check_complete(folder: Path) -> None:
    """The entry file names an index whose metadata is a whole gzip stream; the loader script is there.

    Raises IndexWriteError: a site with a broken index only says "Failed to load Pagefind metadata"."""
    try:
        entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
        hashes = [language["hash"] for language in entry["languages"].values()]
        for value in hashes:
            gzip.decompress((folder / f"pagefind.{value}.pf_meta").read_bytes())
        if not hashes or (folder / "pagefind.js").stat().st_size == 0:
            raise ValueError("empty")
    except (OSError, ValueError, KeyError, TypeError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise IndexWriteError(f"Pagefind 写出的索引不完整（{type(exc).__name__}: {exc}），请重新构建") from exc


def _run(coroutine) -> None:
    """asyncio.run, also from a thread that already runs an event loop (then in a thread of its own)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coroutine)
        return
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine).result()


async def _index_into(documents: list[tuple[str, str]], folder: Path, config: dict) -> None:
    from pagefind.index import IndexConfig
    from pagefind.service import PagefindService

    with _no_poll_delay():
        async with PagefindService() as service:  # closing it kills the binary: everything happens inside
            index = await service.create_index(IndexConfig(**config))
            for start in range(0, len(documents), BATCH):
                batch = documents[start:start + BATCH]
                await asyncio.gather(*(index.add_html_file(content=doc, url=url) for url, doc in batch))
            await index.write_files(output_path=str(folder))
            await _settled(folder)


async def _settled(folder: Path) -> None:
    """Wait until the files under ``folder`` stop changing (count and sizes), at most SETTLE_LIMIT seconds."""
    deadline = time.monotonic() + SETTLE_LIMIT
    last, quiet = None, 0
    while quiet < SETTLE_QUIET and time.monotonic() < deadline:
        await asyncio.sleep(SETTLE_POLL)
        now = _footprint(folder)
        quiet = quiet + 1 if now == last else 0
        last = now


def _footprint(folder: Path) -> tuple[int, int]:
    count = size = 0
    for path in folder.rglob("*"):
        try:
            size += path.stat().st_size
        except OSError:
            continue
        count += 1
    return count, size


@contextmanager
def _no_poll_delay():
    """The wrapper sleeps 0.1 s before reading each response of the Pagefind service: 10 records a second, 17
    minutes for 10,000 files. Its service module gets an ``asyncio`` whose ``sleep`` only yields; reading the
    pipe still waits for data. Our own sleeps (``_settled``) use the real module. Nothing else is affected."""
    import pagefind.service as service

    class _Asyncio(types.ModuleType):
        def __getattr__(self, name):
            return getattr(asyncio, name)

    async def just_yield(delay, result=None):
        return await asyncio.sleep(0, result)

    shim = _Asyncio("asyncio")
    shim.sleep = just_yield  # type: ignore[attr-defined]
    original, service.asyncio = service.asyncio, shim
    try:
        yield
    finally:
        service.asyncio = original
