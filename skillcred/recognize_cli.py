"""Recognition at the command line, composed here because it needs both apps: the issuer signs, the
verifier pipeline checks the sources (proof, status, validity, trusted issuer for that kind).

``skillcred issuer rules publish`` signs the shipped rule sets as RecognitionRuleCredentials (kept in the
issuer's registry; a published version never changes); ``skillcred issuer recognize`` derives a
RecognitionCredential, or says in zh and en which condition failed and issues nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from issuer.cli import open_from_context
from issuer.home import OpenIssuer
from issuer.recognize import RecognitionService
from vccore.errors import SkillcredError
from vccore.jsonstrict import loads
from vccore.recognition.credential import legal_basis, parse_rule_credential
from vccore.recognition.rulesets import load_shipped
from vccore.recognition.text import BASIS_ROW, NOTE_ROW, basis_text, standing_text
from vccore.result import Check, VerificationResult
from vccore.timeutil import beijing_date, parse_date
from verifier.cli import build_verifier

RULE_TYPE = "RecognitionRuleCredential"


def published_rules(opened: OpenIssuer) -> list[dict[str, Any]]:
    """The rule credentials this issuer has published (from its registry, oldest first)."""
    with opened.store.read() as tx:
        records = tx.credentials()
    out = []
    for record in records:
        doc = record.json()
        types = doc.get("type", [])
        if RULE_TYPE in (types if isinstance(types, list) else [types]):
            out.append(doc)
    return out


def own_profile(opened: OpenIssuer) -> dict[str, Any]:
    """The issuer as it signs: its DID and its own profile name (zh, en), never a borrowed authority's."""
    return {
        "id": opened.profile.did,
        "name": [
            {"@value": opened.config.name_zh, "@language": "zh"},
            {"@value": opened.config.name_en, "@language": "en"},
        ],
    }


def make_recognizer(
    opened: OpenIssuer, *, trust_pack: Path | None, root: str | None, online: bool, trust_any: bool = False
) -> RecognitionService:
    """The issuer as a recognition authority, checking sources with the verifier pipeline."""
    verifier = build_verifier(
        trust_pack=trust_pack, root=root, trust_any=trust_any, online=online, clock=opened.service.now
    )
    return RecognitionService(
        opened.service,
        authority=own_profile(opened),
        rule_credentials=published_rules(opened),
        verifier=verifier,
        clock=opened.service.now,
    )


@click.group("rules")
def rules_group() -> None:
    """认定规则集：发布为签名的规则凭证。 Recognition rule sets, published as signed rule credentials."""


@rules_group.command("list")
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="输出语言。 Language of the output.",
)
def rules_list(lang: str) -> None:
    """认定规则：列出内置规则集、每条规则的依据状态与依据。 List the shipped rule sets and their rules, each
    with its standing (sourced / reported / inferred), legal basis and notes."""
    zh = lang == "zh"
    for set_id, ruleset in load_shipped().items():
        who = ruleset.basis.issuing_authority
        cited = who.get(lang) if who else ("发文机关不详" if zh else "issuing body unknown")
        standing = standing_text(ruleset.basis.standing).get(lang)
        click.echo(f"{set_id}  v{ruleset.version}  ({len(ruleset.rules)})  {BASIS_ROW.get(lang)}: {cited} [{standing}]")
        if ruleset.coverage is not None:
            shipped, evaluable = len(ruleset.rules), sum(r.evaluable for r in ruleset.rules)
            listed = ruleset.coverage.listed
            click.echo(
                f"  收录 {shipped} / {listed} 项（其中 {evaluable} 项可判定）：{ruleset.coverage.text.zh}"
                if zh
                else f"  ships {shipped} of {listed} items ({evaluable} evaluable): {ruleset.coverage.text.en}"
            )
        for rule in ruleset.rules:
            click.echo(f"  {rule.id}  {rule.name.get(lang)}  [{standing_text(rule.standing).get(lang)}]")
            basis = basis_text(legal_basis(rule)).get(lang)
            click.echo(f"    {BASIS_ROW.get(lang)}: {basis}")
            if rule.notes is not None:
                click.echo(f"    {NOTE_ROW.get(lang)}: {rule.notes.get(lang)}")


