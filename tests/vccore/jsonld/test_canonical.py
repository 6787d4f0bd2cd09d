"""vccore.jsonld.canonical: RDFC-1.0 of JSON-LD in safe mode, pinned contexts only, contexts processed once.

The fast expansion is checked against pyld itself (the reference) on the W3C vectors, on realistic
credentials and presentations, and on generated documents; the negatives each carry their exact code.
"""

from __future__ import annotations

import copy
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld

from tests.support import DATA, VECTORS
from vccore.canon import rdfc as _rdfc
from vccore.errors import Code, SkillcredError
from vccore.jsonld import canonical
from vccore.jsonld.canonical import cache_info, clear_cache, expand, rdfc, to_dataset
from vccore.jsonld.context_policy import check_contexts
from vccore.jsonld.loader import DocumentLoader

EDDSA = VECTORS / "vc-di-eddsa"
LOADER = DocumentLoader(include_test_contexts=True)
PRODUCTION = DocumentLoader()

V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
EX = "https://www.w3.org/ns/credentials/examples/v2"
SC = "https://w3id.org/skillcred/v1"


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _without_proof(path: Path) -> dict[str, Any]:
    doc = _json(path)
    doc.pop("proof")
    return dict(doc)


def _reference(doc: Any) -> str:
    """pyld's own expansion and RDF deserialization (with the options a correct caller passes),
    canonicalized by vccore.canon.rdfc: pyld's URDNA2015 mislabels blank-node self-loops (see below)."""
    return _rdfc.canonicalize(
        jsonld.to_rdf(copy.deepcopy(doc), {"documentLoader": LOADER, "base": None, "rdfDirection": "i18n-datatype"})
    )


