"""RDFC-1.0 canonicalization (vccore.canon.rdfc) against the W3C rdf-canon test suite, plus the parser,
the serializer and the work budget."""

from __future__ import annotations

import json
import math
import random
import time
from itertools import permutations
from typing import Any

import pytest
from pyld import jsonld

from tests.support import VECTORS
from vccore.canon import nquads, rdfc
from vccore.canon._permutations import orderings
from vccore.errors import Code, ParseError, ResourceLimitError

# The repo is <root>/main (or wherever CI clones it); the shared vectors live beside it.
RDFC_VECTORS = VECTORS / "rdf-canon" / "tests"
MANIFEST = RDFC_VECTORS / "manifest.jsonld"


def _entries() -> list[dict[str, Any]]:
    if not MANIFEST.is_file():
        return []
    entries: list[dict[str, Any]] = json.loads(MANIFEST.read_text(encoding="utf-8"))["entries"]
    return entries


ENTRIES = _entries()
EVAL = [e for e in ENTRIES if e["type"] == "rdfc:RDFC10EvalTest"]
MAP = [e for e in ENTRIES if e["type"] == "rdfc:RDFC10MapTest"]
NEGATIVE = [e for e in ENTRIES if e["type"] == "rdfc:RDFC10NegativeEvalTest"]


def _id(entry: dict[str, Any]) -> str:
    return str(entry["id"]).lstrip("#")


def _read(relative: str) -> str:
    # bytes, so that no newline translation hides a difference
    return (RDFC_VECTORS / relative).read_bytes().decode("utf-8")


def _algorithm(entry: dict[str, Any]) -> str:
    return str(entry.get("hashAlgorithm", "SHA256"))


def _dataset(name: str) -> nquads.Dataset:
    return nquads.parse_nquads(_read(f"rdfc10/{name}-in.nq"))


# --- the W3C suite -------------------------------------------------------------------------------


def test_manifest_present_and_complete() -> None:
    assert MANIFEST.is_file(), f"rdf-canon vectors not found at {RDFC_VECTORS}"
    assert len(EVAL) == 64
    assert len(MAP) == 21
    assert [_id(e) for e in NEGATIVE] == ["test074c"]
    assert {_id(e) for e in EVAL} >= {"test044c", "test045c", "test046c", "test060c", "test075c"}


@pytest.mark.parametrize("entry", EVAL, ids=_id)
def test_eval(entry: dict[str, Any]) -> None:
    dataset = nquads.parse_nquads(_read(entry["action"]))
    result = rdfc.canonicalize(dataset, hash_algorithm=_algorithm(entry))
    assert result.encode("utf-8") == (RDFC_VECTORS / entry["result"]).read_bytes()


@pytest.mark.parametrize("entry", MAP, ids=_id)
def test_map(entry: dict[str, Any]) -> None:
    dataset = nquads.parse_nquads(_read(entry["action"]))
    expected = json.loads(_read(entry["result"]))
    assert rdfc.canonical_issuer_map(dataset, hash_algorithm=_algorithm(entry)) == expected


@pytest.mark.parametrize("entry", NEGATIVE, ids=_id)
def test_negative_poison_refused_quickly(entry: dict[str, Any]) -> None:
    dataset = nquads.parse_nquads(_read(entry["action"]))
    start = time.perf_counter()
    with pytest.raises(ResourceLimitError) as caught:
        rdfc.canonicalize(dataset)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"took {elapsed:.3f} s to refuse"
    assert caught.value.code is Code.RESOURCE_LIMIT_EXCEEDED


@pytest.mark.parametrize("name", ["test044", "test045", "test046"])
def test_high_complexity_tests_pass_with_the_default_budget(name: str) -> None:
    expected = _read(f"rdfc10/{name}-rdfc10.nq")
    assert rdfc.canonicalize(_dataset(name)) == expected
    # ... and with factor 0 (no deep inspection) they are refused
    with pytest.raises(ResourceLimitError, match=r"^RESOURCE_LIMIT_EXCEEDED: RDFC-1\.0 work budget exhausted \(0 Hash"):
        rdfc.canonicalize(_dataset(name), max_work_factor=0)


