"""``skillcred keys generate`` and ``skillcred sign``: vccore's signing, at the command line."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path

import click

from vccore.clock import runtime_clock
from vccore.di.cryptosuites import DEFAULT_SUITE, SUITE_NAMES
from vccore.di.proofs import ProofOptions, add_proof
from vccore.did import key as didkey
from vccore.errors import SkillcredError
from vccore.jsonld.loader import DocumentLoader
from vccore.jsonstrict import loads
from vccore.keys import KeyPair
from vccore.timeutil import parse_datetime


def read_json_file(path: str) -> object:
    try:
        data = Path(path).read_bytes() if path != "-" else sys.stdin.buffer.read()
    except OSError as err:
        raise click.ClickException(f"cannot read {path}: {err.strerror}") from err
    try:
        return loads(data)
    except SkillcredError as err:
        raise click.ClickException(f"{path}: {err}") from err


@click.group("keys")
def keys_group() -> None:
    """Ed25519 Multikey key pairs / Ed25519 密钥对."""


@keys_group.command("generate")
@click.option("--seed", help="32-byte seed as 64 hex digits (for tests and reproducible demos only).")
@click.option("--controller", help="Controller DID; default: the key's own did:key.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Key file to write (0600).")
@click.option(
    "--print-did",
    is_flag=True,
    help="输出控制者 DID 而非密钥 id（便于 ROOT=$(…) 赋值）。 Print the controller DID instead of the key id "
    "(for ROOT=$(skillcred keys generate … --print-did)).",
)
def keys_generate(seed: str | None, controller: str | None, out: str, print_did: bool) -> None:
    """Generate a key pair and write it as a Multikey JSON file with its secret; print its key id (or DID)."""
    if seed is not None:
        try:
            raw = bytes.fromhex(seed)
        except ValueError as err:
            raise click.BadParameter("must be 64 hexadecimal digits", param_hint="--seed") from err
        if len(raw) != 32:
            raise click.BadParameter(f"must be 32 bytes (64 hex digits), got {len(raw)} bytes", param_hint="--seed")
        pair = KeyPair.from_seed(raw)
    else:
        pair = KeyPair.generate()
    if controller:
        if not controller.startswith("did:"):
            raise click.BadParameter("must be a DID", param_hint="--controller")
        pair = pair.with_id(f"{controller}#{pair.public_multibase}", controller)
    else:
        pair = didkey.did_key_pair(pair)
    path = Path(out)
    try:  # O_EXCL: never follows a symbolic link, never overwrites, even one created a moment ago
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError as err:
        what = "is a symbolic link" if path.is_symlink() else "exists"
        raise click.ClickException(
            f"{out} {what}; refusing to overwrite a key file / {out} 已存在，不会覆盖密钥文件"
        ) from err
    except OSError as err:
        raise click.ClickException(f"cannot write {out}: {err.strerror} / 无法写入 {out}") from err
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(pair.to_json(), fh, indent=2)
        fh.write("\n")
    click.echo(pair.controller if print_did else pair.id)


def _parse_created(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value, field="--created")
    except SkillcredError as err:
        raise click.BadParameter(err.detail, param_hint="--created") from err


@click.command("sign")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--key", "keyfile", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--cryptosuite",
    type=click.Choice(SUITE_NAMES),
    default=DEFAULT_SUITE,
    show_default=True,
)
@click.option("--created", help="Proof creation time (ISO 8601 with offset); default: now.")
@click.option(
    "--purpose", type=click.Choice(["assertionMethod", "authentication"]), default="assertionMethod", show_default=True
)
@click.option("--challenge")
@click.option("--domain")
@click.option("--previous-proof", "previous_proof", help="Id of the proof this one chains to.")
@click.option("--proof-id", "proof_id", help="An id for the new proof (needed to chain to it later).")
@click.pass_context
def sign_command(
    ctx: click.Context,
    file: str,
    keyfile: str,
    cryptosuite: str,
    created: str | None,
    purpose: str,
    challenge: str | None,
    domain: str | None,
    previous_proof: str | None,
    proof_id: str | None,
) -> None:
    """Add a Data Integrity proof to FILE and print the secured document."""
    doc = read_json_file(file)
    if not isinstance(doc, dict):
        raise click.ClickException(f"{file}: the document must be a JSON object")
    key_doc = read_json_file(keyfile)
    try:
        pair = KeyPair.from_json(key_doc)
    except SkillcredError as err:
        raise click.ClickException(f"{keyfile}: {err.detail}") from err
    if not pair.id or "#" not in pair.id:
        raise click.ClickException(f"{keyfile}: the key has no verification method id (did...#fragment)")
    options = ProofOptions(
        cryptosuite=cryptosuite,
        created=_parse_created(created) or runtime_clock(ctx)(),
        purpose=purpose,
        challenge=challenge,
        domain=domain,
        previous_proof=previous_proof,
        id=proof_id,
    )
    secured = add_proof(doc, signer=pair, loader=DocumentLoader(), options=options)
    click.echo(json.dumps(secured, ensure_ascii=False, indent=2))
