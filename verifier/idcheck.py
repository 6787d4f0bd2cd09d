"""The scan page's ID check: does the number on the ID card in front of the employer match the credential?

The page sends the credential's ``identityHash`` (or the whole credential) and the number the employer
typed; the answer is only ``{"match": true|false}``. The number is hashed with the credential's own salt
and parameters by :func:`vccore.kinds.identity.matches` (Argon2id, parameters bounded there) and then dropped:
it is never stored, logged, or echoed in any answer, not even masked, and errors about it say only that
it is not a valid number (SECURITY.md item 9). Nothing here logs at all.

Each comparison costs about 0.1 s and up to 64 MiB: the credential's Argon2id parameters are accepted
only within what a skillcred issuer may use (:data:`vccore.kinds.identity.MAX_OPSLIMIT`,
:data:`vccore.kinds.identity.MAX_MEMLIMIT`), never what a caller asks for. One comparison runs at a time and four
wait (:class:`verifier.workgate.WorkGate`; beyond that 503 with ``Retry-After``), and each client
(its address) gets a burst of five, then ten a minute (:class:`verifier.workgate.RateLimit`; 429). The
result says nothing about whether the credential verified: the page shows it next to the verdict, never
instead of it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from edge.problems import problem_document
from vccore import jsonstrict
from vccore.errors import Code, SkillcredError
from vccore.kinds.identity import check_parameters, matches
from verifier.workgate import Busy, RateLimit, WorkGate

MAX_BODY: Final = 16 * 1024
MAX_NUMBER_CHARS: Final = 32
INVALID_NUMBER: Final = (
    "身份证号码无效：应为 18 位，末位校验码正确（可含空格、连字符或全角数字），请核对。"
    " / idNumber is not a valid resident ID number (18 characters with a valid check character)"
)


#: what people put between the groups of a number: spaces of any width and dashes
_SEPARATORS: Final = frozenset(" -\u2010\u2011\u2012\u2013\u2014\u2212")


def _as_typed(number: str) -> str:
    """The number a person typed, as the 18 characters: full-width digits and ``Ｘ`` (a Chinese input method's)
    read as ASCII (NFKC), and the groups (6 8 4, with spaces of any width or dashes) joined."""
    folded = unicodedata.normalize("NFKC", number)
    return "".join(c for c in folded if not c.isspace() and c not in _SEPARATORS)


@dataclass(frozen=True)
class IdAnswer:
    """An HTTP status, a JSON body (a problem document for 4xx/5xx) and extra headers."""

    status: int
    body: dict[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)


def _problem(status: int, code: Code, detail: str) -> IdAnswer:
    return IdAnswer(status, problem_document(status, code, detail))


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
    """``check(body, client=...) -> IdAnswer`` for ``POST /id-check``; thread-safe, bounded work."""

    def __init__(self, *, gate: WorkGate | None = None, rate: RateLimit | None = None) -> None:
        self.gate = gate or WorkGate("ID check", active=1, waiting=4, wait=5.0)
        self.rate = rate or RateLimit("ID check", per_minute=10, burst=5)

    def check(self, raw: bytes, *, media_type: str = "application/json", client: str = "") -> IdAnswer:
        if media_type != "application/json":
            return _problem(415, Code.MALFORMED_VALUE_ERROR, "请以 JSON 提交 / send application/json")
        try:
            body = jsonstrict.loads(raw, max_bytes=MAX_BODY, max_depth=8)
        except SkillcredError as err:
            return _problem(
                400, err.code, "请求内容不是可接受的 JSON / the body is not acceptable JSON (strict, small, shallow)"
            )
        if not isinstance(body, Mapping):
            return _problem(400, Code.MALFORMED_VALUE_ERROR, "请求内容须为 JSON 对象 / the body must be a JSON object")
        number = body.get("idNumber")
        if not isinstance(number, str) or not 0 < len(number) <= MAX_NUMBER_CHARS:
            return _problem(400, Code.MALFORMED_VALUE_ERROR, INVALID_NUMBER)
        number = _as_typed(number)
        if not number:
            return _problem(400, Code.MALFORMED_VALUE_ERROR, INVALID_NUMBER)
        identity = _identity_hash(body)
        if identity is None:
            return _problem(
                400,
                Code.MALFORMED_VALUE_ERROR,
                "缺少身份证哈希（identityHash） / send identityHash (or a credential whose subject has one)",
            )
        try:
            check_parameters(identity)
        except SkillcredError as err:  # about the credential's identityHash, never about the number
            return _problem(422 if err.code is Code.RESOURCE_LIMIT_EXCEEDED else 400, err.code, err.detail[:300])
        try:
            self.rate.take(client)
            same = self.gate.run(lambda: matches(identity, number))
        except Busy as err:
            return IdAnswer(
                err.status, _problem(err.status, err.code, err.detail).body, {"Retry-After": err.retry_after}
            )
        except SkillcredError as err:
            if err.pointer.startswith("/idNumber"):
                return _problem(400, Code.MALFORMED_VALUE_ERROR, INVALID_NUMBER)
            return _problem(422 if err.code is Code.RESOURCE_LIMIT_EXCEEDED else 400, err.code, err.detail[:300])
        return IdAnswer(200, {"match": same})