def _plain(doc: Any) -> str:
    """The plain path: pyld end to end."""
    return str(
        jsonld.normalize(
            copy.deepcopy(doc),
            {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": LOADER, "base": None},
        )
    )


def _reference_expand(doc: Any) -> Any:
    return jsonld.expand(copy.deepcopy(doc), {"documentLoader": LOADER, "base": None})


def _credential() -> dict[str, Any]:
    return dict(_json(DATA / "skill_level_credential.json"))


# --- the W3C vectors, byte for byte -----------------------------------------------------------


@pytest.mark.parametrize(
    "document,expected",
    [
        pytest.param(EDDSA / "unsigned.json", EDDSA / "eddsa-rdfc-2022" / "canonDocDataInt.txt", id="alumni-doc"),
        pytest.param(
            EDDSA / "eddsa-rdfc-2022" / "proofConfigDataInt.json",
            EDDSA / "eddsa-rdfc-2022" / "proofCanonDataInt.txt",
            id="alumni-proof-config",
        ),
        pytest.param(
            EDDSA / "employmentAuth.json",
            EDDSA / "eddsa-rdfc-2022" / "employ" / "canonDocDataInt.txt",
            id="employment-doc",
        ),
        pytest.param(
            EDDSA / "eddsa-rdfc-2022" / "employ" / "proofConfigDataInt.json",
            EDDSA / "eddsa-rdfc-2022" / "employ" / "proofCanonDataInt.txt",
            id="employment-proof-config",
        ),
        pytest.param(
            EDDSA / "Ed25519Signature2020" / "proofConfigEdSig.json",
            EDDSA / "Ed25519Signature2020" / "proofCanonEdSig.txt",
            id="ed25519-2020-proof-config",
        ),
    ],
)
def test_vectors_reproduce_byte_for_byte(document: Path, expected: Path) -> None:
    assert rdfc(_json(document), loader=LOADER) == expected.read_text(encoding="utf-8")


def test_employment_vector_is_the_signed_document_without_its_proof() -> None:
    signed = _without_proof(EDDSA / "eddsa-rdfc-2022" / "employ" / "signedDataInt.json")
    expected = (EDDSA / "eddsa-rdfc-2022" / "employ" / "canonDocDataInt.txt").read_text(encoding="utf-8")
    assert rdfc(signed, loader=LOADER) == expected


# --- agreement with pyld ----------------------------------------------------------------------


def _presentation() -> dict[str, Any]:
    return {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": "did:example:holder",
        "verifiableCredential": [_credential(), _without_proof(DATA / "skill_level_credential.json")],
    }


AGREEING: list[Any] = [
    pytest.param(_credential, id="skill-level-credential-with-proof"),
    pytest.param(lambda: _without_proof(DATA / "skill_level_credential.json"), id="skill-level-credential"),
    pytest.param(_presentation, id="presentation-embedding-credentials"),
    pytest.param(
        lambda: {
            "@context": [V2, EX],
            "type": ["VerifiableCredential"],
            "credentialSubject": {"id": "_:x", "knows": {"id": "_:x", "name": "loop"}},
            "issuer": {"id": "_:issuer", "name": "x"},
        },
        id="blank-node-labels",
    ),
    pytest.param(
        lambda: {
            "@context": [V2, SC],
            "type": "VerifiableCredential",
            "credentialSubject": {
                "skillLevelOrder": 3,
                "registered": True,
                "assessmentDate": "2020-01-01",
                "ruleSet": {"b": [1, 2, {"z": None, "a": "x"}], "a": "€"},
            },
        },
        id="typed-literals-and-json",
    ),
    pytest.param(
        lambda: {
            "@context": [V2, SC],
            "type": ["VerifiableCredential"],
            "credentialSubject": [
                {"id": "did:ex:1", "name": "a"},
                {"id": "did:ex:1", "name": "b"},
                {"name": "c", "evaluationOrganization": "did:ex:org"},
            ],
        },
        id="merged-nodes",
    ),
    pytest.param(
        lambda: {
            "@context": [V2],
            "type": ["VerifiableCredential"],
            "proof": [
                {
                    "type": "DataIntegrityProof",
                    "proofPurpose": "authentication",
                    "challenge": "abc",
                    "created": "2020-01-01T00:00:00Z",
                    "domain": "example.com",
                    "previousProof": "urn:uuid:1",
                },
                {"type": "DataIntegrityProof", "id": "urn:uuid:1", "proofPurpose": "assertionMethod"},
            ],
        },
        id="proof-set-in-graphs",
    ),
    pytest.param(
        lambda: {
            "@context": [V2],
            "type": ["VerifiableCredential"],
            "credentialStatus": {
                "id": "https://x.example/1#3",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "message",
                "statusSize": 2,
                "statusMessage": [{"status": "0x0", "message": "ok"}],
                "statusListIndex": "3",
                "statusListCredential": "https://x.example/1",
            },
        },
        id="status-message-scoped-context",
    ),
    pytest.param(
        lambda: {
            "@context": [V2, EX],
            "type": ["VerifiableCredential", "ExampleThing"],
            "credentialSubject": {"score": 4.5, "list": {"@list": [1, "two"]}},
        },
        id="list-and-double-via-pyld",
    ),
    pytest.param(
        lambda: {
            "@context": [V1],
            "type": ["VerifiableCredential"],
            "issuer": "did:ex:1",
            "issuanceDate": "2010-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:ex:2"},
        },
        id="vc-1.1",
    ),
]


@pytest.mark.parametrize("make", AGREEING)
@pytest.mark.parametrize("safe", [True, False])
def test_agrees_with_pyld(make: Any, safe: bool) -> None:
    document = make()
    assert rdfc(document, loader=LOADER, safe=safe) == _reference(document)


@pytest.mark.parametrize("make", AGREEING)
def test_expansion_agrees_with_pyld(make: Any) -> None:
    document = make()
    assert expand(document, loader=LOADER) == _reference_expand(document)


def test_the_benchmark_credential_canonicalizes_with_the_production_loader() -> None:
    document = _credential()
    assert rdfc(document, loader=PRODUCTION) == _reference(document) == _plain(document)
    assert '"二级/技师"' in rdfc(document, loader=PRODUCTION)


