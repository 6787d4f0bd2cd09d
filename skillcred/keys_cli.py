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
    except FileNotFoundError:  # the root's one wording, exit 2
        raise
    except OSError as err:
        raise click.ClickException(f"cannot read {path}: {err.strerror}") from err
    try:
        return loads(data)
    except SkillcredError as err:
        raise click.ClickException(f"{path}: {err}") from err


@click.group("keys")
def keys_group() -> None:
    """Ed25519 密钥对（Multikey）。 Ed25519 Multikey key pairs."""


@keys_group.command("generate")
@click.option(
    "--seed",
    help="32 字节种子，64 位十六进制（仅用于测试和可复现的演示）。 32-byte seed as 64 hex digits (for tests and "
    "reproducible demos only).",
)
@click.option(
    "--controller", help="控制者 DID，默认为密钥自己的 did:key。 Controller DID; default: the key's own did:key."
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False),
    help="要写入的密钥文件（权限 0600）。 Key file to write (0600).",
)
@click.option(
    "--print-did",
    is_flag=True,
    help="输出控制者 DID 而非密钥 id（便于 ROOT=$(…) 赋值）。 Print the controller DID instead of the key id "
    "(for ROOT=$(skillcred keys generate … --print-did)).",
)
def keys_generate(seed: str | None, controller: str | None, out: str, print_did: bool) -> None:
    """生成密钥对，连同私钥写成 Multikey JSON 文件；输出其密钥 id（或 DID）。 Generate a key pair and write it as a
    Multikey JSON file with its secret; print its key id (or DID)."""
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
@click.option(
    "--key",
    "keyfile",
    required=True,
    type=click.Path(dir_okay=False),
    help="签名密钥文件（skillcred keys generate）。 The signing key file (skillcred keys generate).",
)
@click.option(
    "--cryptosuite",
    type=click.Choice(SUITE_NAMES),
    default=DEFAULT_SUITE,
    show_default=True,
    help="签名所用的密码套件。 The cryptosuite of the proof.",
)
@click.option(
    "--created",
    help="证明的创建时间（ISO 8601，带时区），默认现在。 Proof creation time (ISO 8601 with offset); default: now.",
)
@click.option(
    "--purpose",
    type=click.Choice(["assertionMethod", "authentication"]),
    default="assertionMethod",
    show_default=True,
    help="证明用途。 The proof purpose.",
)
@click.option("--challenge", help="写入证明的挑战值（出示）。 The challenge bound into the proof (presentations).")
@click.option("--domain", help="写入证明的域（出示）。 The domain bound into the proof (presentations).")
@click.option(
    "--previous-proof", "previous_proof", help="本证明所链接的前一证明的编号。 Id of the proof this one chains to."
)
@click.option(
    "--proof-id",
    "proof_id",
    help="新证明的编号（之后链接到它时需要）。 An id for the new proof (needed to chain to it later).",
)
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
    """给 FILE 加上数据完整性证明并输出签名后的文档。 Add a Data Integrity proof to FILE and print the secured
    document."""
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
