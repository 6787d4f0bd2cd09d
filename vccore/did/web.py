"""did:web resolution through an injected :class:`~vccore.fetch.Fetcher` (did:web method spec,
W3C CCG, section 3.2 "Read (Resolve)").

``did:web:example.com`` reads ``https://example.com/.well-known/did.json``;
``did:web:example.com:user:alice`` reads ``https://example.com/user/alice/did.json``; a port is
written percent-encoded, ``did:web:localhost%3A8443``. The method-specific identifier is validated
strictly before anything is fetched: lower-case DNS host names only (no IP literal unless allowed,
no userinfo, no ``%`` other than the port's ``%3A``, upper case), a port 1-65535 without leading zeros, path
segments of ``[A-Za-z0-9._~-]`` only, no empty, ``.`` or ``..`` segment, and no query or fragment
(this resolves DIDs; a DID URL is dereferenced by :mod:`vccore.did.resolver`).

The fetcher owns the network policy (HTTPS, public addresses, no redirects, timeouts, caps;
SECURITY.md item 14); this module adds a size cap, strict JSON, and the rule that the document's
``id`` equals the DID (Controlled Identifiers 1.0, section 3.1 / did:web section 3.2 step 6).
Every failure is a :class:`ResolutionError` chained from its cause; a mismatched ``id`` carries the
code ``INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID``, everything else ``DID_RESOLUTION_ERROR``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection
from typing import Any, Final

from vccore import jsonstrict
from vccore.errors import Code, ResolutionError, ResourceLimitError, SkillcredError
from vccore.fetch import Fetcher

PREFIX: Final = "did:web:"
MAX_DID_LENGTH: Final = 2048
DEFAULT_MAX_BYTES: Final = 256 * 1024
DEFAULT_MAX_DEPTH: Final = 32
_LABEL: Final = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_PATH_SEGMENT: Final = re.compile(r"[A-Za-z0-9._~-]+")
_PORT: Final = re.compile(r"[1-9][0-9]{0,4}")
_NUMERIC_LABEL: Final = re.compile(r"(0x[0-9a-f]*|[0-9]+)")


def did_to_url(did: str, *, allow_ip_hosts: Collection[str] = ()) -> str:
    """The HTTPS URL of a did:web DID's document (did:web section 3.2, steps 1-5).

    Raises :class:`ResolutionError` for anything but a strictly valid did:web DID. Hosts listed in
    ``allow_ip_hosts`` (for tests) may be IPv4 literals.
    """
    if not isinstance(did, str):
        raise TypeError(f"did: expected str, got {type(did).__name__}")
    if not did.startswith(PREFIX):
        raise ResolutionError(f"not a did:web DID: {did[:80]!r}")
    if len(did) > MAX_DID_LENGTH or not did.isascii():
        raise ResolutionError(f"{did[:80]!r}: too long or not ASCII")
    if any(c in did for c in "?#/@\\") or any(c.isspace() or ord(c) < 0x20 for c in did):
        raise ResolutionError(
            f"{did[:80]!r}: '?', '#', '/', '@', '\\', spaces and controls are not allowed in a did:web identifier"
        )
    segments = did[len(PREFIX) :].split(":")
    if any(not seg for seg in segments):
        raise ResolutionError(f"{did[:80]!r}: empty segment")
    authority = _authority(segments[0], did, allow_ip_hosts)
    path = segments[1:]
    for seg in path:
        if not _PATH_SEGMENT.fullmatch(seg) or seg in (".", ".."):
            raise ResolutionError(f"{did[:80]!r}: path segment {seg[:40]!r} is not allowed")
    return f"https://{authority}/" + ("/".join(path) if path else ".well-known") + "/did.json"


def _authority(encoded: str, did: str, allow_ip_hosts: Collection[str]) -> str:
    """Validate ``host[%3Aport]`` and return ``host[:port]``."""
    host, sep, port = encoded.partition("%3A")
    if "%" in host or "%" in port:
        raise ResolutionError(f"{did[:80]!r}: only the port separator %3A may be percent-encoded")
    if sep and not (_PORT.fullmatch(port) and int(port) <= 65535):
        raise ResolutionError(f"{did[:80]!r}: bad port {port[:10]!r}")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in host.split(".")):
        raise ResolutionError(f"{did[:80]!r}: host {host[:80]!r} is not a lower-case DNS name")
    if _NUMERIC_LABEL.fullmatch(host.rsplit(".", 1)[-1]):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise ResolutionError(f"{did[:80]!r}: host {host!r} is not a valid name") from None
        if host not in allow_ip_hosts:
            raise ResolutionError(f"{did[:80]!r}: an IP address is not allowed as the host")
    return f"{host}:{port}" if sep else host


def resolve(
    did: str,
    *,
    fetcher: Fetcher,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    allow_ip_hosts: Collection[str] = (),
) -> dict[str, Any]:
    """Fetch and check the DID document of ``did`` (did:web section 3.2).

    The body must be at most ``max_bytes`` and strict JSON (:func:`vccore.jsonstrict.loads`) holding
    an object whose ``id`` is exactly ``did``. Raises :class:`ResolutionError` on every failure,
    chained from the fetcher's or parser's error.
    """
    url = did_to_url(did, allow_ip_hosts=allow_ip_hosts)
    try:
        response = fetcher.fetch(url)
    except SkillcredError as err:
        raise ResolutionError(f"{did}: fetching {url} failed: {err}") from err
    if len(response.body) > max_bytes:
        cause = ResourceLimitError(f"{len(response.body)} bytes > {max_bytes}")
        raise ResolutionError(f"{did}: the DID document exceeds {max_bytes} bytes") from cause
    try:
        document = jsonstrict.loads(response.body, max_bytes=max_bytes, max_depth=max_depth)
    except SkillcredError as err:
        raise ResolutionError(f"{did}: the DID document is not strict JSON: {err}") from err
    if not isinstance(document, dict):
        raise ResolutionError(f"{did}: the DID document is not a JSON object")
    if document.get("id") != did:
        raise ResolutionError(
            f"{did}: the DID document's id {str(document.get('id'))[:120]!r} is not the DID",
            code=Code.INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID,
        )
    return document
