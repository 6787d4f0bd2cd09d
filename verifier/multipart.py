"""A small ``multipart/form-data`` reader (RFC 7578) for ``POST /verify/qr``, linear in the body.

The form carries one image file or one ``payload`` field. The standard library's ``email`` parser builds
a message object per part and does work that grows faster than the body for many tiny parts (SECURITY.md
verifier item 18), so this reader walks the already-capped body once with ``bytes.find``, and refuses more
than ``max_parts`` parts or a part header over ``max_header_bytes`` before it looks any further. Only the
``Content-Disposition`` ``name``/``filename`` and the ``Content-Type`` of a part are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from vccore.errors import ParseError, ResourceLimitError

MAX_PARTS: Final = 8
MAX_HEADER_BYTES: Final = 1024
_BOUNDARY: Final = re.compile(r'boundary="?([0-9A-Za-z\'()+_,./:=?-]{1,70})"?')
_PARAM: Final = re.compile(r';\s*(name|filename)="([^"\r\n]{0,200})"')


@dataclass(frozen=True)
class Part:
    name: str | None
    filename: str | None
    content_type: str
    data: bytes


def boundary_of(content_type: str) -> bytes:
    found = _BOUNDARY.search(content_type)
    if found is None:
        raise ParseError("multipart/form-data without a valid boundary")
    return found.group(1).encode("ascii")


def parse(
    body: bytes, content_type: str, *, max_parts: int = MAX_PARTS, max_header_bytes: int = MAX_HEADER_BYTES
) -> list[Part]:
    """The parts of ``body``; :class:`ParseError` for a malformed body, :class:`ResourceLimitError` past
    a cap. One pass: each search starts where the previous one ended."""
    delimiter = b"--" + boundary_of(content_type)
    start = body.find(delimiter)
    if start < 0:
        raise ParseError("the multipart body does not contain its boundary")
    parts: list[Part] = []
    position = start + len(delimiter)
    while True:
        if body.startswith(b"--", position):
            return parts  # the closing delimiter
        if not body.startswith(b"\r\n", position):
            raise ParseError("malformed multipart delimiter line")
        if len(parts) >= max_parts:
            raise ResourceLimitError(f"more than {max_parts} parts in the form")
        header_start = position + 2
        header_end = body.find(b"\r\n\r\n", header_start, header_start + max_header_bytes + 4)
        if header_end < 0:
            raise ResourceLimitError(f"a part header is missing or longer than {max_header_bytes} bytes")
        data_start = header_end + 4
        data_end = body.find(b"\r\n" + delimiter, data_start)
        if data_end < 0:
            raise ParseError("a part is not closed by the boundary")
        parts.append(_part(body[header_start:header_end], body[data_start:data_end]))
        position = data_end + 2 + len(delimiter)


def _part(header: bytes, data: bytes) -> Part:
    name = filename = None
    content_type = "text/plain"
    for line in header.decode("latin-1").split("\r\n"):
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "content-disposition":
            params = dict(_PARAM.findall(value))
            name, filename = params.get("name"), params.get("filename")
        elif key == "content-type":
            content_type = value.split(";", 1)[0].strip().lower()
    return Part(name, filename, content_type, data)
