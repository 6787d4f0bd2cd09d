"""``skillcred issuer ...``: create an issuer, issue (one or a CSV batch), change status, manage keys and
tokens, serve the HTTP API. Click lives only here; the work is done by :mod:`issuer.home`,
:class:`issuer.service.IssuerService` (whose engine, :mod:`issuer.engine`, issues one credential as the
VC-API does) and :mod:`issuer.batch`.

State lives under ``$SKILLCRED_HOME/issuer`` (``--home`` overrides); the key passphrase comes from
``SKILLCRED_PASSPHRASE``. Errors are translated by the ``skillcred`` root (:mod:`skillcred.cli`): every
refusal is one line ``Error: CODE: message`` and exit status 1; a usage error exits 2; no traceback for
any input.
"""

from __future__ import annotations

import copy
import logging.config
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from issuer import validation
from issuer.batch.files import write_atomic
from issuer.batch.rows import is_did
from issuer.batch.run import run_batch
from issuer.batch.schedule import BatchIssuer
from issuer.home import KDF_CHOICES, IssuerHome, OpenIssuer, init_issuer, open_issuer, passphrase_from_env
from issuer.kinds import KINDS
from issuer.signing import HASH_PARAMS, Request
from issuer.store.db import DEFAULT_POOL_SIZE
from issuer.tokens import SCOPES, TokenRegistry
from vccore.clock import keep_runtime, runtime_clock
from vccore.di.cryptosuites import SUITE_NAMES
from vccore.errors import SkillcredError
from vccore.jsonld.loader import OperatorContext, pin_context
from vccore.jsonstrict import loads

F = TypeVar("F", bound=Callable[..., Any])


def open_from_context(
    ctx: click.Context,
    *,
    need_key: bool,
    base_url: str | None = None,
    pool_size: int = DEFAULT_POOL_SIZE,
    hash_params: str = "default",
    pinned: tuple[tuple[str, Path, str], ...] = (),
    examples: bool = False,
    inline: bool = False,
) -> OpenIssuer:
    """The issuer of the command's home, closed when the command ends. ``hash_params`` other than
    ``default`` (the identity hash's Argon2id cost) are for tests only, and said so. ``pinned``
    (``--context URL FILE SHA256``) and ``examples`` (``--examples-contexts``) add to the contexts the
    config allows."""
    if hash_params != "default":
        click.echo(f"warning: identity hash parameters {hash_params!r} are for tests only", err=True)
    home: IssuerHome = ctx.obj
    loader = (
        home.loader(home.load(), pinned=pins_from_options(pinned), examples=examples, inline=inline)
        if home.exists()
        else None
    )
    opened = open_issuer(
        home,
        need_key=need_key,
        base_url=base_url,
        clock=runtime_clock(ctx),
        pool_size=pool_size,
        hasher=HASH_PARAMS[hash_params],
        loader=loader,
    )
    ctx.call_on_close(opened.close)
    return opened


def pins_from_options(options: tuple[tuple[str, Path, str], ...]) -> list[OperatorContext]:
    """``--context URL FILE SHA256`` values as operator contexts (a refusal is a usage error)."""
    out = []
    for url, path, sha256 in options:
        try:
            out.append(pin_context(url, path.read_bytes(), sha256))
        except (OSError, SkillcredError) as err:
            raise click.BadParameter(str(getattr(err, "detail", err)), param_hint="--context") from err
    return out


CONTEXT_OPTIONS = [
    click.option(
        "--context",
        "pinned",
        multiple=True,
        type=(str, click.Path(path_type=Path, dir_okay=False, exists=True), str),
        metavar="URL FILE SHA256",
        help="固定一个额外的 JSON-LD 上下文（网址、文件、SHA-256；可重复）。 Pin one more JSON-LD context: its URL, "
        'the file with its bytes and their SHA-256 (repeatable; also config.json "contexts").',
    ),
    click.option(
        "--examples-contexts",
        "examples",
        is_flag=True,
        help="允许 W3C 示例上下文（仅用于一致性测试）。 Allow the W3C examples contexts "
        "(https://www.w3.org/ns/credentials/examples/v2 and the VC 1.1 one), shipped pinned: for the "
        "conformance suites (docs/conformance.md).",
    ),
    click.option(
        "--inline-contexts",
        "inline",
        is_flag=True,
        help="通用接口接受内联上下文（安全模式；skillcred 自有凭证除外）。 Accept inline @context objects on generic "
        "credentials (term definitions only, safe mode; never with skillcred's own types).",
    ),
]


def context_options(f: Any) -> Any:
    for option in reversed(CONTEXT_OPTIONS):
        f = option(f)
    return f


