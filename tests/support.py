"""Helpers every test may share: the fixed time tests decide by, and invoking a command with a clock.

No test reads the wall clock and a fixed date together: a component under test gets :data:`CLOCK` (or a
clock of the test's own) and the test checks its answer against that same clock.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner, Result

from vccore.clock import Clock, Runtime, fixed_clock

#: Where things are: the checkout, the shared standards data beside it, the tests' own data
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
VECTORS = SHARED / "vectors"
DATA = Path(__file__).resolve().parent / "data"

#: The instant the tests live at (a Monday; the shared samples' credentials are all older).
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
CLOCK: Clock = fixed_clock(NOW)


def _path_to(command: click.Command, group: click.Command, path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    if command is group:
        return path
    for name, sub in getattr(group, "commands", {}).items():
        found = _path_to(command, sub, (*path, name))
        if found is not None:
            return found
    return None


def invoke(command: click.Command, args: Sequence[str], *, clock: Clock = CLOCK, **kwargs: Any) -> Result:
    """Run ``command`` as a person does, through the ``skillcred`` root (which translates errors), with
    ``clock`` instead of the wall clock. A command that is not beneath the root (a test's own) runs alone."""
    from skillcred.cli import cli

    path = _path_to(command, cli)
    if path is None:
        return CliRunner().invoke(command, list(args), obj=Runtime(clock=clock), **kwargs)
    return CliRunner().invoke(cli, [*path, *args], obj=Runtime(clock=clock), **kwargs)


# --- sample credentials of every kind (the fictional people of ../shared/domain/samples.md) ----------------

PEOPLE: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "people.json").read_text(encoding="utf-8"))
#: credential type -> (person, index of the credential in people.json)
SAMPLES: dict[str, tuple[str, int]] = {
    "SkillLevelCredential": ("P1", 0),
    "ProfessionalQualificationCredential": ("P4", 0),
    "ProfessionalTitleCredential": ("P6", 0),
    "DegreeCredential": ("P6", 1),
    "TechnicalSchoolDiplomaCredential": ("P5", 0),
}


def fast_hash(id_number: str) -> dict[str, Any]:
    """The identity hash at libsodium's minimum Argon2id cost: for tests only."""
    from vccore.kinds import identity

    return identity.hash_identity(id_number, opslimit=identity.MIN_OPSLIMIT, memlimit=identity.MIN_MEMLIMIT)


def sample_credential(
    type_name: str, *, issuer: str, credential_id: str, subject_did: str | None = None, valid_from: str | None = None
) -> dict[str, Any]:
    """An unsigned, schema-valid credential of ``type_name`` built by the issuer's own builder from the
    sample person's data, issued by ``issuer`` (a DID)."""
    from issuer import kinds

    person_key, index = SAMPLES[type_name]
    person = PEOPLE["people"][person_key]
    cred = person["credentials"][index]
    names = PEOPLE["issuers"][cred["issuer"]]
    data = {"name": person["name"], "idNumber": person["idNumber"]} | dict(cred["input"])
    return kinds.build(
        cred["kind"],
        data,
        issuer=kinds.Issuer(issuer, names["name_zh"], names["name_en"]),
        valid_from=valid_from or cred["validFrom"],
        credential_id=credential_id,
        subject_did=subject_did,
        hasher=fast_hash,
    )