# A vocabulary for generated documents: terms of every kind the pinned contexts define (type- and
# property-scoped contexts, @graph containers, @json, @vocab coercion), an undefined term, a compact
# IRI, and values that are relative, keyword-like, floating point or direction-tagged, so that the
# generator reaches the fast path, its exits to pyld, and both kinds of refusal.
_TERMS = [
    "name",
    "description",
    "jobType",
    "skillLevelOrder",
    "assessmentDate",
    "evaluationOrganization",
    "identityHash",
    "grants",
    "ruleSet",
    "validFrom",
    "https://schema.org/knows",
    "undefinedTerm",
    "proof",
    "credentialSubject",
    "credentialStatus",
    "statusPurpose",
    "statusMessage",
    "message",
    "proofPurpose",
    "verificationMethod",
    "created",
    "cryptosuite",
    "previousProof",
    "alumniOf",
    "id",
    "type",
    "verifiableCredential",
    "holder",
    "ex:thing",
    "recognizedFrom",
    "digestSRI",
]
_TYPES = [
    "Organization",
    ["Organization", "Argon2idIdentityHash"],
    "BitstringStatusListEntry",
    "Unknown",
    "DataIntegrityProof",
    "VerifiableCredential",
    "VerifiablePresentation",
    "ExampleAlumniCredential",
    [],
]
_SCALARS = st.one_of(
    st.text(alphabet="ab张 é", max_size=3),
    st.integers(-5, 10**6),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.sampled_from(
        [
            "did:ex:1",
            "_:b1",
            "_:n",
            "relative/iri",
            "2023-06-30",
            "assertionMethod",
            "https://x.example/a b",
            "ex:foo",
            "@foo",
        ]
    ),
    st.fixed_dictionaries(
        {"@value": st.one_of(st.text(alphabet="xy", max_size=2), st.integers(0, 3))},
        optional={
            "@language": st.sampled_from(["en", "zh-Hans", "AR"]),
            "@direction": st.sampled_from(["ltr", "rtl"]),
            "@type": st.sampled_from(["http://www.w3.org/2001/XMLSchema#date", "https://x.example/T"]),
        },
    ),
    st.fixed_dictionaries({"@id": st.sampled_from(["did:ex:1", "_:n", "rel"])}),
)


def _node(children: Any) -> Any:
    return st.fixed_dictionaries(
        {},
        optional={
            "id": st.sampled_from(["did:ex:1", "did:ex:2", "_:n", "urn:uuid:5"]),
            "type": st.sampled_from(_TYPES),
            **{term: children for term in _TERMS},
        },
    )


_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(_node(inner), st.lists(inner, max_size=3)), max_leaves=12)
_CONTEXTS = st.sampled_from([[V2, SC], [V2, EX], [V2, SC, EX], [V2], V2])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=_node(_VALUES), contexts=_CONTEXTS)
def test_generated_documents_agree_with_pyld(body: dict[str, Any], contexts: Any) -> None:
    document = {**body, "@context": contexts}
    try:
        expected: str | None = _reference(document)
    except Exception:  # pyld refuses the document (or fails on it): so must we
        expected = None
    try:
        loose: str | None = rdfc(document, loader=LOADER, safe=False)
    except SkillcredError as err:
        assert err.code in (Code.MALFORMED_VALUE_ERROR, Code.CONTEXT_NOT_ALLOWED), err
        loose = None
    assert loose == expected
    if loose is not None:
        assert expand(document, loader=LOADER, safe=False) == _reference_expand(document)
    try:
        assert rdfc(document, loader=LOADER) == loose
    except SkillcredError as err:  # safe mode refuses only what pyld would silently drop
        assert err.code in (Code.DATA_LOSS_DETECTION_ERROR, Code.MALFORMED_VALUE_ERROR, Code.CONTEXT_NOT_ALLOWED), err


def test_values_differing_only_in_direction() -> None:
    """pyld's node map (compare_values) treats them as duplicates and drops the second; JSON-LD 1.1
    does not. Safe mode refuses; without it the output is pyld's."""
    document = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "name": ["same", {"@value": "same", "@direction": "rtl"}],
    }
    with pytest.raises(SkillcredError) as caught:
        rdfc(document, loader=LOADER)
    assert caught.value.code is Code.DATA_LOSS_DETECTION_ERROR
    assert rdfc(document, loader=LOADER, safe=False) == _reference(document)
    document["@context"] = [V2, EX]
    document["credentialSubject"] = {"score": 1.5}  # the same through pyld's path
    with pytest.raises(SkillcredError) as caught:
        rdfc(document, loader=LOADER)
    assert caught.value.code is Code.DATA_LOSS_DETECTION_ERROR
    assert "@direction" in caught.value.detail


