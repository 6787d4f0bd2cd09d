"""The verdict line of the scan page: one headline that says what happened and why, the tone it is shown
in, whether the content may be shown at all, how old the status answer is, and what the result does not
prove.

* The headline carries the reason: "✗ 已被签发机构撤销", "✗ 签名无效：内容可能被篡改", … A failure is
  named by its most telling problem (:data:`_REASONS`, in order), never by a generic "not verified".
* A recognition whose only problem is that its source was not shown with it is ``incomplete`` (amber,
  "? 需同时出示依据证书"): nothing is known to be wrong, something is missing. It is still not a pass.
* ``trusted`` is false when the credential's own proof does not verify: then the page must not show what
  the credential says (a forged name in large type reads as true), nor the trust list badge.
* ``status`` is when the status lists behind the verdict were fetched (Beijing time) and how long ago.
* ``cannotProve`` is the fixed "本结果不能证明…" list for the kind: never that the person present is
  the holder; for an ``eligibility-to-apply`` recognition that it is a title; for an
  ``education-equivalent-treatment`` recognition that it is a 学历.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from vccore.display import date_text
from vccore.errors import TITLES, Code, SkillcredError
from vccore.result import CheckName, VerificationResult
from vccore.timeutil import BEIJING, parse_datetime

#: a proof or its inputs are wrong: the content is not the issuer's
INTEGRITY: Final = frozenset(
    {
        Code.PROOF_VERIFICATION_ERROR,
        Code.CRYPTOGRAPHIC_SECURITY_ERROR,
        Code.MALFORMED_PROOF_ERROR,
        Code.PROOF_TRANSFORMATION_ERROR,
        Code.DATA_LOSS_DETECTION_ERROR,
        Code.INVALID_VERIFICATION_METHOD,
        Code.ISSUER_KEY_MISMATCH,
        Code.CHAIN_DIGEST_MISMATCH,
    }
)

#: (codes, zh, en) in the order a reason is chosen for the headline
_REASONS: Final[tuple[tuple[frozenset[Code], str, str], ...]] = (
    (INTEGRITY, "签名无效：内容可能被篡改", "Invalid signature: the content may have been altered"),
    (frozenset({Code.REVOKED}), "已被签发机构撤销", "Revoked by the issuer"),
    (frozenset({Code.SUSPENDED}), "已被签发机构暂停", "Suspended by the issuer"),
    (frozenset({Code.EXPIRED}), "已过有效期", "Expired"),
    (frozenset({Code.NOT_YET_VALID}), "尚未生效", "Not yet valid"),
    (frozenset({Code.UNTRUSTED_ISSUER}), "签发机构不在信任列表中", "The issuer is not on the trust list"),
    (
        frozenset({Code.INVALID_CHALLENGE_ERROR, Code.INVALID_DOMAIN_ERROR}),
        "不是对本次请求的出示（挑战码不符）",
        "Not an answer to this request (challenge does not match)",
    ),
    (frozenset({Code.PROOF_EXPIRED}), "出示已过期", "The presentation has expired"),
    (frozenset({Code.HOLDER_MISMATCH}), "出示人不是持证人", "The presenter is not the holder"),
    (
        frozenset({Code.CHAIN_SOURCE_STATUS}),
        "依据证书已撤销、暂停或过期",
        "A source certificate is revoked, suspended or expired",
    ),
)
INCOMPLETE: Final = (
    "? 需同时出示依据证书（请点请求出示）",
    "? Its source certificate must be shown too (press Request a presentation)",
)
VERIFIED: Final = ("✓ 核验通过", "✓ Verified")
#: failures that say "we could not find out", not "this is wrong"
UNCHECKED_CODES: Final = frozenset({Code.STATUS_RETRIEVAL_ERROR, Code.DID_RESOLUTION_ERROR, Code.STORE_BUSY})

HOLDER_NOT_PROVEN: Final = {
    "zh": "出示人就是持证人本人（请核对身份证）",
    "en": "that the person in front of you is the holder (check the ID card)",
}
NOT_A_TITLE: Final = {
    "zh": "持证人已取得职称：「可申报评审」只表示可以申报评审，不是职称",
    "en": "that the holder has a title: 'eligible to apply' means may apply for one, it is not a title",
}
NOT_A_DEGREE: Final = {
    "zh": "持证人具有该学历：「按相应学历落实待遇」是待遇，不是学历",
    "en": "that the holder has that education: equal treatment is not a degree or diploma",
}


def _codes(result: VerificationResult) -> set[Code]:
    return {p.code for p in result.problems()}


def trusted_content(result: VerificationResult) -> bool:
    """Whether what the credential says may be shown: its own proof verified."""
    proof = result.check(CheckName.PROOF)
    return proof is not None and proof.passed and not (_own_codes(result) & INTEGRITY)


def _own_codes(result: VerificationResult) -> set[Code]:
    """The codes of ``result``'s own checks (not of a recognition's sources)."""
    return {p.code for c in result.checks if c.name != CheckName.RECOGNITION for p in c.problems}


def tone_of(codes: Iterable[Code], verified: bool) -> str:
    """``verified``, ``incomplete`` (only a source is missing), ``unchecked`` (only could-not-find-out) or
    ``failed``."""
    found = set(codes)
    if verified:
        return "verified"
    if not found:
        return "failed"
    if found <= UNCHECKED_CODES | {Code.CHAIN_SOURCE_MISSING} and Code.CHAIN_SOURCE_MISSING in found:
        return "incomplete"
    return "unchecked" if found <= UNCHECKED_CODES else "failed"


def headline(codes: Iterable[Code], verified: bool) -> dict[str, str]:
    """The verdict line, its reason in it."""
    found = set(codes)
    tone = tone_of(found, verified)
    if tone == "verified":
        return {"zh": VERIFIED[0], "en": VERIFIED[1]}
    if tone == "incomplete":
        return {"zh": INCOMPLETE[0], "en": INCOMPLETE[1]}
    if tone == "unchecked":
        first = min(found, key=lambda c: c.value)
        en, zh = TITLES.get(first, (first.value, first.value))
        return {"zh": f"? 无法核验：{zh}", "en": f"? Could not check: {en}"}
    for codes_, zh, en in _REASONS:
        if found & codes_:
            return {"zh": f"✗ {zh}", "en": f"✗ {en}"}
    failed = sorted(found - UNCHECKED_CODES, key=lambda c: c.value)
    if not failed:  # nothing was checked (no checks ran): not verified, with no reason to name
        return {"zh": "✗ 未通过核验", "en": "✗ Not verified"}
    en, zh = TITLES.get(failed[0], (failed[0].value, failed[0].value))
    return {"zh": f"✗ 未通过核验：{zh}", "en": f"✗ Not verified: {en}"}


def beijing(stamp: Any) -> str:
    """``2026年12月7日 19:44`` (Beijing time, the page adds the zone's name) for an XSD dateTime; empty when it
    is not one."""
    try:
        when = parse_datetime(stamp, field="fetchedAt").astimezone(BEIJING)
    except SkillcredError:
        return ""
    return _chinese_minute(when)


def _chinese_minute(when: datetime) -> str:
    return f"{date_text(when.date()).zh} {when.hour:02d}:{when.minute:02d}"


def status_line(result: VerificationResult, now: datetime) -> dict[str, Any] | None:
    """When the status behind this verdict was fetched (the oldest list), or None when none was read."""
    lists = result.info.get("statusLists")
    stamps = [
        item["fetchedAt"]
        for item in (lists if isinstance(lists, list) else [])
        if isinstance(item, Mapping) and isinstance(item.get("fetchedAt"), str)
    ]
    oldest: datetime | None = None
    for stamp in stamps:
        try:
            when = parse_datetime(stamp, field="fetchedAt")
        except SkillcredError:
            continue
        oldest = when if oldest is None or when < oldest else oldest
    if oldest is None:
        return None
    return {
        "fetchedAt": oldest.isoformat(),
        "beijing": _chinese_minute(oldest.astimezone(BEIJING)),
        "ageSeconds": max(0, int((now - oldest).total_seconds())),
    }


def cannot_prove(subject: Mapping[str, Any]) -> list[dict[str, str]]:
    """What a verified result of this credential still does not prove."""
    out = [dict(HOLDER_NOT_PROVEN)]
    grants = subject.get("grants")
    grants = grants if isinstance(grants, list) else []
    if "eligibility-to-apply" in grants:
        out.append(dict(NOT_A_TITLE))
    if "education-equivalent-treatment" in grants:
        out.append(dict(NOT_A_DEGREE))
    return out


def verdict(result: VerificationResult, subject: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The verdict block of one credential."""
    codes = _codes(result)
    return {
        "tone": tone_of(codes, result.verified),
        "headline": headline(codes, result.verified),
        "trusted": trusted_content(result),
        "status": status_line(result, now),
        "cannotProve": cannot_prove(subject),
    }


def presentation_verdict(result: VerificationResult, cards: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The presentation's verdict: its own problems first (challenge, holder), else its worst card."""
    own = {p.code for c in result.checks if c.name != CheckName.CREDENTIALS for p in c.problems}
    if own or result.verified:
        return {"tone": tone_of(own, result.verified), "headline": headline(own, result.verified)}
    rank = {"failed": 0, "unchecked": 1, "incomplete": 2, "verified": 3}
    worst: Mapping[str, Any] = min(
        (card.get("verdict", {}) for card in cards), key=lambda v: rank.get(v.get("tone", "failed"), 0), default={}
    )
    if not worst:
        return {"tone": "failed", "headline": headline(set(), False)}
    return {"tone": worst["tone"], "headline": worst["headline"]}
