"""``skillcred explain``: show a recognition as a tree (recognition -> rule -> sources) and why it holds.

The recognition, each source and the rule credential are verified and the chain is re-checked
(:mod:`vccore.recognition.chain`). With ``--trust-pack`` the full verifier pipeline runs (status from the pack's
snapshots, rule credentials from the pack and ``--rules``); with ``--trust-list`` only proofs, validity and
trust are checked and the output says that status was not. Issuer names come from the trust list. Exit 0
when everything verified, 1 when the chain (or anything in it) did not, 2 for usage errors; no tracebacks for bad input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from vccore.clock import fixed_clock, runtime_clock
from vccore.credentials import types_of, verify_issued_and_read
from vccore.errors import SkillcredError
from vccore.jsonld.loader import DocumentLoader
from vccore.jsonld.reading import read_or_none
from vccore.jsonstrict import loads
from vccore.recognition.chain import chain_checker as make_chain_checker
from vccore.recognition.chain import pool_lookup, verify_chain
from vccore.recognition.credential import RULE_TYPE
from vccore.recognition.explain import explain_tree, render_text
from vccore.result import VerificationResult
from vccore.timeutil import parse_datetime
from vccore.trust.decision import trust_check
from vccore.trust.lists import TrustList, verify_trust_list_credential

STATUS_NOT_CHECKED = (
    "状态未检查（请使用 --trust-pack 或 skillcred verify）",
    "status was NOT checked (use --trust-pack, or skillcred verify)",
)


def _read(path: Path) -> Any:
    try:
        return loads(path.read_bytes())
    except FileNotFoundError:  # the root's one wording, exit 2
        raise
    except OSError as err:
        raise click.ClickException(f"cannot read {path}: {err.strerror}") from err
    except SkillcredError as err:
        raise click.ClickException(f"{path}: {err}") from err


def _documents(paths: tuple[Path, ...]) -> list[Mapping[str, Any]]:
    """Each file holds one credential or a JSON list of credentials."""
    out: list[Mapping[str, Any]] = []
    for path in paths:
        value = _read(path)
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, Mapping):
                raise click.ClickException(f"{path}: expected a credential (a JSON object) or a list of them")
            out.append(item)
    return out


def _trust_list(path: Path, root: str | None, loader: DocumentLoader, now: datetime) -> TrustList:
    if not root:
        raise click.UsageError("--trust-list needs --root (the DID that signs the trust list)")
    trust, result = verify_trust_list_credential(_read(path), root_did=root, loader=loader, now=now)
    if trust is None:
        problems = "; ".join(f"{p.code.value}: {p.detail}" for p in result.problems())
        raise click.ClickException(f"the trust list does not verify: {problems}")
    return trust


def _pack_rules(path: Path, *, have: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rule credentials a (verified) trust pack carries that the command line did not give again.
    Each one is still verified like any cited document when the chain is checked."""
    from vccore.trust.pack import parse_trust_pack

    document = parse_trust_pack(path.read_bytes())
    given = {json.dumps(d, sort_keys=True) for d in have}
    carried = document.get("ruleCredentials") if isinstance(document, Mapping) else None
    return [
        d
        for d in (carried if isinstance(carried, list) else [])
        if isinstance(d, Mapping) and json.dumps(d, sort_keys=True) not in given
    ]


