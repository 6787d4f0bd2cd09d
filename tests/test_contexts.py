"""The pinned contexts: byte-for-byte copies of ../shared/contexts, checked against their SHA-256 when
loaded; skillcred's own context is protected, has no @vocab, and every term has zh/en labels."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import contexts
from tests.support import SHARED

W3C = [c for c in contexts.INDEX if c.url != contexts.SKILLCRED_V1]


@pytest.mark.parametrize("entry", W3C, ids=[c.file for c in W3C])
def test_shipped_context_is_a_byte_for_byte_copy_with_its_published_digest(entry: contexts.PinnedContext) -> None:
    shared = (SHARED / "contexts" / entry.file).read_bytes()
    assert contexts.raw_bytes(entry.url) == shared
    assert hashlib.sha256(shared).hexdigest() == entry.sha256


def test_a_context_file_that_does_not_match_its_digest_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = contexts.PinnedContext("https://example.test/ctx", "credentials-v2.jsonld", "00" * 32)
    monkeypatch.setattr(contexts, "_BY_URL", {fake.url: fake})
    contexts.raw_bytes.cache_clear()
    try:
        with pytest.raises(contexts.ContextIntegrityError, match=r"^credentials-v2\.jsonld: sha256"):
            contexts.raw_bytes(fake.url)
    finally:
        contexts.raw_bytes.cache_clear()


def test_unknown_urls_are_not_served() -> None:
    with pytest.raises(KeyError, match=r"^'https://evil\.example/ctx'"):
        contexts.raw_bytes("https://evil.example/ctx")
    assert contexts.pinned("https://evil.example/ctx") is None


def test_test_only_contexts_are_not_on_the_production_allow_list() -> None:
    assert "https://www.w3.org/ns/credentials/examples/v2" not in contexts.urls()
    assert "https://www.w3.org/ns/credentials/examples/v2" in contexts.urls(include_test_only=True)


def test_skillcred_context_is_protected_and_has_no_vocab() -> None:
    ctx = contexts.load(contexts.SKILLCRED_V1)["@context"]
    assert ctx["@protected"] is True
    assert "@vocab" not in ctx
    iris = [v if isinstance(v, str) else v["@id"] for k, v in ctx.items() if not k.startswith("@")]
    assert all(i.startswith("https://w3id.org/skillcred/vocab#") or i.startswith("@") for i in iris)


def test_every_skillcred_term_has_bilingual_labels() -> None:
    ctx = contexts.load(contexts.SKILLCRED_V1)["@context"]
    vocab = contexts.vocabulary()
    text = json.dumps(vocab, ensure_ascii=False)
    terms = [k for k in ctx if not k.startswith("@") and k not in ("id", "type")]
    missing = [t for t in terms if f'"{t}"' not in text]
    assert not missing, missing
