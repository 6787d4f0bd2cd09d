"""Operator-pinned contexts and the examples switch (issue 17): a context an operator pins by URL, bytes
and SHA-256 is processed like a shipped one; anything else about it is refused before use."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from tests.support import NOW, sign
from tests.world import EVAL
from vccore.credentials import verify_issued
from vccore.did.resolver import DidResolver
from vccore.errors import Code, SkillcredError
from vccore.jsonld.canonical import rdfc
from vccore.jsonld.loader import EXAMPLES, DocumentLoader, pin_context

URL = "https://contexts.example.org/training/v1"
V2 = "https://www.w3.org/ns/credentials/v2"


def context_bytes(vocab: str = "https://example.org/training#") -> bytes:
    document = {
        "@context": {
            "@protected": True,
            "TrainingCredential": f"{vocab}TrainingCredential",
            "course": f"{vocab}course",
        }
    }
    return json.dumps(document).encode()


def pinned(data: bytes | None = None) -> Any:
    data = data or context_bytes()
    return pin_context(URL, data, hashlib.sha256(data).hexdigest())


def credential() -> dict[str, Any]:
    return {
        "@context": [V2, URL],
        "type": ["VerifiableCredential", "TrainingCredential"],
        "issuer": EVAL.controller,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:trainee", "course": "数控车床操作"},
    }


def test_a_pinned_context_is_used_to_sign_and_verify() -> None:
    loader = DocumentLoader(pinned=[pinned()])
    signed = sign(credential(), EVAL, loader=loader)
    assert verify_issued(signed, loader=loader, now=NOW).verified
    refused = verify_issued(signed, loader=DocumentLoader(), now=NOW)
    assert [p.code for p in refused.problems()] == [Code.CONTEXT_NOT_ALLOWED]


def test_two_documents_pinned_for_one_url_are_never_mixed() -> None:
    """The process-wide context memo tells them apart by digest: the same credential canonicalizes to
    the first vocabulary under one loader and to the second under the other, in either order."""
    first = DocumentLoader(pinned=[pinned()])
    second = DocumentLoader(pinned=[pinned(context_bytes("https://other.example/vocab#"))])
    for _ in range(2):
        assert "https://example.org/training#course" in rdfc(credential(), loader=first)
        assert "https://other.example/vocab#course" in rdfc(credential(), loader=second)


@pytest.mark.parametrize(
    ("url", "data", "digest", "message"),
    [
        (URL, context_bytes(), "0" * 64, "is not the pinned"),
        (URL, context_bytes(), "abc", "64 hex digits"),
        ("ftp://contexts.example.org/x", context_bytes(), None, "not an http"),
        (V2, context_bytes(), None, "ships with skillcred"),
        (URL, b'{"@context": "https://evil.example/ctx"}', None, "term definitions"),
        (URL, b'{"@context": {"@import": "https://evil.example/ctx"}}', None, "self-contained"),
        (
            URL,
            b'{"@context": {"x": {"@id": "https://e.example/x", "@context": ["https://e.example/c"]}}}',
            None,
            "self",
        ),
        (URL, b'{"@context": {"a": 1, "a": 2}}', None, "duplicate"),
        (URL, b"[]", None, "term definitions"),
    ],
)
def test_a_bad_pin_is_refused(url: str, data: bytes, digest: str | None, message: str) -> None:
    with pytest.raises(SkillcredError, match=message) as excinfo:
        pin_context(url, data, digest or hashlib.sha256(data).hexdigest())
    assert excinfo.value.code is Code.CONTEXT_NOT_ALLOWED


def test_the_same_url_pinned_twice_differently_is_refused() -> None:
    loader = DocumentLoader(pinned=[pinned()])
    with pytest.raises(SkillcredError, match="pinned twice"):
        loader.with_pinned([pinned(context_bytes("https://other.example/vocab#"))])
    assert loader.with_pinned([pinned()]).is_allowed(URL)
    with pytest.raises(ValueError, match="one operator context per URL"):
        DocumentLoader(pinned=[pinned(), pinned(context_bytes("https://other.example/vocab#"))])


def test_the_examples_switch_allows_the_w3c_examples_contexts_only() -> None:
    assert not any(DocumentLoader().is_allowed(u) for u in EXAMPLES)
    switched = DocumentLoader(examples=True)
    assert all(switched.is_allowed(u) for u in EXAMPLES)
    assert not switched.is_allowed("https://w3id.org/citizenship/v4rc1")  # a test-only context stays off
    kept = switched.with_resolver(DidResolver())
    assert all(kept.is_allowed(u) for u in EXAMPLES)