@click.group("issuer")
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="SKILLCRED_HOME",
    help="State directory (default $SKILLCRED_HOME or ~/.skillcred).",
)
@click.pass_context
def issuer_group(ctx: click.Context, home: Path | None) -> None:
    """签发机构：签发、批量签发、撤销与密钥管理。 Issue credentials, batches, status changes, keys."""
    keep_runtime(ctx)
    ctx.obj = IssuerHome(home)


@issuer_group.command("init")
@click.option("--did-web", metavar="DOMAIN[/PATH]", help="did:web issuer at this domain (and path).")
@click.option("--did-key", is_flag=True, help="did:key issuer (local use; its key can never rotate).")
@click.option("--name-zh", required=True, help="Issuer name in Chinese.")
@click.option("--name-en", required=True, help="Issuer name in English.")
@click.option("--base-url", help="Where status lists are served (default https://DOMAIN/PATH).")
@click.option("--store", "store_url", help="Registry: a SQLite path or a postgresql:// URL.")
@click.option("--key-kdf", type=click.Choice(sorted(KDF_CHOICES)), default="moderate", hidden=True)
@click.pass_context
def init(
    ctx: click.Context,
    did_web: str | None,
    did_key: bool,
    name_zh: str,
    name_en: str,
    base_url: str | None,
    store_url: str | None,
    key_kdf: str,
) -> None:
    """Create the issuer and its first key (sealed with SKILLCRED_PASSPHRASE); print its DID."""
    if bool(did_web) == did_key:
        raise click.UsageError("give exactly one of --did-web DOMAIN[/PATH] and --did-key")
    config = init_issuer(
        ctx.obj,
        did_web=did_web,
        name_zh=name_zh,
        name_en=name_en,
        passphrase=passphrase_from_env(),
        base_url=base_url,
        store=store_url,
        kdf=key_kdf,
        clock=runtime_clock(ctx),
    )
    click.echo(config.did)


_hash_option = click.option(
    "--identity-hash-params", "hash_params", type=click.Choice(sorted(HASH_PARAMS)), default="default", hidden=True
)
_suite_option = click.option("--cryptosuite", type=click.Choice(SUITE_NAMES), default=SUITE_NAMES[0], show_default=True)


@issuer_group.command("issue")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.option(
    "--data",
    "data_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The kind's input as a JSON object (camelCase fields).",
)
@click.option("--subject-did", help="The holder's DID (credentialSubject.id).")
@click.option("--idempotency-key", help="Retrying with the same key returns the same credential.")
@_suite_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@_hash_option
@click.pass_context
def issue(
    ctx: click.Context,
    kind: str,
    data_file: Path,
    subject_did: str | None,
    idempotency_key: str | None,
    cryptosuite: str,
    out: Path | None,
    hash_params: str,
) -> None:
    """Issue one credential of KIND from a JSON input file."""
    data = loads(data_file.read_bytes())
    checked = validation.from_mapping(KINDS[kind].input_type, data)
    if subject_did is not None and not is_did(subject_did):
        raise click.BadParameter(f"{subject_did!r} is not a DID", param_hint="--subject-did")
    opened = open_from_context(ctx, need_key=True, hash_params=hash_params)
    request = Request.for_kind(
        kind, checked, given=data, key=idempotency_key, subject_did=subject_did, cryptosuite=cryptosuite
    )
    issued = opened.service.issue_request(request)
    if out is None:
        click.echo(issued.document.decode("utf-8"))
    else:
        write_atomic(out, issued.document)
        click.echo(issued.id)


@issuer_group.command("batch")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", required=True, type=click.Choice(list(KINDS)))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--skip-bad", is_flag=True, help="Issue the good rows even if some rows are bad.")
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=lambda: os.cpu_count() or 1,
    help="Worker processes (default: all cores).",
)
@_suite_option
@click.option("--batch-id", help="Identity of the batch in idempotency keys (default: the file name).")
@_hash_option
@click.pass_context
def batch(
    ctx: click.Context,
    file: Path,
    kind: str,
    out_dir: Path,
    skip_bad: bool,
    workers: int,
    cryptosuite: str,
    batch_id: str | None,
    hash_params: str,
) -> None:
    """Issue one credential per CSV row; resumable (rerun after a crash issues nothing twice)."""
    opened = open_from_context(ctx, need_key=True, hash_params=hash_params)
    try:
        report = run_batch(
            file,
            kind=kind,
            out_dir=out_dir,
            issuer=BatchIssuer(opened.service),
            skip_bad=skip_bad,
            workers=workers,
            cryptosuite=cryptosuite,
            batch_id=batch_id,
            progress=sys.stderr,
        )
    except OSError as err:
        if not getattr(err, "filename", None):
            err.filename = str(out_dir)
        again = f"skillcred issuer batch {file} --kind {kind} --out {out_dir}" + (
            f" --batch-id {batch_id}" if batch_id else ""
        )
        err.add_note(
            f"Every row issued so far is recorded; nothing is issued twice. Fix the cause (free some space), "
            f"then run the same command again to issue the rest and write the missing files:\n  {again}\n"
            f"已签发的记录均已保存，不会重复签发。排除问题（如释放磁盘空间）后重新运行上述命令即可继续。"
        )
        raise
    for problem in report.problems:
        click.echo(f"skipped {problem}", err=True)
    if report.failed:
        raise click.ClickException(f"{report.failed} row(s) failed; see {out_dir / 'summary.csv'}")


