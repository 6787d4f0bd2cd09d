"""Which QR code to show for a document, and the hash-bound reference fallback.

A document is shown as a document payload (:func:`vccore.qr.payload.encode`) when the payload fits the
project's phone-scannable limit, QR version 25 at error-correction level M. A presentation with
several credentials usually does not. Then the wallet shows a *reference* payload
instead: a URL on the wallet's own page (``/p/<token>``, a random 128-bit token) and the SHA-256 of
the exact bytes served there. The wallet keeps those bytes in memory (:class:`ReferenceShelf`) for a
limited time (10 minutes by default, never longer than the presentation's own proof), then answers
410 Gone. The scanner fetches the URL and must compare the digest before parsing
(:func:`verify_reference`), so neither the network nor the wallet's web server has to be trusted
for integrity; the presentation's own proof still has to be verified after that.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from vccore import jsonstrict
from vccore.errors import Code, SkillcredError
from vccore.qr import capacity as qrcapacity
from vccore.qr import payload as qr
from vccore.timeutil import require_aware

__all__ = ["DEFAULT_TTL", "QrPlan", "ReferenceShelf", "plan_qr", "verify_reference"]

DEFAULT_TTL: Final = timedelta(minutes=10)
MAX_ITEMS: Final = 64
MAX_TOTAL_BYTES: Final = 16 * 1024 * 1024


@dataclass(frozen=True)
class QrPlan:
    """What to render: the payload, its QR version and EC level, and whether it is a reference."""

    payload: str
    version: int
    ec: str
    kind: Literal["document", "reference"]
    sha256: str = ""
    url: str = ""


def plan_qr(
    document: Mapping[str, Any],
    *,
    publish: Callable[[bytes], str] | None = None,
    low_ec_ok: bool = False,
    max_version: int = qrcapacity.DEFAULT_MAX_VERSION,
) -> QrPlan:
    """The QR for ``document``: the document itself at level M within ``max_version``; else, if
    ``low_ec_ok`` (a clean screen or print), at level L; else a reference to the bytes that
    ``publish(bytes) -> url`` makes available. Raises ``QR_TOO_LARGE`` (zh/en) when none applies."""
    payload = qr.encode(document)
    for ec in ("M", "L") if low_ec_ok else ("M",):
        version = qrcapacity.required_version(payload, ec)
        if version is not None and version <= max_version:
            return QrPlan(payload, version, ec, "document")
    if publish is None:
        raise SkillcredError(
            f"too large for a reliable QR code (needs more than version {max_version}); send the JSON "
            "file or show it from `skillcred wallet serve` "
            "/ 内容过大，无法生成可靠的二维码，请发送文件或通过钱包网页出示",
            code=Code.QR_TOO_LARGE,
        )
    data = jsonstrict.dumps_compact(document).encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    url = publish(data)
    ref = qr.encode_reference(url, digest)
    return QrPlan(ref, qrcapacity.fit(ref, max_version=max_version), "M", "reference", digest, url)


def verify_reference(payload: str, document_bytes: bytes) -> dict[str, Any]:
    """The document a reference payload points to, given the bytes fetched from its URL.

    The SHA-256 is compared before the bytes are parsed; a mismatch raises
    ``CRYPTOGRAPHIC_SECURITY_ERROR``. The returned document still needs its proofs verified."""
    ref = qr.decode_reference(payload)
    if not ref.matches(bytes(document_bytes)):
        raise SkillcredError(
            "the served document does not match the QR code's SHA-256 / 内容与二维码摘要不符",
            code=Code.CRYPTOGRAPHIC_SECURITY_ERROR,
        )
    doc = jsonstrict.loads(bytes(document_bytes))
    if not isinstance(doc, dict):
        raise SkillcredError("the referenced document is not a JSON object", code=Code.PARSING_ERROR)
    return doc


@dataclass(frozen=True)
class _Item:
    data: bytes
    expires: datetime


class ReferenceShelf:
    """Bytes served under random tokens until they expire; bounded in count and total size (the
    oldest go first). Expired tokens are remembered (until evicted) so the page can answer 410."""

    def __init__(
        self, *, ttl: timedelta = DEFAULT_TTL, max_items: int = MAX_ITEMS, max_total_bytes: int = MAX_TOTAL_BYTES
    ) -> None:
        if ttl <= timedelta(0) or max_items < 1 or max_total_bytes < 1:
            raise ValueError("ttl, max_items and max_total_bytes must be positive")
        self.ttl = ttl
        self.max_items = max_items
        self.max_total_bytes = max_total_bytes
        self._items: OrderedDict[str, _Item] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, data: bytes, *, now: datetime, until: datetime | None = None) -> str:
        """Keep ``data`` for ``ttl`` (or until ``until`` if sooner); returns the token."""
        if len(data) > self.max_total_bytes:
            raise SkillcredError("document too large to serve", code=Code.RESOURCE_LIMIT_EXCEEDED)
        now = require_aware(now)
        expires = now + self.ttl if until is None else min(now + self.ttl, require_aware(until, name="until"))
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._items[token] = _Item(bytes(data), expires)
            while (
                len(self._items) > self.max_items
                or sum(len(i.data) for i in self._items.values()) > self.max_total_bytes
            ):
                self._items.popitem(last=False)
        return token

    def get(self, token: str, *, now: datetime) -> tuple[Literal["ok", "gone", "missing"], bytes]:
        now = require_aware(now)
        with self._lock:
            item = self._items.get(token)
            if item is None:
                return "missing", b""
            if item.expires <= now:
                self._items[token] = _Item(b"", item.expires)  # drop the bytes, keep the tombstone
                return "gone", b""
            return "ok", item.data