def test_test060_escapes() -> None:
    out = rdfc.canonicalize(_dataset("test060"))
    assert ('"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000B\\f\\r\\u000E\\u000F"') in out
    assert '"pqrstuvwxyz{|}~\\u007F"' in out
    assert "<urn:ex:\u221e>" in out  # IRIs are never escaped
    assert '"\\t\\b\\n\\r\\f\\"\'\\\\"' in out  # \' is written as a plain '


def test_sha384_is_selectable() -> None:
    dataset = _dataset("test075")
    sha384 = rdfc.canonicalize(dataset, hash_algorithm="sha384")
    assert rdfc.canonicalize(dataset, hash_algorithm="SHA-384") == sha384
    assert sha384 == _read("rdfc10/test075-rdfc10.nq")
    assert rdfc.canonical_issuer_map(dataset, hash_algorithm="sha256") != rdfc.canonical_issuer_map(
        dataset, hash_algorithm="sha384"
    )
    with pytest.raises(ValueError, match=r"^unsupported RDFC-1\.0 hash algorithm 'md5'"):
        rdfc.canonicalize(dataset, hash_algorithm="md5")


@pytest.mark.parametrize("name", ["test020", "test023", "test044", "test054", "test059", "test073"])
def test_invariant_under_relabelling_and_reordering(name: str) -> None:
    text = _read(f"rdfc10/{name}-in.nq")
    expected = rdfc.canonicalize(nquads.parse_nquads(text))
    labels = sorted({w for w in text.split() if w.startswith("_:")}, key=len, reverse=True)
    rng = random.Random(7)
    for _ in range(5):
        lines = [line for line in text.splitlines() if line]
        rng.shuffle(lines)
        fresh = [f"_:x{i}" for i in range(len(labels))]
        rng.shuffle(fresh)
        renamed = []
        for line in lines:
            words = line.split(" ")
            renamed.append(" ".join(fresh[labels.index(w)] if w in labels else w for w in words))
        assert rdfc.canonicalize(nquads.parse_nquads("\n".join(renamed) + "\n")) == expected


# --- the work budget -----------------------------------------------------------------------------


def test_budget_parameters() -> None:
    dataset = _dataset("test021")  # two look-alike blank nodes
    assert rdfc.canonicalize(dataset) == _read("rdfc10/test021-rdfc10.nq")
    with pytest.raises(ResourceLimitError, match=r"^RESOURCE_LIMIT_EXCEEDED: RDFC-1\.0 work budget exhausted \(0 Hash"):
        rdfc.canonicalize(dataset, max_work_factor=0)
    with pytest.raises(ResourceLimitError, match=r"^RESOURCE_LIMIT_EXCEEDED: RDFC-1\.0 work budget exhausted \(3 Hash"):
        rdfc.canonicalize(dataset, max_deep_iterations=3)
    assert rdfc.canonicalize(dataset, max_deep_iterations=4) == _read("rdfc10/test021-rdfc10.nq")
    # a poison graph is canonicalized when the caller explicitly allows it
    poison = _dataset("test074")
    with pytest.raises(
        ResourceLimitError, match=r"^RESOURCE_LIMIT_EXCEEDED: RDFC-1\.0 work budget exhausted \(4000 Hash"
    ):
        rdfc.canonicalize(poison, max_work_factor=2)  # 4 * 10**3 calls are not enough either


def test_unique_first_degree_hashes_need_no_budget() -> None:
    dataset = _dataset("test004")
    assert rdfc.canonicalize(dataset, max_work_factor=0) == _read("rdfc10/test004-rdfc10.nq")


def test_long_chain_of_lookalike_nodes_is_refused_not_a_recursion_error() -> None:
    n = 400
    ring = "".join(f"_:n{i} <urn:p> _:n{(i + 1) % n} .\n" for i in range(n))
    start = time.perf_counter()
    with pytest.raises(ResourceLimitError, match=r"^RESOURCE_LIMIT_EXCEEDED: RDFC-1\.0 recursion deeper than 300; the"):
        rdfc.canonicalize(nquads.parse_nquads(ring))
    assert time.perf_counter() - start < 1.0


def test_small_ring_is_canonicalized() -> None:
    ring = "".join(f"_:n{i} <urn:p> _:n{(i + 1) % 20} .\n" for i in range(20))
    out = rdfc.canonicalize(nquads.parse_nquads(ring))
    assert out.count("\n") == 20
    assert {f"_:c14n{i}" for i in range(20)} == {line.split()[0] for line in out.splitlines()}