@rules_group.command("publish")
@click.option(
    "--set",
    "sets",
    multiple=True,
    help="规则集编号，可重复；默认全部。 Rule set id (CN, CN-SX, CN-HL, CN-GD, CN-SD); repeat for more; default all.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="把这些规则集的签名规则凭证（JSON 列表）写入此文件，供 pack build --rules 与 explain --rules 使用。 "
    "Write the signed rule credentials of these sets (a JSON list) here, for pack build --rules and explain --rules.",
)
@click.pass_context
def rules_publish(ctx: click.Context, sets: tuple[str, ...], out: Path | None) -> None:
    """签名发布内置规则集（已发布的版本不变）。 Sign shipped rule sets as RecognitionRuleCredentials of this issuer
    (a published version never changes); with --out, also write them to a file."""
    shipped = load_shipped()
    unknown = [s for s in sets if s not in shipped]
    if unknown:
        raise click.BadParameter(
            f"unknown rule set(s) {', '.join(unknown)}; known: {', '.join(shipped)}", param_hint="--set"
        )
    opened = open_from_context(ctx, need_key=True)
    service = RecognitionService(
        opened.service,
        authority=own_profile(opened),
        rule_credentials=published_rules(opened),
        verifier=_NoSources(),
        clock=opened.service.now,
    )
    have = {(rs.id, rs.version) for rs in (parse_rule_credential(d) for d in service.rule_credentials)}
    for set_id in sets or tuple(shipped):
        ruleset = shipped[set_id]
        if (ruleset.id, ruleset.version) in have:
            click.echo(f"{set_id} v{ruleset.version}: already published")
            continue
        issued = service.publish_ruleset(ruleset, idempotency_key=f"ruleset:{ruleset.id}:{ruleset.version}")
        click.echo(f"{set_id} v{ruleset.version}: {issued.id}")
    if out is not None:
        wanted = {(shipped[s].id, shipped[s].version) for s in sets or tuple(shipped)}
        chosen = [d for d in published_rules(opened) if _set_of(d) in wanted]
        from issuer.batch.files import write_atomic  # loads only when a file is written

        write_atomic(out, (json.dumps(chosen, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        click.echo(f"已写入 {out}：{len(chosen)} 个规则凭证 / wrote {out}: {len(chosen)} rule credential(s)")


def _set_of(document: Mapping[str, Any]) -> tuple[str, str]:
    ruleset = parse_rule_credential(document)
    return ruleset.id, ruleset.version


class _NoSources:
    """Publishing rule sets verifies no sources and re-checks no recognition."""

    def verify_credential(self, document: Any) -> VerificationResult:
        raise AssertionError("publishing rule sets verifies no sources")

    def read(self, document: Mapping[str, Any]) -> Mapping[str, Any] | None:
        raise AssertionError("publishing rule sets reads no sources")

    def check_recognition(
        self, recognition: Mapping[str, Any], *, presented: Sequence[Mapping[str, Any]] = ()
    ) -> Check:
        raise AssertionError("publishing rule sets re-checks no recognition")


def _read(path: str) -> dict[str, Any]:
    try:
        value = loads(Path(path).read_bytes())
    except FileNotFoundError:  # the root's one wording, exit 2
        raise
    except OSError as err:
        raise click.ClickException(f"cannot read {path}: {err.strerror}") from err
    except SkillcredError as err:
        raise click.ClickException(f"{path}: {err}") from err
    if not isinstance(value, dict):
        raise click.ClickException(f"{path}: not a credential (a JSON object)")
    return value


@click.command("recognize")
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--rule",
    "rule_id",
    required=True,
    help="规则编号，例如 CN-ENG-2018-L2-TO-INTERMEDIATE。 Rule id, e.g. CN-ENG-2018-L2-TO-INTERMEDIATE.",
)
@click.option(
    "--as-of", "as_of", help="评定日期（YYYY-MM-DD），默认今天。 Evaluation date (YYYY-MM-DD); default today."
)
@click.option(
    "--declare",
    "declared",
    multiple=True,
    metavar="NAME=VALUE",
    help="凭证中没有的事实，例如 workField=engineering（由用人单位证明）。 A fact no credential carries, e.g. "
    "workField=engineering (employer-attested).",
)
@click.option(
    "--trust-pack",
    envvar="SKILLCRED_TRUST_PACK",
    type=click.Path(path_type=Path, dir_okay=False),
    help="验证来源凭证所用的信任包。 The trust pack the sources are verified against.",
)
@click.option(
    "--root", envvar="SKILLCRED_TRUST_ROOT", help="签署信任包的信任根 DID。 DID of the trust root that signs the pack."
)
@click.option(
    "--trust",
    "trust_mode",
    type=click.Choice(["pack", "any"]),
    default="pack",
    show_default=True,
    help="any：不核对来源签发机构是否受信任（仅供测试）。 'any' does not check that the sources' issuers are trusted "
    "(testing only).",
)
@click.option("--online/--offline", default=False, help="联网获取来源凭证的状态列表。 Fetch the sources' status lists.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="认定凭证写入此文件。 Write the recognition here.",
)
@click.pass_context
def recognize_command(
    ctx: click.Context,
    sources: tuple[str, ...],
    rule_id: str,
    as_of: str | None,
    declared: tuple[str, ...],
    trust_pack: Path | None,
    root: str | None,
    trust_mode: str,
    online: bool,
    out: Path | None,
) -> None:
    """贯通认定：按已发布的规则由来源凭证 SOURCES 推出认定凭证。 Derive a RecognitionCredential from SOURCES
    credentials under a published rule."""
    try:
        when = parse_date(as_of, field="--as-of") if as_of else None
    except SkillcredError as err:
        raise click.BadParameter(err.detail, param_hint="--as-of") from err
    declarations = {}
    for item in declared:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--declare")
        declarations[name] = value
    docs = [_read(p) for p in sources]
    opened = open_from_context(ctx, need_key=True)
    when = when or beijing_date(opened.service.now())
    recognizer = make_recognizer(opened, trust_pack=trust_pack, root=root, online=online, trust_any=trust_mode == "any")
    issued = recognizer.recognize(docs, rule_id=rule_id, as_of=when, declarations=declarations)
    text = json.dumps(issued.json(), ensure_ascii=False, indent=2)
    if out is not None:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(issued.id)
    else:
        click.echo(text)
