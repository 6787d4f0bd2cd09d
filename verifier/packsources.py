"""What a trust pack is built from, gathered for ``skillcred verifier pack build``: the DID documents and
status list snapshots it can derive or fetch, and what it still lacks.

* did:key documents are derived from the DIDs the trust lists name (no network).
* ``--status-from URL`` fetches status lists from an issuer the operator names: an issuer's base URL (its
  lists are listed at ``URL/status/``) or one list's URL (``…/status/ID``). A did:web issuer's DID
  document is fetched from the same server (``/.well-known/did.json`` or ``/PATH/did.json``) when none
  was given. The operator names these URLs, so plain http and local addresses are accepted for them
  (a demo or an issuer on the same machine); nothing else is fetched.
* :func:`missing` says, per trusted issuer, what an offline verifier will lack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from vccore import jsonstrict
from vccore.credentials import issuer_id, types_of
from vccore.did.resolver import DidResolver
from vccore.errors import Code, SkillcredError
from vccore.fetch import Fetcher, HttpsFetcher
from vccore.trust.lists import TrustList
from vccore.trust.pack import StatusSnapshot

_ONE_LIST = re.compile(r"/status/[^/]+$")
#: the operator names the URLs fetched: local and private addresses are allowed for them
_LOCAL_NETWORKS = ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
_MAX_BYTES = 4 * 1024 * 1024


@dataclass
class Fetched:
    """Status snapshots and DID documents fetched from the issuers named with ``--status-from``."""

    snapshots: list[StatusSnapshot]
    did_documents: dict[str, dict[str, Any]]


def operator_fetcher(urls: Iterable[str]) -> HttpsFetcher:
    """A fetcher limited to the hosts of ``urls``; http and local addresses allowed for them only."""
    hosts = {(urlsplit(u).hostname or "").lower() for u in urls}
    return HttpsFetcher(
        allowed_hosts=hosts, allow_http_hosts=hosts, allow_networks=_LOCAL_NETWORKS, max_bytes=_MAX_BYTES
    )


def _get(fetcher: Fetcher, url: str) -> Any:
    response = fetcher.fetch(url)
    if response.status != 200:
        raise SkillcredError(f"{url}: HTTP {response.status}", code=Code.STATUS_RETRIEVAL_ERROR)
    return jsonstrict.loads(response.body, max_bytes=_MAX_BYTES)


def fetch_from_issuers(
    urls: Sequence[str], *, fetcher: Fetcher, have_documents: Iterable[str], now: datetime
) -> Fetched:
    """Fetch the status lists (and did:web documents not yet held) of the issuers at ``urls``. Raises
    :class:`SkillcredError` naming the URL that failed."""
    out = Fetched([], {})
    have = set(have_documents)
    for url in urls:
        url = url.rstrip("/")
        if _ONE_LIST.search(urlsplit(url).path):
            list_urls, did = [url], None
        else:
            index = _get(fetcher, f"{url}/status/")
            if not isinstance(index, Mapping) or not isinstance(index.get("statusLists"), list):
                raise SkillcredError(f"{url}/status/ is not an issuer's status list index", code=Code.PARSING_ERROR)
            did = index.get("issuer") if isinstance(index.get("issuer"), str) else None
            list_urls = [f"{url}/status/{str(u).rsplit('/', 1)[-1]}" for u in index["statusLists"]]
        for list_url in list_urls:
            credential = _get(fetcher, list_url)
            if not isinstance(credential, Mapping) or "BitstringStatusListCredential" not in types_of(credential):
                raise SkillcredError(f"{list_url} is not a status list credential", code=Code.PARSING_ERROR)
            if not isinstance(credential.get("id"), str):
                raise SkillcredError(f"{list_url}: the status list credential has no id", code=Code.PARSING_ERROR)
            out.snapshots.append(StatusSnapshot(str(credential["id"]), dict(credential), now))
            did = did or issuer_id(credential)
        if did and did.startswith("did:web:") and did not in have:
            out.did_documents[did] = _did_web_document(fetcher, url, did)
            have.add(did)
    return out


def issuer_document(url: str, *, fetcher: Fetcher) -> tuple[str, dict[str, Any]]:
    """The DID and DID document of the issuer served at ``url`` (its base URL): the DID from its status list
    index, the document derived (did:key) or fetched from the same server (did:web)."""
    url = url.rstrip("/")
    index = _get(fetcher, f"{url}/status/")
    did = index.get("issuer") if isinstance(index, Mapping) else None
    if not isinstance(did, str) or not did.startswith(("did:key:", "did:web:")):
        raise SkillcredError(f"{url}/status/ does not name a did:key or did:web issuer", code=Code.PARSING_ERROR)
    if did.startswith("did:key:"):
        return did, DidResolver().resolve(did)
    return did, _did_web_document(fetcher, url, did)


def _did_web_document(fetcher: Fetcher, url: str, did: str) -> dict[str, Any]:
    parts = urlsplit(url)
    path = did.removeprefix("did:web:").split(":")[1:]
    where = f"{parts.scheme}://{parts.netloc}/" + ("/".join(path) + "/did.json" if path else ".well-known/did.json")
    document = _get(fetcher, where)
    if not isinstance(document, Mapping) or document.get("id") != did:
        raise SkillcredError(f"{where} is not the DID document of {did}", code=Code.PARSING_ERROR)
    return dict(document)


def did_key_documents(trust_lists: Iterable[TrustList]) -> dict[str, dict[str, Any]]:
    """The DID document of every did:key issuer the lists name (derived from the DID itself)."""
    resolver = DidResolver()
    return {
        entry.did: resolver.resolve(entry.did)
        for trust in trust_lists
        for entry in trust.issuers
        if entry.did.startswith("did:key:")
    }


def missing(
    trust_lists: Iterable[TrustList],
    *,
    did_documents: Mapping[str, Any],
    snapshots: Iterable[StatusSnapshot],
    rule_credentials: Iterable[Mapping[str, Any]],
) -> list[str]:
    """One line (zh, then en) per thing an offline verifier of this pack will lack, per trusted issuer."""
    with_status = {issuer_id(s.credential) for s in snapshots}
    with_rules = {issuer_id(r) for r in rule_credentials}
    lines = []
    for trust in trust_lists:
        for entry in trust.issuers:
            who = f"{entry.name_zh} / {entry.name_en} ({entry.did})"
            if entry.did.startswith("did:web:") and entry.did not in did_documents:
                lines.append(
                    f"缺少 DID 文档：{who}；离线无法核验其签名。 No DID document for {who}: offline, its proofs "
                    "cannot be checked; give --did-document FILE or --status-from its URL (or verify --online)."
                )
            if entry.did not in with_status:
                lines.append(
                    f"缺少状态列表快照：{who}；离线核验其凭证会报 STATUS_RETRIEVAL_ERROR。 No status list snapshot "
                    f"for {who}: offline, its credentials fail with STATUS_RETRIEVAL_ERROR; give --status-from "
                    "its URL or --status FILE (or verify --online)."
                )
            if "RecognitionRuleCredential" in entry.credential_types and entry.did not in with_rules:
                lines.append(
                    f"缺少规则凭证：{who}；其认定无法离线核验。 No rule credentials of {who}: its recognitions "
                    "cannot be checked; give --rules FILE (skillcred issuer rules publish --out FILE)."
                )
    return lines
