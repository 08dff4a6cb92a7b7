"""Appending documents to one PDF with flat memory: big streams wait in a spool file until the PDF is written.

Also the fixed PDF metadata every generated PDF carries (reproducible bytes).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import BinaryIO

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, NumberObject, StreamObject

SPOOL_MIN = 256 * 1024  # streams at least this big wait on disk, not in memory, until the slot PDF is written
CHUNK = 1 << 20


def append_document(writer: PdfWriter, path: Path, page: int | None, title: str, spool: BinaryIO,
            reader: PdfReader | None = None) -> None:
    """Append one document (or one page of ``reader``), then spool its large streams to disk."""
    first_new = len(writer._objects)
    if reader is not None:
        writer.append(reader, outline_item=title, pages=(page or 0, (page or 0) + 1))
        spool_streams(writer, first_new, spool)
        reader.resolved_objects.clear()  # its parsed objects (image bytes) are in the writer or the spool now
        return
    with open(path, "rb") as handle:  # a stream, not a path: pypdf would read a path whole
        reader = PdfReader(handle, strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        writer.append(reader, outline_item=title)
        spool_streams(writer, first_new, spool)
        # The writer keeps every source reader alive (and with it each parsed stream); this one is done with.
        getattr(writer, "_id_translated", {}).pop(id(reader), None)
        reader.resolved_objects.clear()


def spool_streams(writer: PdfWriter, first: int, spool: BinaryIO) -> None:
    """Swap the big streams appended since object ``first`` for stand-ins that read them back when written."""
    objects = writer._objects
    for index in range(first, len(objects)):
        stream = objects[index]
        if isinstance(stream, StreamObject) and not isinstance(stream, _SpooledStream):
            data = stream._data
            if len(data) >= SPOOL_MIN:
                objects[index] = _SpooledStream(stream, spool, len(data))
                spool.seek(0, os.SEEK_END)
                spool.write(data)


class _SpooledStream(StreamObject):
    """A stream whose bytes wait in the spool file; written out in 1 MiB chunks, never held whole."""

    def __init__(self, original: StreamObject, spool: BinaryIO, length: int) -> None:
        super().__init__()
        self.update(original)
        self.indirect_reference = original.indirect_reference
        spool.seek(0, os.SEEK_END)
        self._spool, self._offset, self._length = spool, spool.tell(), length
        self._data = b""

    def write_to_stream(self, stream, *args, **kwargs) -> None:
        self[NameObject("/Length")] = NumberObject(self._length)
        DictionaryObject.write_to_stream(self, stream)
        del self["/Length"]
        stream.write(b"\nstream\n")
        self._spool.seek(self._offset)
        remaining = self._length
        while remaining:
            chunk = self._spool.read(min(CHUNK, remaining))
            if not chunk:
                raise OSError("spooled PDF stream ended early")
            stream.write(chunk)
            remaining -= len(chunk)
        stream.write(b"\nendstream")


def pdf_date(moment: dt.datetime) -> str:
    offset = moment.strftime("%z") or "+0000"
    return f"D:{moment.strftime('%Y%m%d%H%M%S')}{offset[:3]}'{offset[3:]}'"


def pdf_metadata(title: str, created: dt.datetime) -> dict[str, str]:
    stamp = pdf_date(created)
    return {"/Title": title, "/Producer": "handbook", "/Creator": "handbook", "/CreationDate": stamp, "/ModDate": stamp}
