"""A small cache for pure work on a document, keyed by the document's exact JSON text.

:class:`BoundedMemo` remembers what a *pure* function computed from one document (its one reading, the
canonical form its proof signs, the rule set it publishes) under the SHA-256 of the document's JSON text,
so that a document met again, byte for byte the same, is not read, canonicalized or parsed again. Any
change to the document (one byte, one field) is another key. Only pure work belongs here: whatever depends
on the time, the trust list or a key resolved now (signatures, validity, status, trust) is never cached.
The memo is bounded (least recently used entries go first) and safe to share between threads; its owner
(a verifier) keeps it, never a module.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Final

DEFAULT_SIZE: Final = 32
#: ``memo(name, compute)``: ``compute()``'s value for one exact document, remembered under ``name``
Memo = Callable[[str, Callable[[], Any]], Any]


def content_key(document: Any) -> str | None:
    """SHA-256 (hex) of ``document``'s JSON text, or None when it is not plain JSON (then nothing is cached).

    The text keeps the document's member order, so two spellings of one document are two keys (a miss,
    never a wrong hit); ``1``, ``1.0`` and ``true`` stay apart."""
    if not isinstance(document, dict):
        return None
    try:
        text = json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class BoundedMemo:
    """At most ``size`` remembered values, least recently used dropped first. Exceptions are not remembered."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self._values: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def get(self, key: tuple[Hashable, ...], compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = compute()
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def bind(self, document: Mapping[str, Any], scope: Hashable = None) -> Memo | None:
        """A :data:`Memo` for this exact ``document`` (and ``scope``: e.g. the loader the work depends on),
        or None when the document has no :func:`content_key`."""
        key = content_key(document)
        if key is None:
            return None
        return lambda name, compute: self.get((scope, key, name), compute)
