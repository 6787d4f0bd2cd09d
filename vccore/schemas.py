"""The JSON Schemas (draft 2020-12) of the skillcred credential kinds, and validation against them.

The schema files ship in ``vccore/data/schemas/<kind>-v1.json`` (shared by the issuer, which validates
before signing, and the verifier, which validates what it is shown); each is self-contained (``$defs``, no
remote ``$ref``), so validating never fetches anything. ``credentialSubject`` refuses unknown fields,
so a typo or an extra personal field fails here before anything is signed. jsonschema is untyped
enough to be kept behind this module (STYLE.md rule 12).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

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
def _validator(type_name: str) -> Draft202012Validator:
    schema = _load(SCHEMA_FILES[type_name])
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


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
    errors = sorted(_validator(type_name).iter_errors(credential),
                    key=lambda e: [str(p) for p in e.absolute_path])
    return [f"/{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in errors]


SCHEMA_BASE = "https://w3id.org/skillcred/schemas/"


def lookup(schema_id: str) -> dict[str, Any] | None:
    """The locally pinned schema a ``credentialSchema.id`` names, or None when it is not ours."""
    if not isinstance(schema_id, str) or not schema_id.startswith(SCHEMA_BASE):
        return None
    file = schema_id[len(SCHEMA_BASE):]
    if file not in SCHEMA_FILES.values():
        return None
    loaded: dict[str, Any] = json.loads(json.dumps(_load(file)))
    return loaded


def validate_against(schema: Mapping[str, Any], document: Any) -> list[str]:
    """Problems of ``document`` against ``schema`` (a pinned skillcred schema), as ``/pointer: message``."""
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    out = []
    for err in sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        pointer = "/" + "/".join(str(p) for p in err.absolute_path)
        out.append(f"{pointer}: {err.message}")
    return out
