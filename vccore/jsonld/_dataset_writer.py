"""Expanded JSON-LD to an RDF dataset: the fast path of JSON-LD 1.1 API section 8.1.

Contract: :class:`Writer` turns the output of the fast expander (:mod:`vccore.jsonld._expander`) into an
RDF dataset in pyld's shape (graph name -> list of quads), the same dataset pyld's "Deserialize
JSON-LD to RDF Algorithm" (section 8.1) gives after its node map (section 7.2): blank nodes are
relabelled ``_:b0``, ``_:b1``... in pyld's order, ``@json`` literals are JCS-canonical (RFC 8785),
``rdfDirection`` is ``i18n-datatype`` (section 8.1.2 step 13), and a graph container becomes a
named blank graph. IRIs that are not absolute are dropped, as pyld drops them.

Where pyld's node map would differ from JSON-LD 1.1 (values differing only in ``@direction``) it
refuses in safe mode (:class:`DataLossError`) and otherwise raises :class:`Unsupported` so that
pyld itself produces the dataset. Integers of 10**21 or more are also left to pyld.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vccore.canon.jcs import jcs
from vccore.errors import DataLossError
from vccore.jsonld._expander import ABSOLUTE, Unsupported

__all__ = ["Dataset"]

Dataset = dict[str, list[dict[str, Any]]]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
I18N = "https://www.w3.org/ns/i18n#"


class Writer:
    def __init__(self, safe: bool) -> None:
        self.safe = safe
        self.dataset: Dataset = {"@default": []}
        self.labels: dict[str, str] = {}  # the document's blank node labels, relabelled
        self.count = 0
        self.directions: dict[tuple[Any, ...], Any] = {}

    def direction_once(self, graph: list[dict[str, Any]], subject: str, prop: str, item: Mapping[str, Any]) -> None:
        """Values of one property of one node that differ only in ``@direction`` are distinct in
        JSON-LD 1.1 (API section 7.2.2 step 4), but pyld's node map (``compare_values``) merges them
        and drops all but the first: refuse that in safe mode, follow pyld otherwise."""
        value = item["@value"]
        key = (id(graph), subject, prop, value, item.get("@type"), item.get("@language"))
        direction = item.get("@direction")
        if self.directions.setdefault(key, direction) != direction:
            if self.safe:
                raise DataLossError(f"{prop}: values {value!r} differ only in @direction")
            raise Unsupported("@direction")

    def fresh(self) -> str:
        self.count += 1
        return f"_:b{self.count - 1}"

    def blank(self, label: str) -> str:
        found = self.labels.get(label)
        if found is None:
            found = self.labels[label] = self.fresh()
        return found

    def term(self, iri: str) -> dict[str, str] | None:
        if iri.startswith("_:"):
            return {"type": "blank node", "value": self.blank(iri)}
        return {"type": "IRI", "value": iri} if ABSOLUTE(iri) else None

    def node(self, node: Mapping[str, Any], graph: list[dict[str, Any]]) -> dict[str, str] | None:
        id_ = node.get("@id")
        subject = {"type": "blank node", "value": self.fresh()} if id_ is None else self.term(id_)
        for type_ in node.get("@type", ()):
            obj = self.term(type_)
            if subject is not None and obj is not None:
                graph.append({"subject": subject, "predicate": {"type": "IRI", "value": RDF_TYPE}, "object": obj})
        for prop, items in node.items():
            if prop[0] == "@":
                continue
            predicate = {"type": "IRI", "value": prop}
            for item in items:
                obj = self.object(item, graph)
                if subject is not None and obj is not None:
                    graph.append({"subject": subject, "predicate": predicate, "object": obj})
                    if isinstance(item.get("@value"), str):
                        self.direction_once(graph, subject["value"], prop, item)
        return subject

    def object(self, item: Mapping[str, Any], graph: list[dict[str, Any]]) -> dict[str, str] | None:
        """Object to RDF Conversion (JSON-LD 1.1 API section 8.1.2)."""
        if "@value" in item:
            value = item["@value"]
            datatype = item.get("@type")
            if datatype == "@json":
                return {"type": "literal", "value": jcs(value), "datatype": RDF_JSON}
            if isinstance(value, bool):
                return {"type": "literal", "value": "true" if value else "false", "datatype": datatype or XSD_BOOLEAN}
            if isinstance(value, int):
                if abs(value) >= 10**21:
                    raise Unsupported("large integer")
                return {"type": "literal", "value": str(value), "datatype": datatype or XSD_INTEGER}
            if "@direction" in item:  # rdfDirection i18n-datatype (step 13)
                return {
                    "type": "literal",
                    "value": value,
                    "datatype": f"{I18N}{item.get('@language', '')}_{item['@direction']}",
                }
            if "@language" in item:
                return {"type": "literal", "value": value, "datatype": RDF_LANGSTRING, "language": item["@language"]}
            return {"type": "literal", "value": value, "datatype": datatype or XSD_STRING}
        if "@graph" in item:  # a graph object from an @graph container: a named blank graph
            name = self.fresh()
            inner = self.dataset.setdefault(name, [])
            for node in item["@graph"]:
                if "@value" not in node:
                    self.node(node, inner)
            return {"type": "blank node", "value": name}
        if len(item) == 1 and "@id" in item:
            return self.term(item["@id"])
        return self.node(item, graph)
