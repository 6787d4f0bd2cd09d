"""The JSON Schemas (draft 2020-12) of the skillcred credential kinds, and validation against them.

The schema files ship in ``vccore/data/schemas/<kind>-v1.json`` (shared by the issuer, which validates
before signing, and the verifier, which validates what it is shown); each is self-contained (``$defs``, no
remote ``$ref``), so validating never fetches anything. ``credentialSubject`` refuses unknown fields,
so a typo or an extra personal field fails here before anything is signed. jsonschema is untyped
enough to be kept behind this module (STYLE.md rule 12).

Two validators, one verdict. A schema is compiled once (cached per schema file) by jsonschema-rs, which
decides whether a document is valid in a few microseconds (``bench/bench_schema.py`` measures it against
fastjsonschema and jsonschema; fastjsonschema knows no draft 2020-12, so it would ignore ``prefixItems``).
Only a document it finds invalid goes to jsonschema (imported then), which lists every problem with its
pointer and message as before; if jsonschema finds none, its verdict stands. So the problems and their
codes are those jsonschema always gave, and a valid document never loads jsonschema at all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from vccore.errors import Code

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

#: credential type -> schema file
SCHEMA_FILES: dict[str, str] = {
    "SkillLevelCredential": "skill-level-v1.json",
    "ProfessionalQualificationCredential": "qualification-v1.json",
    "ProfessionalTitleCredential": "title-v1.json",
    "DegreeCredential": "degree-v1.json",
    "TechnicalSchoolDiplomaCredential": "technical-school-v1.json",
    "RecognitionCredential": "recognition-v1.json",
}


@cache
def _load(file: str) -> Any:
    text = resources.files("vccore").joinpath("data", "schemas", file).read_text(encoding="utf-8")
    return json.loads(text)


def schema_for(type_name: str) -> dict[str, Any]:
    """A copy of the schema for a credential type (``SkillLevelCredential`` ...); KeyError if unknown."""
    loaded: dict[str, Any] = json.loads(json.dumps(_load(SCHEMA_FILES[type_name])))
    return loaded


@cache
def _compiled(file: str) -> Any:
    """The schema ``file`` compiled by jsonschema-rs (formats checked, as jsonschema's FormatChecker does)."""
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(_load(file), validate_formats=True)


def _quickly_valid(file: str, document: Any) -> bool:
    """True when the compiled schema finds ``document`` valid (False: ask jsonschema for the problems)."""
    try:
        return bool(_compiled(file).is_valid(document))
    except (ValueError, TypeError):  # a value jsonschema-rs cannot take (e.g. a float NaN): jsonschema decides
        return False


def _file_problems(file: str, document: Any) -> list[str]:
    """Problems of ``document`` against the schema ``file``, as ``/pointer: message``."""
    if _quickly_valid(file, document):
        return []
    return _messages(_file_validator(file), document)


def _type_of(credential: Mapping[str, Any]) -> str | None:
    types = credential.get("type")
    names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    known = [t for t in names if isinstance(t, str) and t in SCHEMA_FILES]
    return known[0] if len(known) == 1 else None


def validate(credential: Any) -> list[str]:
    """Problems of ``credential`` against the schema its ``type`` names, as ``/pointer: message``.

    An empty list means valid. A credential that is not an object, or whose ``type`` names no
    skillcred kind (or more than one), gets a single message saying so.
    """
    if not isinstance(credential, Mapping):
        return ["/: a credential must be a JSON object"]
    type_name = _type_of(credential)
    if type_name is None:
        return [f"/type: expected exactly one of {', '.join(SCHEMA_FILES)}"]
    return _file_problems(SCHEMA_FILES[type_name], credential)


SCHEMA_BASE = "https://w3id.org/skillcred/schemas/"


def lookup(schema_id: str) -> dict[str, Any] | None:
    """The locally pinned schema a ``credentialSchema.id`` names, or None when it is not ours."""
    if not isinstance(schema_id, str) or not schema_id.startswith(SCHEMA_BASE):
        return None
    file = schema_id[len(SCHEMA_BASE) :]
    if file not in SCHEMA_FILES.values():
        return None
    loaded: dict[str, Any] = json.loads(json.dumps(_load(file)))
    return loaded


def validate_against(schema: Mapping[str, Any], document: Any) -> list[str]:
    """Problems of ``document`` against ``schema`` (a pinned skillcred schema), as ``/pointer: message``."""
    from jsonschema import Draft202012Validator, FormatChecker

    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    return _messages(validator, document)


def _messages(validator: Draft202012Validator, document: Any) -> list[str]:
    out = []
    for err in sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        pointer = "/" + "/".join(str(p) for p in err.absolute_path)
        out.append(f"{pointer}: {err.message}")
    return out


@dataclass(frozen=True)
class SchemaOutcome:
    """What :func:`check_schemas` found: ``(pointer, message)`` per problem, with the code to report."""

    problems: tuple[tuple[Code, str, str], ...]
    checked: tuple[str, ...]
    not_pinned: tuple[str, ...]


def check_schemas(document: Mapping[str, Any]) -> SchemaOutcome:
    """Validate ``document`` (its reading) against the schema of each skillcred type it has, whatever
    it names under ``credentialSchema`` (SECURITY.md verifier item 17: schemas are chosen by type),
    and against any other pinned schema it names. A named schema that is not pinned here is never
    fetched: it is reported in ``not_pinned``; a malformed ``credentialSchema`` entry is a problem."""
    problems: list[tuple[Code, str, str]] = []
    files: dict[str, str] = {}
    types = document.get("type")
    for name in [types] if isinstance(types, str) else types if isinstance(types, list) else []:
        if isinstance(name, str) and name in SCHEMA_FILES:
            files.setdefault(SCHEMA_FILES[name], f"type {name}")
    not_pinned: list[str] = []
    refs = document.get("credentialSchema")
    for i, ref in enumerate([] if refs is None else refs if isinstance(refs, list) else [refs]):
        pointer = f"/credentialSchema/{i}" if isinstance(refs, list) else "/credentialSchema"
        sid = ref.get("id") if isinstance(ref, Mapping) else None
        if not isinstance(sid, str) or not isinstance(ref, Mapping) or not ref.get("type"):
            problems.append((Code.MALFORMED_VALUE_ERROR, "credentialSchema needs an id and a type", pointer))
            continue
        if ref.get("type") != "JsonSchema":  # another kind of schema (issue 17): named, not checked here
            not_pinned.append(sid)
            continue
        file = sid[len(SCHEMA_BASE) :] if sid.startswith(SCHEMA_BASE) else None
        if file is not None and file in SCHEMA_FILES.values():
            files.setdefault(file, pointer)
        else:
            not_pinned.append(sid)
    for file in files:
        for message in _file_problems(file, document):
            pointer, _, text = message.partition(": ")
            problems.append((Code.SCHEMA_VALIDATION_ERROR, f"{SCHEMA_BASE}{file}: {text}", pointer))
    return SchemaOutcome(tuple(problems), tuple(SCHEMA_BASE + f for f in files), tuple(not_pinned))


@cache
def _file_validator(file: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator, FormatChecker

    schema = _load(file)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())
