"""Helpers every test may share: where things are, the fixed time tests decide by, invoking a command with a
clock, and the one way a test signs a document or a presentation.

No test reads the wall clock and a fixed date together: a component under test gets :data:`CLOCK` (or a
clock of the test's own) and the test checks its answer against that same clock. What the tests sign and
who signs it (the fictional organisations and people of ../shared/domain/samples.md) is :mod:`tests.world`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner, Result

from vccore.clock import Clock, Runtime, fixed_clock
from vccore.di.proofs import ProofOptions, add_proof
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import KeyPair

#: Where things are: the checkout, the shared standards data beside it, the tests' own data
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
VECTORS = SHARED / "vectors"
DATA = Path(__file__).resolve().parent / "data"

#: The instant the tests live at (a Monday; the shared samples' credentials are all older).
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
CLOCK: Clock = fixed_clock(NOW)

#: The pinned contexts and no DID documents: enough to sign anything and to verify what a did:key signed.
LOADER = DocumentLoader()
#: The verifier's domain that presentations are bound to.
DOMAIN = "employer.example"
CONTEXTS = ("https://www.w3.org/ns/credentials/v2", "https://w3id.org/skillcred/v1")


def sign(
    document: Mapping[str, Any],
    key: KeyPair,
    *,
    created: datetime | None = NOW,
    loader: DocumentLoader = LOADER,
    **proof_options: Any,
) -> dict[str, Any]:
    """``document`` with one more proof by ``key`` (an assertion, unless ``purpose`` says otherwise), made at
    ``created`` (``None``: a proof without a date); the other :class:`ProofOptions` by name."""
    return add_proof(document, signer=key, loader=loader, options=ProofOptions(created=created, **proof_options))


def presentation(
    credentials: Sequence[Mapping[str, Any]],
    holder: KeyPair,
    *,
    challenge: str,
    domain: str = DOMAIN,
    created: datetime | None = NOW - timedelta(minutes=1),
    **proof_options: Any,
) -> dict[str, Any]:
    """A presentation of ``credentials`` by ``holder``, signed for the verifier's ``challenge`` and ``domain``."""
    vp = {
        "@context": list(CONTEXTS),
        "type": ["VerifiablePresentation"],
        "holder": holder.controller,
        "verifiableCredential": copy.deepcopy(list(credentials)),
    }
    return sign(
        vp, holder, purpose="authentication", challenge=challenge, domain=domain, created=created, **proof_options
    )


def _path_to(command: click.Command, group: click.Command, path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    if command is group:
        return path
    if not isinstance(group, click.Group):
        return None
    context = click.Context(group)
    for name in group.list_commands(context):  # the root loads its commands when asked (skillcred.cli.COMMANDS)
        sub = group.get_command(context, name)
        found = None if sub is None else _path_to(command, sub, (*path, name))
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