def _status_command(name: str, method: str, verb: str) -> None:
    @issuer_group.command(name)
    @click.argument("credential_id")
    @click.pass_context
    def command(ctx: click.Context, credential_id: str) -> None:
        change = getattr(open_from_context(ctx, need_key=False).service, method)(credential_id)
        click.echo(f"{verb} {credential_id}" if change.changed else f"{credential_id} was already {verb}")

    command.__doc__ = f"Mark a credential {verb} (its status list changes at once)."


_status_command("revoke", "revoke", "revoked")
_status_command("suspend", "suspend", "suspended")
_status_command("unsuspend", "unsuspend", "unsuspended")


@issuer_group.group("keys")
def keys() -> None:
    """Rotate or retire the issuer's signing keys."""


@keys.command("rotate")
@click.pass_context
def keys_rotate(ctx: click.Context) -> None:
    """Retire the active key (old credentials still verify) and sign with a new one; print its id."""
    click.echo(open_from_context(ctx, need_key=True).service.rotate_key().id)


@keys.command("compromise")
@click.argument("key_id")
@click.pass_context
def keys_compromise(ctx: click.Context, key_id: str) -> None:
    """Remove KEY_ID from the DID document and revoke everything it signed; print how many."""
    revoked = open_from_context(ctx, need_key=False).service.compromise_key(key_id)
    click.echo(f"revoked {len(revoked)} credential(s) signed by {key_id}")


@issuer_group.group("tokens")
def tokens() -> None:
    """API tokens for the HTTP API."""


@tokens.command("create")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(sorted(SCOPES)))
@click.pass_context
def tokens_create(ctx: click.Context, scopes: tuple[str, ...]) -> None:
    """Create a token with the given scopes; it is printed once, on stdout only."""
    opened = open_from_context(ctx, need_key=False)
    created = TokenRegistry(opened.store).create(scopes, now=opened.service.now())
    click.echo(created.token)


#: key in ``click.Context.meta`` under which a composing CLI (skillcred) may register a factory
#: ``factory(opened_issuer, *, trust_pack, root, online) -> Recognizer`` for ``POST /recognitions``;
#: the issuer itself never imports the verifier that checks the sources.
RECOGNIZER_FACTORY = "skillcred.issuer.recognizer_factory"


@issuer_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8401, show_default=True)
@click.option("--base-url", help="Public URL of this service (default: the configured one).")
@click.option(
    "--trust-pack",
    envvar="SKILLCRED_TRUST_PACK",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Enables POST /recognitions: sources are verified against this trust pack.",
)
@click.option("--root", envvar="SKILLCRED_TRUST_ROOT", help="DID of the trust root that signs the pack.")
@click.option("--online/--offline", default=False, help="Fetch status lists of sources when recognizing.")
@click.option(
    "--pool-size",
    type=click.IntRange(1, 64),
    default=DEFAULT_POOL_SIZE,
    show_default=True,
    envvar="SKILLCRED_POOL_SIZE",
    help="Registry connections this process may hold (docs/operations.md, connection budget).",
)
@context_options
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    base_url: str | None,
    trust_pack: Path | None,
    root: str | None,
    online: bool,
    pool_size: int,
    pinned: tuple[tuple[str, Path, str], ...],
    examples: bool,
    inline: bool,
) -> None:
    """Serve the issuer HTTP API (VC-API style) with uvicorn."""
    import uvicorn

    from issuer.app import create_app

    logs = _log_config()
    logging.config.dictConfig(logs)  # uvicorn's own format, also for the issuer's "key unlocked" line
    opened = open_from_context(
        ctx, need_key=True, base_url=base_url, pool_size=pool_size, pinned=pinned, examples=examples, inline=inline
    )
    opened.service.unlock()  # once, before serving: fail now, and no request ever waits for an unlock
    recognizer = None
    if trust_pack is not None:
        factory = ctx.meta.get(RECOGNIZER_FACTORY)
        if factory is None:
            raise click.UsageError("--trust-pack needs the skillcred command (it verifies recognition sources)")
        recognizer = factory(opened, trust_pack=trust_pack, root=root, online=online)
    uvicorn.run(
        create_app(opened.service, TokenRegistry(opened.store), recognizer=recognizer),
        host=host,
        port=port,
        log_config=logs,
    )


def _log_config() -> dict[str, Any]:
    """uvicorn's logging setup with the issuer's logger (``skillcred``, INFO) beside its own."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["skillcred"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