def test_repeated_related_node_across_graphs_is_cheap() -> None:
    # _:a and _:b look alike; each relates to _:r in 12 named graphs, so the related-node list
    # holds _:r 12 times. Only distinct permutations are tried (not 12! of them).
    nq = "_:a <urn:p> <urn:x> .\n_:b <urn:p> <urn:x> .\n" + "".join(
        f"_:a <urn:q> _:r <urn:g{i}> .\n_:b <urn:q> _:r <urn:g{i}> .\n" for i in range(12)
    )
    start = time.perf_counter()
    out = rdfc.canonicalize(nquads.parse_nquads(nq))
    assert time.perf_counter() - start < 0.5
    assert out.count("\n") == 26


def test_permutation_orders() -> None:
    for n in range(1, 7):
        items = [f"_:e{i}" for i in range(n)]
        produced = [tuple(p) for p in orderings(items)]
        assert len(produced) == math.factorial(n) == len(set(produced))
    # Steinhaus-Johnson-Trotter from the sorted list
    assert list(orderings(["c", "a", "b"])) == [
        ["a", "b", "c"],
        ["a", "c", "b"],
        ["c", "a", "b"],
        ["c", "b", "a"],
        ["b", "c", "a"],
        ["b", "a", "c"],
    ]
    multiset = ["a", "b", "a", "c", "b"]
    produced = [tuple(p) for p in orderings(multiset)]
    assert len(produced) == len(set(produced)) == 30
    assert set(produced) == set(permutations(multiset))
    assert list(orderings(["x", "x", "x"])) == [["x", "x", "x"]]


# --- pyld datasets -------------------------------------------------------------------------------

CONTEXT = {
    "@vocab": "https://example.org/vocab#",
    "id": "@id",
    "type": "@type",
    "validFrom": {
        "@id": "https://www.w3.org/2018/credentials#validFrom",
        "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
    },
}
CREDENTIAL = {
    "@context": CONTEXT,
    "id": "urn:uuid:5f0e3c1a",
    "type": ["VerifiableCredential", "SkillCredential"],
    "issuer": {"id": "did:example:issuer", "name": "职业技能鉴定中心"},
    "validFrom": "2024-01-01T00:00:00Z",
    "credentialSubject": {
        "id": "did:example:holder",
        "name": "张三",
        "note": 'tab\there, bell\u0007, quote " and backslash \\',
        "achievement": {
            "type": "Achievement",
            "name": {"@value": "Electrician", "@language": "en"},
            "level": 3,
            "criteria": {"narrative": "passed"},
            "alignment": [{"targetCode": "6-31-01-03"}, {"targetCode": "6-31-01-04"}],
        },
    },
    "tags": {"@list": ["a", "b", "a"]},
}


def test_pyld_dataset_matches_pyld_normalize() -> None:
    dataset = jsonld.to_rdf(CREDENTIAL, {})
    ours = rdfc.canonicalize(dataset)
    theirs = jsonld.normalize(CREDENTIAL, {"algorithm": "URDNA2015", "format": "application/n-quads"})
    # pyld escapes only \t \n \r " \\ in literals; RDFC-1.0 also escapes U+0007 as \u0007.
    assert ours == theirs.replace("\u0007", "\\u0007")
    assert "\\u0007" in ours
    # a pyld dataset and its N-Quads form give the same result
    assert rdfc.canonicalize(nquads.parse_nquads(nquads.serialize_nquads(dataset))) == ours


def test_pyld_name_entry_is_ignored() -> None:
    dataset = jsonld.to_rdf(CREDENTIAL, {})
    expected = rdfc.canonicalize(dataset)
    for quads in dataset.values():
        for quad in quads:
            quad["name"] = {"type": "IRI", "value": "urn:ignored"}
    assert rdfc.canonicalize(dataset) == expected


def test_named_graphs_and_blank_node_graph_names() -> None:
    nq = '_:g <urn:p> _:s _:g .\n_:s <urn:p> "x"@en-GB <urn:graph> .\n<urn:s> <urn:p> "1"^^<urn:dt> .\n'
    out, issued = rdfc.canonicalize_with_map(nquads.parse_nquads(nq))
    assert set(issued) == {"g", "s"}
    assert sorted(issued.values()) == ["c14n0", "c14n1"]
    for line in out.splitlines():
        assert line.endswith(" .")
    assert f'_:{issued["s"]} <urn:p> "x"@en-GB <urn:graph> .\n' in out
    assert f"_:{issued['g']} <urn:p> _:{issued['s']} _:{issued['g']} .\n" in out


