"""Problem documents (RFC 9457, "Problem Details for HTTP APIs"): the one shape every app answers an
error in, and the one table from a problem code to its HTTP status.

A document carries ``type`` (``https://w3id.org/skillcred/problems#CODE``), ``title`` and ``title_zh``
(the code's titles, :mod:`vccore.errors`), ``status``, ``detail`` (at most 500 characters) and ``code``.
``STORE_BUSY`` and the other 503 answers say when to retry (``Retry-After``). A refusal that names the
member at fault adds its JSON ``pointer`` (RFC 6901), an extension member.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final

from vccore.errors import Code, title_en, title_zh

PROBLEM_TYPE: Final = "application/problem+json"
TYPE_BASE: Final = "https://w3id.org/skillcred/problems#"
RETRY_AFTER: Final = "1"
MAX_DETAIL: Final = 500
#: the HTTP status of a refusal with this code; any other refusal of a request's content is 422
STATUS: Final[Mapping[Code, int]] = {
    Code.UNAUTHORIZED: 401,
    Code.FORBIDDEN: 403,
    Code.NOT_FOUND: 404,
    Code.NOT_ACCEPTABLE: 406,
    Code.CONFLICT: 409,
    Code.RESOURCE_LIMIT_EXCEEDED: 413,
    Code.STORE_BUSY: 503,
    Code.KEY_ERROR: 503,
}


def status_for(code: Code, default: int = 422) -> int:
    """The HTTP status of a refusal with ``code`` (:data:`STATUS`), else ``default``."""
    return STATUS.get(code, default)


def problem_document(status: int, code: Code, detail: str, pointer: str = "") -> dict[str, object]:
    document: dict[str, object] = {
        "type": TYPE_BASE + code.value,
        "title": title_en(code),
        "title_zh": title_zh(code),
        "status": status,
        "detail": detail[:MAX_DETAIL],
        "code": code.value,
    }
    if pointer:
        document["pointer"] = pointer[:MAX_DETAIL]
    return document


def problem_answer(
    status: int, code: Code, detail: str, headers: Mapping[str, str] | None = None, *, pointer: str = ""
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of the problem answer: the document as compact UTF-8 JSON, with
    ``Retry-After`` on a 503 unless ``headers`` already say when."""
    extra = dict(headers or {})
    if status == 503:
        extra.setdefault("Retry-After", RETRY_AFTER)
    body = json.dumps(problem_document(status, code, detail, pointer), ensure_ascii=False, separators=(",", ":"))
    return status, extra, body.encode("utf-8")
