"""N-Quads text for RDFC-1.0: the canonical serializer and a strict parser, in pyld's dataset shape.

Pure Python, standard library only. Contract:

* :func:`serialize_nquad` / :func:`serialize_nquads` write the canonical form of N-Quads (RDF
  Dataset Canonicalization, section 5 "Serialization" and appendix A "A Canonical form of
  N-Quads"): one quad per line, each ending ``\\n``; literals escaped exactly as appendix A
  requires; an IRI, blank node label or language tag that would break the line structure is a
  :class:`ParseError`.
* :func:`parse_nquads` is a strict RDF 1.1 N-Quads parser (https://www.w3.org/TR/n-quads/,
  section 5 "Grammar"); pyld's does not decode ``\\u``/``\\U`` escapes, ``\\b``, ``\\f`` or
  ``\\'``, and its unescaping of ``\\\\n`` is wrong.

Datasets use the shape pyld uses internally, described in :mod:`vccore.canon.rdfc` (graph name -> list
of quads, each term a dict with ``'type'`` and ``'value'``). The term helpers here (``iri_term``,
``literal_term``, ``bnode_label``, the escape tables) are shared with :mod:`vccore.canon.rdfc`, whose
internal quads are serialized the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from vccore.errors import ParseError

__all__ = [
    "RDF_LANGSTRING",
    "XSD_STRING",
    "Dataset",
    "DatasetLike",
    "Quad",
    "Term",
    "parse_nquads",
    "serialize_nquad",
    "serialize_nquads",
]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: One RDF term in pyld's shape.
Term = dict[str, str]
#: One quad in pyld's shape (the graph name is the key of the list the quad is in).
Quad = dict[str, Term]
#: A dataset as produced by :func:`parse_nquads` and pyld's ``to_rdf``.
Dataset = dict[str, list[Quad]]
#: What the canonicalization functions accept (read only).
DatasetLike = Mapping[str, Sequence[Mapping[str, Mapping[str, Any]]]]

DEFAULT_GRAPH = "@default"


# --------------------------------------------------------------------------------------------
# Canonical N-Quads (section 5 and appendix A, "A Canonical form of N-Quads")
# --------------------------------------------------------------------------------------------

# Literals: the seven characters with a short escape (ECHAR) use it; every other character in
# U+0000..U+001F and U+007F is written as \\uXXXX with upper-case hex digits; nothing else is
# escaped (test060).
ESCAPES: dict[int, str] = {c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]}
ESCAPES.update(
    {
        0x08: "\\b",
        0x09: "\\t",
        0x0A: "\\n",
        0x0C: "\\f",
        0x0D: "\\r",
        0x22: '\\"',
        0x5C: "\\\\",
    }
)
NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f]')

# Characters that may not appear in an IRIREF (N-Quads 1.1 grammar, production [10]); an IRI
# holding one would break the line structure of the canonical form, so it is refused.
BAD_IRI_CHAR = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGTAG = re.compile(r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")


def _escape_literal(value: str) -> str:
    if NEEDS_ESCAPE.search(value) is None:
        return value
    return value.translate(ESCAPES)


def iri_term(value: Any) -> str:
    if not isinstance(value, str) or not value or BAD_IRI_CHAR.search(value) is not None:
        raise ParseError(f"not a valid IRI for N-Quads: {value!r}")
    return "<" + value + ">"


def literal_term(term: Mapping[str, Any]) -> str:
    value = term.get("value")
    if not isinstance(value, str):
        raise ParseError(f"literal value is not a string: {value!r}")
    out = '"' + _escape_literal(value) + '"'
    language = term.get("language")
    datatype = term.get("datatype")
    if language:
        if not isinstance(language, str) or _LANGTAG.fullmatch(language) is None:
            raise ParseError(f"not a valid language tag: {language!r}")
        if datatype not in (None, RDF_LANGSTRING):
            raise ParseError(f"a literal with a language tag has datatype {datatype!r}")
        return out + "@" + language
    if datatype is None or datatype == XSD_STRING:
        return out
    if datatype == RDF_LANGSTRING:
        raise ParseError("an rdf:langString literal has no language tag")
    return out + "^^" + iri_term(datatype)


def bnode_label(value: Any) -> str:
    if (
        not isinstance(value, str)
        or not value.startswith("_:")
        or len(value) < 3
        or BAD_IRI_CHAR.search(value) is not None
    ):
        raise ParseError(f"not a valid blank node identifier: {value!r}")
    return value


def _term(term: Mapping[str, Any], position: str) -> tuple[str, bool]:
    """Serialize one term: (N-Quads text, False) or (blank node label, True)."""
    kind = term.get("type")
    if kind == "IRI":
        return iri_term(term.get("value")), False
    if kind == "blank node":
        if position == "p":
            raise ParseError("a blank node cannot be a predicate")
        return bnode_label(term.get("value")), True
    if kind == "literal" and position == "o":
        return literal_term(term), False
    raise ParseError(f"unexpected term type {kind!r} in position {position!r}")


def serialize_nquad(quad: Mapping[str, Mapping[str, Any]], graph_name: str | None = None) -> str:
    """One quad as a canonical N-Quads line (appendix A), ending ``\\n``.

    ``graph_name`` is ``None`` or ``'@default'`` for the default graph, else an IRI or a blank node
    label (``'_:x'``). Blank node labels are written as they are.
    """
    s, _ = _term(quad["subject"], "s")
    p, _ = _term(quad["predicate"], "p")
    o, _ = _term(quad["object"], "o")
    if graph_name is None or graph_name == DEFAULT_GRAPH:
        return f"{s} {p} {o} .\n"
    g = bnode_label(graph_name) if graph_name.startswith("_:") else iri_term(graph_name)
    return f"{s} {p} {o} {g} .\n"


def serialize_nquads(dataset: DatasetLike) -> str:
    """The dataset as an N-Quads document: distinct lines in code point order, blank node labels kept."""
    lines = {serialize_nquad(q, name) for name, quads in dataset.items() for q in quads}
    return "".join(sorted(lines))


# --------------------------------------------------------------------------------------------
# N-Quads parser (RDF 1.1 N-Quads, https://www.w3.org/TR/n-quads/, section 5 "Grammar")
# --------------------------------------------------------------------------------------------

_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_:"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_IRIREF = r'<((?:[^\x00-\x20<>"{}|^`\\]|' + _UCHAR + r")*)>"
_BLANK = r"(_:[" + _PN_CHARS_U + r"0-9](?:[" + _PN_CHARS + r".]*[" + _PN_CHARS + r"])?)"
_STRING = r'"((?:[^"\\\n\r]|\\[tbnrf"\'\\]|' + _UCHAR + r')*)"'
_LANG = r"@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*)"
_WS = r"[ \t]*"
_STATEMENT = re.compile(
    _WS
    + "(?:"
    + _IRIREF
    + "|"
    + _BLANK
    + ")"  # subject: 1, 2
    + _WS
    + _IRIREF  # predicate: 3
    + _WS
    + "(?:"
    + _IRIREF
    + "|"
    + _BLANK  # object: 4, 5
    + "|"
    + _STRING
    + "(?:"
    + _WS
    + r"\^\^"
    + _WS
    + _IRIREF
    + "|"
    + _LANG
    + ")?)"  # 6, 7, 8
    + _WS
    + "(?:(?:"
    + _IRIREF
    + "|"
    + _BLANK
    + ")"
    + _WS
    + ")?"  # graph label: 9, 10
    + r"\."
    + _WS
    + "(?:#.*)?"
)
_BLANK_OR_COMMENT = re.compile(_WS + "(?:#.*)?")
_EOL = re.compile(r"\r\n?|\n")
_ESCAPE_SEQUENCE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def _unescape_match(match: re.Match[str]) -> str:
    hex_digits = match.group(1) or match.group(2)
    if hex_digits is None:
        return _ECHAR[match.group(3)]
    code = int(hex_digits, 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise ValueError(f"\\u escape of a non-character U+{code:04X}")
    return chr(code)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPE_SEQUENCE.sub(_unescape_match, text)


def _parse_iri(text: str) -> str:
    value = _unescape(text)
    if _SCHEME.match(value) is None:
        raise ValueError(f"relative IRI <{value}>")
    if BAD_IRI_CHAR.search(value) is not None:
        raise ValueError(f"an escape in <{text}> gives a character not allowed in an IRI")
    return value


def parse_nquads(text: str) -> Dataset:
    """Parse an N-Quads document strictly into pyld's dataset shape.

    Follows the RDF 1.1 N-Quads grammar: absolute IRIs only, ``\\u``/``\\U`` escapes decoded
    (a surrogate or out-of-range code point is an error), the eight ECHAR escapes in strings,
    one statement per line, ``#`` comments. Literals always get a ``datatype``
    (``xsd:string`` or ``rdf:langString`` when not given). Duplicate quads are dropped. Raises
    :class:`ParseError` naming the line of the first error.
    """
    dataset: Dataset = {}
    seen: set[tuple[str, ...]] = set()
    for number, line in enumerate(_EOL.split(text), start=1):
        match = _STATEMENT.fullmatch(line)
        if match is None:
            if _BLANK_OR_COMMENT.fullmatch(line) is not None:
                continue
            raise ParseError(f"N-Quads line {number}: not a valid statement: {line!r}")
        groups = match.groups()
        try:
            subject: Term = (
                {"type": "IRI", "value": _parse_iri(groups[0])}
                if groups[0] is not None
                else {"type": "blank node", "value": groups[1]}
            )
            predicate: Term = {"type": "IRI", "value": _parse_iri(groups[2])}
            obj: Term
            if groups[3] is not None:
                obj = {"type": "IRI", "value": _parse_iri(groups[3])}
            elif groups[4] is not None:
                obj = {"type": "blank node", "value": groups[4]}
            else:
                obj = {"type": "literal", "value": _unescape(groups[5])}
                if groups[6] is not None:
                    obj["datatype"] = _parse_iri(groups[6])
                elif groups[7] is not None:
                    obj["datatype"] = RDF_LANGSTRING
                    obj["language"] = groups[7]
                else:
                    obj["datatype"] = XSD_STRING
            if groups[8] is not None:
                graph = _parse_iri(groups[8])
            elif groups[9] is not None:
                graph = groups[9]
            else:
                graph = DEFAULT_GRAPH
        except ValueError as exc:
            raise ParseError(f"N-Quads line {number}: {exc}") from None
        key = (
            graph,
            subject["type"],
            subject["value"],
            predicate["value"],
            obj["type"],
            obj["value"],
            obj.get("datatype", ""),
            obj.get("language", ""),
        )
        if key in seen:
            continue
        seen.add(key)
        dataset.setdefault(graph, []).append({"subject": subject, "predicate": predicate, "object": obj})
    return dataset