def test_duplicate_quads_are_dropped() -> None:
    quad = {
        "subject": {"type": "IRI", "value": "urn:s"},
        "predicate": {"type": "IRI", "value": "urn:p"},
        "object": {"type": "literal", "value": "o", "datatype": "http://www.w3.org/2001/XMLSchema#string"},
    }
    assert rdfc.canonicalize({"@default": [quad, dict(quad)]}) == '<urn:s> <urn:p> "o" .\n'
    assert rdfc.canonicalize({}) == ""


def _quad(s: dict[str, Any], o: dict[str, Any], p: str = "urn:p") -> dict[str, Any]:
    return {"subject": s, "predicate": {"type": "IRI", "value": p}, "object": o}


IRI_S = {"type": "IRI", "value": "urn:s"}


@pytest.mark.parametrize(
    "dataset",
    [
        {"@default": [_quad(IRI_S, {"type": "IRI", "value": "urn:o> <urn:p> <urn:x"})]},  # injection
        {"@default": [_quad(IRI_S, {"type": "IRI", "value": "urn:a b"})]},
        {"@default": [_quad(IRI_S, {"type": "IRI", "value": ""})]},
        {"@default": [_quad(IRI_S, {"type": "literal", "value": 5})]},
        {"@default": [_quad(IRI_S, {"type": "literal", "value": "x", "language": "en US"})]},
        {"@default": [_quad(IRI_S, {"type": "literal", "value": "x", "datatype": nquads.RDF_LANGSTRING})]},
        {"@default": [_quad(IRI_S, {"type": "literal", "value": "x", "datatype": "urn:d>"})]},
        {"@default": [_quad({"type": "literal", "value": "x"}, IRI_S)]},
        {"@default": [_quad({"type": "blank node", "value": "b0"}, IRI_S)]},  # no _: prefix
        {"@default": [_quad(IRI_S, IRI_S) | {"predicate": {"type": "blank node", "value": "_:p"}}]},
        {"@default": [{"subject": IRI_S}]},
        {"urn:g g": [_quad(IRI_S, IRI_S)]},
        {"@default": [_quad(IRI_S, {"type": "literal", "value": "\ud800"})]},
    ],
)
def test_malformed_datasets_raise_parse_error(dataset: Any) -> None:
    with pytest.raises(ParseError, match=r"^PARSING_ERROR:"):
        rdfc.canonicalize(dataset)


# --- N-Quads parser and serializer ---------------------------------------------------------------


def test_parse_shapes_match_pyld() -> None:
    nq = (
        "# a comment\n"
        "\n"
        "<http://a.example/s> <http://a.example/p> _:b0 .\n"
        '_:b0 <http://a.example/p> "v"@en <http://a.example/g> .  # trailing comment\r\n'
        '_:b0 <http://a.example/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> _:g .\n'
        '_:b0 <http://a.example/p> "plain" .\n'
    )
    ours = nquads.parse_nquads(nq)
    theirs = jsonld.parse_nquads(nq.replace("  # trailing comment", "").replace("\r", ""))
    assert ours == theirs


def test_parse_unescapes_everything() -> None:
    nq = (
        '<urn:s> <urn:p> "\\u0041\\U0001F303\\t\\b\\n\\r\\f\\"\\\'\\\\" .\n'
        "<urn:\\u221e> <urn:p> <urn:\\U0001F303> .\n"
        '<urn:s> <urn:p> "a\u2028b\u0085c" .\n'  # not line breaks in N-Quads
    )
    dataset = nquads.parse_nquads(nq)["@default"]
    assert dataset[0]["object"]["value"] == "A\U0001f303\t\b\n\r\f\"'\\"
    assert dataset[1]["subject"]["value"] == "urn:\u221e"
    assert dataset[1]["object"]["value"] == "urn:\U0001f303"
    assert dataset[2]["object"]["value"] == "a\u2028b\u0085c"


def test_parse_accepts_compact_whitespace_and_unicode_labels() -> None:
    dataset = nquads.parse_nquads('_:a.b\u00e9<urn:p>"x"\t.\n_:a <urn:p> _:c.d .')
    assert dataset["@default"][0]["subject"]["value"] == "_:a.b\u00e9"
    assert dataset["@default"][1]["object"]["value"] == "_:c.d"