def test_blank_node_self_loops_follow_rdfc_not_pyld() -> None:
    """Found by the generated documents: pyld's URDNA2015 counts a quad whose subject and object are
    the same blank node twice in its first-degree hash (RDFC-1.0 section 4.6.3), so it labels such
    datasets differently from RDFC-1.0; pyoxigraph's RDFC-1.0 agrees with vccore.canon.rdfc."""
    knows = "https://schema.org/knows"
    document = {
        "@context": [V2, SC],
        "type": ["VerifiableCredential", "SkillLevelCredential"],
        "issuer": "did:ex:issuer",
        "credentialSubject": {"id": "_:n", knows: {"id": "_:n", knows: ""}},
    }
    ours = rdfc(document, loader=LOADER)
    dataset = ox.Dataset(ox.parse(_plain(document).encode(), format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    assert ours == "".join(sorted(f"{quad} .\n" for quad in dataset))
    assert ours != _plain(document)


# --- rdfDirection i18n-datatype (JSON-LD 1.1 API section 8.1.2 step 13) -------------------------


def test_direction_becomes_an_i18n_datatype() -> None:
    document = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "id": "urn:uuid:1",
        "name": {"@value": "مرحبا", "@language": "AR", "@direction": "rtl"},
        "description": {"@value": "left", "@direction": "ltr"},
    }
    out = rdfc(document, loader=LOADER)
    i18n = "https://www.w3.org/ns/i18n#"
    assert f'<urn:uuid:1> <https://schema.org/name> "مرحبا"^^<{i18n}ar_rtl> .\n' in out
    assert f'<urn:uuid:1> <https://schema.org/description> "left"^^<{i18n}_ltr> .\n' in out
    assert out == _reference(document)


def test_language_values_keep_their_tags() -> None:
    out = rdfc(_credential(), loader=LOADER)
    assert '<https://schema.org/name> "职业技能等级证书"@zh .\n' in out


def test_json_literals_are_jcs() -> None:
    document = {
        "@context": [V2, SC],
        "type": ["VerifiableCredential"],
        "id": "urn:uuid:1",
        "credentialSubject": {"id": "did:ex:1", "ruleSet": {"b": 1, "a": [True, None, "€"]}},
    }
    out = rdfc(document, loader=LOADER)
    literal = '"{\\"a\\":[true,null,\\"€\\"],\\"b\\":1}"'
    assert f"{literal}^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON>" in out


# --- safe mode and the context policy ---------------------------------------------------------


def _vc(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": [V2, SC],
        "type": ["VerifiableCredential"],
        "issuer": "did:ex:1",
        "credentialSubject": {"id": "did:ex:2", "jobType": "数控车工"},
    }
    document.update(changes)
    return document


FLOAT = {"skillLevelOrder": 1.5}  # a double sends the document down pyld's path: same checks there

NEGATIVES = [
    pytest.param(
        _vc(credentialSubject={"id": "did:ex:2", "favouriteColour": "red"}),
        Code.DATA_LOSS_DETECTION_ERROR,
        "favouriteColour",
        id="undefined-term",
    ),
    pytest.param(
        _vc(credentialSubject={"id": "did:ex:2", "favouriteColour": "red", **FLOAT}),
        Code.DATA_LOSS_DETECTION_ERROR,
        "favouriteColour",
        id="undefined-term-pyld-path",
    ),
    pytest.param(_vc(id="credentials/1"), Code.DATA_LOSS_DETECTION_ERROR, "credentials/1", id="relative-id"),
    pytest.param(
        _vc(id="credentials/1", credentialSubject=FLOAT),
        Code.DATA_LOSS_DETECTION_ERROR,
        "credentials/1",
        id="relative-id-pyld-path",
    ),
    pytest.param(
        _vc(type=["VerifiableCredential", "MadeUpCredential"]),
        Code.DATA_LOSS_DETECTION_ERROR,
        "MadeUpCredential",
        id="relative-type",
    ),
    pytest.param(
        _vc(type=["VerifiableCredential", "MadeUpCredential"], credentialSubject=FLOAT),
        Code.DATA_LOSS_DETECTION_ERROR,
        "MadeUpCredential",
        id="relative-type-pyld-path",
    ),
    pytest.param(_vc(issuer="issuers/1"), Code.DATA_LOSS_DETECTION_ERROR, "issuers/1", id="relative-id-value"),
    pytest.param(_vc(credentialSubject={"_:p": "x"}), Code.DATA_LOSS_DETECTION_ERROR, "_:p", id="blank-node-predicate"),
    pytest.param(
        _vc(**{"@context": [V2, SC, {"@base": "https://example.com/"}]}),
        Code.DATA_LOSS_DETECTION_ERROR,
        "@base",
        id="base-in-context",
    ),
    pytest.param(_vc(**{"@base": "https://example.com/"}), Code.DATA_LOSS_DETECTION_ERROR, "@base", id="base-in-node"),
    pytest.param(
        _vc(**{"@context": [V2, SC, {"@vocab": "https://evil.example/#"}]}),
        Code.CONTEXT_NOT_ALLOWED,
        "@vocab",
        id="appended-vocab",
    ),
    pytest.param(
        _vc(**{"@context": [V2, SC, {"jobType": "https://evil.example/#job"}]}),
        Code.CONTEXT_NOT_ALLOWED,
        "inline",
        id="inline-term",
    ),
    pytest.param(
        _vc(**{"@context": [V2, "https://evil.example/context.jsonld"]}),
        Code.CONTEXT_NOT_ALLOWED,
        "evil.example",
        id="unknown-context-url",
    ),
    pytest.param(
        _vc(**{"@context": [V2, "did:example:123"]}), Code.CONTEXT_NOT_ALLOWED, "did:example", id="did-as-context"
    ),
    pytest.param(_vc(**{"@context": None}), Code.CONTEXT_NOT_ALLOWED, "URL string", id="null-context"),
    pytest.param(
        _vc(credentialSubject={"@context": [V2], "id": "did:ex:2"}),
        Code.CONTEXT_NOT_ALLOWED,
        "inside",
        id="context-in-subtree",
    ),
    pytest.param(
        _vc(credentialSubject={"@context": {"@vocab": "https://evil.example/#"}, "x": 1}),
        Code.CONTEXT_NOT_ALLOWED,
        "inside",
        id="vocab-in-subtree",
    ),
    pytest.param(
        _vc(credentialSubject={"@context": [V2], "id": "did:ex:2", **FLOAT}),
        Code.CONTEXT_NOT_ALLOWED,
        "inside",
        id="context-in-subtree-pyld-path",
    ),
    pytest.param(
        {
            "@context": [V2],
            "type": "VerifiablePresentation",
            "verifiableCredential": {"@context": ["https://evil.example/"], "type": "VerifiableCredential"},
        },
        Code.CONTEXT_NOT_ALLOWED,
        "evil.example",
        id="embedded-credential-unknown-context",
    ),
    pytest.param(
        {"@context": [V2], "type": "VerifiablePresentation", "verifiableCredential": {"type": "VerifiableCredential"}},
        Code.DATA_LOSS_DETECTION_ERROR,
        "type",
        id="embedded-credential-without-context",
    ),
    pytest.param(_vc(**{"@context": [V2, V1]}), Code.CONTEXT_NOT_ALLOWED, "protected", id="protected-redefinition"),
    pytest.param(
        _vc(credentialSubject={"jobType": {"@value": "x", "@type": "https://t.example/", "@language": "en"}}),
        Code.MALFORMED_VALUE_ERROR,
        "@value",
        id="invalid-value-object",
    ),
]


@pytest.mark.parametrize("document,code,mentions", NEGATIVES)
def test_refusals_carry_their_code(document: dict[str, Any], code: Code, mentions: str) -> None:
    with pytest.raises(SkillcredError) as caught:
        rdfc(document, loader=LOADER)
    assert caught.value.code is code
    assert mentions in caught.value.detail


def test_test_only_contexts_are_refused_by_the_production_loader() -> None:
    with pytest.raises(SkillcredError) as caught:
        rdfc(_json(EDDSA / "unsigned.json"), loader=PRODUCTION)
    assert caught.value.code is Code.CONTEXT_NOT_ALLOWED


def test_without_safe_mode_lossy_data_is_dropped_as_pyld_drops_it() -> None:
    document = _vc(id="credentials/1", credentialSubject={"id": "did:ex:2", "favouriteColour": "red"})
    out = rdfc(document, loader=LOADER, safe=False)
    assert out == _reference(document)
    assert "favouriteColour" not in out and "credentials/1" not in out


def test_deep_nesting_is_a_resource_limit() -> None:
    subject: dict[str, Any] = {"jobType": "x"}
    for _ in range(2000):
        subject = {"evaluationOrganization": subject}
    with pytest.raises(SkillcredError) as caught:
        rdfc(_vc(credentialSubject=subject), loader=LOADER)
    assert caught.value.code is Code.RESOURCE_LIMIT_EXCEEDED


def test_input_is_not_mutated() -> None:
    document = _presentation()
    before = copy.deepcopy(document)
    rdfc(document, loader=LOADER)
    expand(document, loader=LOADER)
    assert document == before


def test_a_loader_is_required() -> None:
    with pytest.raises(TypeError, match="loader"):
        rdfc(_credential(), loader=jsonld.get_document_loader())


def test_dataset_has_the_proof_in_a_blank_named_graph() -> None:
    dataset = to_dataset(_credential(), loader=LOADER)
    graphs = [name for name in dataset if name != "@default"]
    assert len(graphs) == 1 and graphs[0].startswith("_:")
    assert len(dataset[graphs[0]]) == 6


# --- the verifier's first-context policy --------------------------------------------------------


@pytest.mark.parametrize(
    "contexts,first,ok",
    [
        pytest.param([V2, SC], (V2,), True, id="vc-2.0"),
        pytest.param(V2, (V2,), True, id="vc-2.0-as-a-string"),
        pytest.param([V1], (V2,), False, id="vc-1.1-by-default"),
        pytest.param([V1], (V2, V1), True, id="vc-1.1-when-allowed"),
        pytest.param([SC, V2], (V2,), False, id="other-context-first"),
        pytest.param([], (V2,), False, id="empty"),
        pytest.param([V2, "https://evil.example/"], (V2,), False, id="unknown-later"),
    ],
)
def test_check_contexts(contexts: Any, first: tuple[str, ...], ok: bool) -> None:
    document = {"@context": contexts}
    if ok:
        assert check_contexts(document, loader=LOADER, first=first)
    else:
        with pytest.raises(SkillcredError) as caught:
            check_contexts(document, loader=LOADER, first=first)
        assert caught.value.code is Code.CONTEXT_NOT_ALLOWED


def test_check_contexts_needs_a_context() -> None:
    with pytest.raises(SkillcredError) as caught:
        check_contexts({"type": "VerifiableCredential"}, loader=LOADER)
    assert caught.value.code is Code.CONTEXT_NOT_ALLOWED


# --- pinned contexts are processed once per process ---------------------------------------------


def test_second_canonicalization_reuses_processed_contexts(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    original = jsonld.JsonLdProcessor._process_context

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(jsonld.JsonLdProcessor, "_process_context", spy)
    clear_cache()
    first = rdfc(_credential(), loader=LOADER)
    processed, before = len(calls), cache_info()
    assert processed > 0 and before.misses > 0
    second = rdfc(_credential(), loader=LOADER)
    after = cache_info()
    assert second == first
    assert len(calls) == processed  # pyld processed no context the second time
    assert after.misses == before.misses and after.hits > before.hits
    assert after.size <= after.max_size


def test_the_context_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(canonical, "_MAX_MEMO", 3)
    clear_cache()
    assert rdfc(_credential(), loader=LOADER) == _reference(_credential())
    assert cache_info().size <= 3
    monkeypatch.undo()
    clear_cache()


def test_concurrent_canonicalizations_agree() -> None:
    documents = [_credential(), _presentation(), _json(EDDSA / "employmentAuth.json")] * 8
    expected = [rdfc(d, loader=LOADER) for d in documents]
    clear_cache()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda d: rdfc(d, loader=LOADER), documents))
    assert results == expected
