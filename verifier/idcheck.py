"""The scan page's ID check: does the number on the ID card in front of the employer match the credential?

The page sends the credential's ``identityHash`` (or the whole credential) and the number the employer
typed; the answer is only ``{"match": true|false}``. The number is hashed with the credential's own salt
and parameters by :func:`vccore.identity.matches` (Argon2id, parameters bounded there) and then dropped:
it is never stored, logged, or echoed in any answer, not even masked, and errors about it say only that
it is not a valid number (SECURITY.md item 9). Nothing here logs at all.

Each comparison costs about 0.1 s and up to 256 MiB (:data:`vccore.identity.MAX_MEMLIMIT`), so at most
``max_concurrent`` run at once; a request that cannot get a slot within ``wait`` seconds is answered 503
instead of queueing without bound. The result says nothing about whether the credential verified: the
page shows it next to the verdict, never instead of it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from vccore import jsonstrict
from vccore.errors import Code, SkillcredError, title_en, title_zh
from vccore.identity import matches

MAX_BODY: Final = 16 * 1024
MAX_NUMBER_CHARS: Final = 32
INVALID_NUMBER: Final = "idNumber is not a valid resident ID number (18 characters with a valid check character)"


@dataclass(frozen=True)
class IdAnswer:
    """An HTTP status and a JSON body (a problem document for 4xx/5xx)."""

    status: int
    body: dict[str, Any]


def _problem(status: int, code: Code, detail: str) -> IdAnswer:
    return IdAnswer(status, {"type": f"https://w3id.org/skillcred/problems#{code.value}", "title": title_en(code),
                             "title_zh": title_zh(code), "status": status, "detail": detail, "code": code.value})


def _identity_hash(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    if isinstance(body.get("identityHash"), Mapping):
        value: Mapping[str, Any] = body["identityHash"]
        return value
    credential = body.get("credential")
    subject = credential.get("credentialSubject") if isinstance(credential, Mapping) else None
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    found = subject.get("identityHash") if isinstance(subject, Mapping) else None
    return found if isinstance(found, Mapping) else None


class IdChecker:
    """``check(body) -> IdAnswer`` for ``POST /id-check``; thread-safe, bounded concurrency."""

    def __init__(self, *, max_concurrent: int = 2, wait: float = 5.0) -> None:
        if max_concurrent < 1:
            raise ValueError(f"max_concurrent: expected at least 1, got {max_concurrent!r}")
        if wait < 0:
            raise ValueError(f"wait: expected a non-negative number of seconds, got {wait!r}")
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._wait = wait

    def check(self, raw: bytes, *, media_type: str = "application/json") -> IdAnswer:
        if media_type != "application/json":
            return _problem(415, Code.MALFORMED_VALUE_ERROR, "send application/json")
        try:
            body = jsonstrict.loads(raw, max_bytes=MAX_BODY, max_depth=8)
        except SkillcredError as err:
            return _problem(400, err.code, "the body is not acceptable JSON (strict, small, shallow)")
        if not isinstance(body, Mapping):
            return _problem(400, Code.MALFORMED_VALUE_ERROR, "the body must be a JSON object")
        number = body.get("idNumber")
        if not isinstance(number, str) or not 0 < len(number) <= MAX_NUMBER_CHARS:
            return _problem(400, Code.MALFORMED_VALUE_ERROR, INVALID_NUMBER)
        identity = _identity_hash(body)
        if identity is None:
            return _problem(400, Code.MALFORMED_VALUE_ERROR,
                            "send identityHash (or a credential whose subject has one)")
        if not self._slots.acquire(timeout=self._wait):
            return _problem(503, Code.STORE_BUSY, "too many ID checks at once; try again")
        try:
            same = matches(identity, number)
        except SkillcredError as err:
            if err.pointer.startswith("/idNumber"):
                return _problem(400, Code.MALFORMED_VALUE_ERROR, INVALID_NUMBER)
            # about the credential's identityHash, never about the number: safe to explain
            return _problem(422 if err.code is Code.RESOURCE_LIMIT_EXCEEDED else 400, err.code, err.detail[:300])
        finally:
            self._slots.release()
        return IdAnswer(200, {"match": same})