def test_parse_drops_duplicates() -> None:
    dataset = nquads.parse_nquads('<urn:s> <urn:p> "o" .\n<urn:s> <urn:p> "o" .\n<urn:s> <urn:p> "o"@en .\n')
    assert len(dataset["@default"]) == 2


@pytest.mark.parametrize(
    "text",
    [
        "<urn:s> <urn:p> <urn:o>\n",  # no final dot
        "<urn:s> <urn:p> <urn:o> . <urn:s> <urn:p> <urn:o> .\n",  # two statements on a line
        "<s> <urn:p> <urn:o> .\n",  # relative IRI
        "<urn:s> <urn:p> <urn:o o> .\n",  # space in an IRI
        "<urn:s> <urn:p> <urn:\\u0020> .\n",  # ... also when escaped
        "<urn:s> <urn:p> <urn:\\u003E> .\n",
        '"s" <urn:p> <urn:o> .\n',  # literal subject
        "<urn:s> _:p <urn:o> .\n",  # blank node predicate
        '<urn:s> <urn:p> <urn:o> "g" .\n',  # literal graph name
        '<urn:s> <urn:p> "unterminated .\n',
        '<urn:s> <urn:p> "bad \\x escape" .\n',
        '<urn:s> <urn:p> "\\uD800" .\n',  # surrogate
        '<urn:s> <urn:p> "\\U00110000" .\n',  # beyond Unicode
        '<urn:s> <urn:p> "\\u12" .\n',
        '<urn:s> <urn:p> "x"@1en .\n',
        '<urn:s> <urn:p> "x"^^"y" .\n',
        "<urn:s> <urn:p> _:-a .\n",  # bad blank node label
        "_: <urn:p> <urn:o> .\n",
        "<urn:s> <urn:p> <urn:o> . junk\n",
        "<urn:s> <urn:p> .\n",  # missing object
        '<urn:s> <urn:p> "line\nbreak" .\n',
        "<urn:s>\u00a0<urn:p> <urn:o> .\n",  # only space and tab are white space
    ],
)
def test_parse_rejects_malformed(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        nquads.parse_nquads("<urn:ok> <urn:p> <urn:o> .\n" + text)
    assert caught.value.code is Code.PARSING_ERROR
    assert "line 2" in str(caught.value)


def test_serialize_nquad() -> None:
    quad = {
        "subject": {"type": "blank node", "value": "_:b0"},
        "predicate": {"type": "IRI", "value": "urn:p"},
        "object": {
            "type": "literal",
            "value": 'a"b\\c\nd\re\tf\u0000g\u007fh\u00e9',
            "datatype": "http://www.w3.org/2001/XMLSchema#string",
        },
    }
    assert nquads.serialize_nquad(quad) == '_:b0 <urn:p> "a\\"b\\\\c\\nd\\re\\tf\\u0000g\\u007Fh\u00e9" .\n'
    assert nquads.serialize_nquad(quad, "urn:g").endswith(" <urn:g> .\n")
    assert nquads.serialize_nquad(quad, "_:g").endswith(" _:g .\n")
    assert nquads.serialize_nquad(quad, "@default").endswith('h\u00e9" .\n')
    typed = dict(quad, object={"type": "literal", "value": "1", "datatype": "urn:dt"})
    assert nquads.serialize_nquad(typed) == '_:b0 <urn:p> "1"^^<urn:dt> .\n'
    tagged = dict(
        quad, object={"type": "literal", "value": "x", "datatype": nquads.RDF_LANGSTRING, "language": "zh-Hans"}
    )
    assert nquads.serialize_nquad(tagged) == '_:b0 <urn:p> "x"@zh-Hans .\n'


def test_parse_serialize_round_trip_on_suite_inputs() -> None:
    for path in sorted((RDFC_VECTORS / "rdfc10").glob("*-in.nq")):
        dataset = nquads.parse_nquads(path.read_bytes().decode("utf-8"))
        text = nquads.serialize_nquads(dataset)
        again = nquads.parse_nquads(text)
        assert nquads.serialize_nquads(again) == text, path.name
        assert {g: len(q) for g, q in again.items()} == {g: len(q) for g, q in dataset.items()}