@click.command("explain")
@click.argument("recognition", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--sources",
    "source_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="来源凭证文件（一份凭证或 JSON 列表），可重复。 Source credential file (one credential or a JSON list); "
    "repeat for more.",
)
@click.option(
    "--rules",
    "rule_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="规则凭证文件（一个或 JSON 列表），可重复；信任包中的规则凭证自动使用。 "
    "Rule credential file (one or a JSON list); repeat for more. A trust pack's rule credentials are used too.",
)
@click.option(
    "--trust-list",
    type=click.Path(path_type=Path, dir_okay=False),
    help="已签名的信任列表凭证（只查签名、有效期与信任，不查状态）。 A signed TrustListCredential (proofs, validity "
    "and trust only; status is not checked).",
)
@click.option(
    "--trust-pack",
    type=click.Path(path_type=Path, dir_okay=False),
    help="已签名的信任包：运行完整的验证流程。 A signed trust pack: the full verifier pipeline runs.",
)
@click.option(
    "--root", help="签署信任列表或信任包的信任根 DID。 DID of the trust root that signs the trust list or pack."
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en", "both"]),
    default="both",
    show_default=True,
    help="说明所用的语言。 Language of the explanation.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="以 JSON 输出认定树和结果。 Print the tree and the result as JSON."
)
@click.option(
    "--now", "now_text", help="按此时间验证（ISO 8601，带时区）。 Verify as of this time (ISO 8601 with offset)."
)
@click.pass_context
def explain_command(
    ctx: click.Context,
    recognition: Path,
    source_files: tuple[Path, ...],
    rule_files: tuple[Path, ...],
    trust_list: Path | None,
    trust_pack: Path | None,
    root: str | None,
    lang: str,
    as_json: bool,
    now_text: str | None,
) -> None:
    """解释认定凭证：认定依据的规则与凭证，以及整条认定链是否成立。

    Explain a recognition credential: its rule, its sources, and whether the chain holds."""
    try:
        clock = fixed_clock(parse_datetime(now_text, field="--now")) if now_text else runtime_clock(ctx)
    except SkillcredError as err:
        raise click.BadParameter(err.detail, param_hint="--now") from err
    now = clock()
    if (trust_list is None) == (trust_pack is None):
        raise click.UsageError("give exactly one of --trust-list or --trust-pack, with --root")
    document = _read(recognition)
    if not isinstance(document, Mapping):
        raise click.ClickException(f"{recognition}: expected a credential (a JSON object)")
    pool = _documents(source_files) + _documents(rule_files)
    sources = [d for d in pool if RULE_TYPE not in types_of(d)]
    rules = [d for d in pool if RULE_TYPE in types_of(d)]
    warnings: list[tuple[str, str]] = []
    if trust_pack is not None:
        from verifier.cli import build_verifier

        verifier = build_verifier(
            trust_pack=trust_pack, root=root, trust_any=False, online=False, clock=fixed_clock(now)
        )
        rules += _pack_rules(trust_pack, have=rules)  # the pack verified: the rules it carries count too
        verifier.chain_checker = make_chain_checker(pool_lookup([*sources, *rules]))
        result = verifier.verify_credential(document)
        trust = verifier.trust
    else:
        assert trust_list is not None
        loader = DocumentLoader()
        trust = _trust_list(trust_list, root, loader, now)

        def verify(doc: Mapping[str, Any]) -> VerificationResult:
            checked, read = verify_issued_and_read(doc, loader=loader, now=now)
            return checked if read is None else checked.with_check(trust_check(read, trust, now=now))

        reading = read_or_none(document, loader=loader) or document
        chain = verify_chain(
            reading,
            sources=sources,
            rule_credentials=rules,
            trust=trust,
            verify_credential=verify,
            read=lambda d: read_or_none(d, loader=loader),
            now=now,
        )
        result = verify(document).with_check(chain)
        warnings.append(STATUS_NOT_CHECKED)
    tree = explain_tree(document, sources=sources, rule_credentials=rules, trust=trust, result=result, lang=lang)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "verified": result.verified,
                    "tree": tree.to_json(),
                    "result": result.to_json(),
                    "warnings": [{"zh": zh, "en": en} for zh, en in warnings],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        click.echo(render_text(tree, lang))
        for zh, en in warnings:
            click.echo(f"! {zh if lang == 'zh' else en if lang == 'en' else zh + ' / ' + en}")
        verdict = (
            ("认定链成立", "the recognition chain verifies")
            if result.verified
            else ("认定链不成立", "the recognition chain does NOT verify")
        )
        click.echo(verdict[0] if lang == "zh" else verdict[1] if lang == "en" else " / ".join(verdict))
    sys.exit(0 if result.verified else 1)
