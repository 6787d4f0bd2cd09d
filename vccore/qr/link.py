"""A QR payload carried in a URL of the scan page, so that a phone's default scanner (WeChat's, the camera
app's) opens the verifier instead of showing an unreadable ``SC2:`` string.

Contract: :func:`wrap` puts a payload into the fragment of ``scan_url``: ``https://verify.example/#SC2:…``.
The fragment is never sent to the server by a browser (the page reads it and posts it itself, as it posts a
camera scan), and no browser normalises it. Base45 (the payload's alphabet, the QR alphanumeric set) has two
characters a URL cannot carry as they are: space and ``%``; they become ``%20`` and ``%25``, which are
themselves alphanumeric-set characters, so the wrapped payload stays one alphanumeric QR segment behind a
byte-mode segment for the URL (:func:`split`; :func:`vccore.qr.matrix.build_matrix` takes both). What the
wrapping costs is measured in ``docs/qr-sizes.md``. :func:`unwrap` is the inverse, and leaves any other
text as it is, so a decoder can call it on whatever a scanner read.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import unquote

__all__ = ["split", "unwrap", "wrap"]

_SCAN_URL: Final = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+(/[A-Za-z0-9._~/-]*)?")
_WRAPPED: Final = re.compile(r"(?i:https?)://[^#\s]{1,200}#((?:SC|SCR)[0-9]+(?::|%3A)[0-9A-Z $%*+\-./:]*)")


def wrap(payload: str, scan_url: str) -> str:
    """``scan_url#payload`` with space and ``%`` percent-encoded. Raises :class:`ValueError` for a scan URL
    that is not a plain absolute http(s) URL (no query, no fragment)."""
    if not _SCAN_URL.fullmatch(scan_url):
        raise ValueError(f"scan_url: {scan_url!r} is not an absolute http(s) URL without query or fragment")
    return scan_url + "#" + payload.replace("%", "%25").replace(" ", "%20")


def split(text: str) -> tuple[str, str]:
    """(URL part up to and including ``#``, the rest): the byte-mode and the alphanumeric-mode segment of a
    wrapped payload; ``("", text)`` for a bare payload."""
    head, sep, tail = text.partition("#")
    return (head + sep, tail) if sep else ("", text)


def unwrap(text: str) -> str:
    """The payload a scan-page URL carries, or ``text`` unchanged when it is not such a URL."""
    match = _WRAPPED.fullmatch(text.strip()) if len(text) < 20_000 else None
    return unquote(match.group(1)) if match else text
