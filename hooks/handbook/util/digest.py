"""A digest of a value that depends on the value only: the key of every cache of the judged model's outputs
(the rendered pages, handbook.render.memo; the package and the workbooks, handbook.outputs.reuse).

A plain pickle also records which values are the same object: a unit's name read from the scan cache is
another string than the one in the plan, while a fresh scan hands the plan's own string on, and the same page
had two keys. The pickler's fast mode writes every value out in full, whatever is shared. (A set's order would
follow the process's hash seed: keep sets out of what is digested.)

The default pickle of a ``slots=True`` dataclass goes through ``dataclasses.fields()`` in Python for every
instance: 2.2 s of a 5.4 s render at N = 10,000. Here a dataclass is written as its type's name and its fields'
values, read by one ``attrgetter`` per type; an object of the ``Shared`` kind (the evidence file: each is in
the inputs of two or three pages, its item, its unit, the dashboards) is written as the digest of its values,
made once. Digests are compared only with digests made with the same kind and the same fields left out.
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator
import pickle
from collections.abc import Callable
from functools import cache
from typing import Any


class _Sink:
    """A file-like digest: the pickler writes into it, no bytes object is made."""

    def __init__(self) -> None:
        self.digest = hashlib.blake2b(digest_size=20)
        self.write = self.digest.update


def _value(type_name: str, *fields: object) -> None:
    """Stands for a dataclass in a digest's pickle (never called: a digest is never loaded)."""


def _digested(digest: bytes) -> None:
    """Stands for an object of the shared kind (never called, as above)."""


class Shared:
    """The dataclass objects of one ``kind`` digested so far, by identity: id → (object, digest). The entry
    keeps the object alive, so no id is reused while the digests are kept; make a new one (or ``clear``) when
    the objects may have changed. ``without``: fields of the kind left out of its digest (the package: a
    file's mtime)."""

    def __init__(self, kind: type | None = None, without: tuple[str, ...] = ()) -> None:
        self.kind, self.without = kind, without
        self._kept: dict[int, tuple[object, bytes]] = {}

    def clear(self) -> None:
        self._kept.clear()

    def of(self, obj: Any) -> bytes:
        kept = self._kept.get(id(obj))
        if kept is None:
            sink = _Sink()
            cls: Any = type(obj)
            getter = _fields_of(cls, self.without)
            _Pickler(sink, self).dump((cls.__qualname__, *(getter(obj) if getter else ())))
            kept = self._kept[id(obj)] = (obj, sink.digest.digest())
        return kept[1]


class _Pickler(pickle.Pickler):
    def __init__(self, sink: _Sink, shared: Shared) -> None:
        super().__init__(sink, protocol=pickle.HIGHEST_PROTOCOL)
        self.fast = True  # no memo: values only (see the module docstring)
        self.shared = shared

    def reducer_override(self, obj: object):  # called for every object pickle has no C fast path for
        cls: Any = type(obj)
        if cls is self.shared.kind:
            return _digested, (self.shared.of(obj),)
        getter = _fields_of(cls, ())
        if getter is None:
            return NotImplemented
        return _value, (cls.__qualname__, *getter(obj))


@cache
def _fields_of(cls: Any, without: tuple[str, ...]) -> Callable[[object], tuple] | None:
    names = [f.name for f in dataclasses.fields(cls) if f.name not in without] if dataclasses.is_dataclass(cls) else []
    if not names:
        return None
    getter = operator.attrgetter(*names)
    return (lambda obj: (getter(obj),)) if len(names) == 1 else getter


def value_digest(value: object, shared: Shared | None = None) -> bytes:
    """The digest of ``value``'s values (see the module docstring); the same for equal values in any process.
    ``shared``: the kind digested once, and the objects of that kind digested so far."""
    sink = _Sink()
    _Pickler(sink, Shared() if shared is None else shared).dump(value)
    return sink.digest.digest()
