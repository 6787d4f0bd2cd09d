r"""The compiled schema check (issue 19): jsonschema-rs decides, jsonschema explains. It must never accept
what jsonschema refuses, and the final verdict must be jsonschema's; so every sample credential and
hundreds of mutations of each are checked by both.

The two differ in one place, found here: a pattern ending in ``$`` also matches before a final newline in
Python's ``re`` (jsonschema), not in jsonschema-rs. So jsonschema-rs refuses ``"L2\n"`` where a pattern like
``^\S(.*\S)?$`` is meant to refuse trailing white space; jsonschema then finds no problem and its verdict
(valid) stands, as before this change."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from tests.world import EVAL, SAMPLES, sample_credential
from vccore.kinds import schemas

VALUES: tuple[Any, ...] = ("", "x", "2023-02-30", "2023-06-30", "L2\n", 0, -1, 4.5, True, None, [], {}, ["x"])


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*path, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _paths(inner, (*path, i))


def _mutations(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for path in list(_paths(document))[1:]:
        *head, last = path
        for value in (*VALUES, "__delete__", "__extra__"):
            changed = copy.deepcopy(document)
            parent: Any = changed
            for step in head:
                parent = parent[step]
            if value == "__delete__":
                del parent[last]
            elif value == "__extra__":
                if not isinstance(parent[last], dict):
                    continue
                parent[last]["unexpectedField"] = "x"
            else:
                parent[last] = value
            yield changed


@pytest.mark.parametrize("type_name", sorted(SAMPLES))
def test_the_compiled_check_gives_jsonschemas_verdict_on_every_mutation(type_name: str) -> None:
    file = schemas.SCHEMA_FILES[type_name]
    reference = Draft202012Validator(schemas.schema_for(type_name), format_checker=FormatChecker())
    document = sample_credential(
        type_name, issuer=EVAL.controller, credential_id="urn:uuid:00000000-0000-4000-8000-000000000001"
    )
    assert schemas._quickly_valid(file, document) and reference.is_valid(document)
    seen = {True: 0, False: 0}
    for changed in _mutations(document):
        verdict = reference.is_valid(changed)
        quick = schemas._quickly_valid(file, changed)
        assert not quick or verdict, changed  # never accepts what jsonschema refuses
        assert quick == verdict or "\\n" in repr(changed)  # they differ only on a final newline (see above)
        assert (schemas.validate(changed) == []) == verdict
        seen[verdict] += 1
    assert seen[False] > 100 and seen[True] > 10  # the mutations reach both sides


def test_problems_are_jsonschemas_messages_and_an_invalid_value_it_cannot_take_goes_to_jsonschema() -> None:
    document = sample_credential(
        "SkillLevelCredential", issuer=EVAL.controller, credential_id="urn:uuid:00000000-0000-4000-8000-000000000002"
    )
    del document["credentialSubject"]["credentialForm"]
    document["credentialSubject"]["skillLevel"] = "L9"
    problems = schemas.validate(document)
    reference = Draft202012Validator(schemas.schema_for("SkillLevelCredential"), format_checker=FormatChecker())
    assert problems == [
        f"/{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in sorted(reference.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    ]
    assert problems[0] == "/credentialSubject: 'credentialForm' is a required property" and len(problems) == 2
    document = sample_credential(
        "SkillLevelCredential", issuer=EVAL.controller, credential_id="urn:uuid:00000000-0000-4000-8000-000000000003"
    )
    document["credentialSubject"]["skillLevelOrder"] = float("nan")
    assert schemas.validate(document) != []
