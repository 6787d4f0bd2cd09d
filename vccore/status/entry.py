"""The issuer's side of Bitstring Status List v1.0: status entries, list credentials and their vocabulary.

Contract: :func:`status_entry` builds a ``BitstringStatusListEntry`` (section 2.1) and
:func:`status_list_credential` the unsigned ``BitstringStatusListCredential`` (section 2.2) that
publishes a :class:`vccore.status.bitstring.StatusList`; both validate their parameters and raise
:class:`ValueError`/:class:`TypeError` naming the offending one. Only the purposes ``revocation``
and ``suspension`` (:data:`PURPOSES`) are supported. The type names and the VC 2.0 context here
are also what :mod:`vccore.status.check` checks on the verifier's side.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from vccore.status.bitstring import StatusList
from vccore.timeutil import format_datetime, require_aware

__all__ = [
    "CREDENTIAL_TYPE",
    "ENTRY_TYPE",
    "LIST_TYPE",
    "PURPOSES",
    "VC_V2_CONTEXT",
    "StatusPurpose",
    "status_entry",
    "status_list_credential",
]

VC_V2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
ENTRY_TYPE: Final = "BitstringStatusListEntry"
CREDENTIAL_TYPE: Final = "BitstringStatusListCredential"
LIST_TYPE: Final = "BitstringStatusList"

StatusPurpose = Literal["revocation", "suspension"]
PURPOSES: Final[tuple[str, ...]] = ("revocation", "suspension")


def status_entry(list_url: str, index: int, *, purpose: StatusPurpose, length: int | None = None) -> dict[str, Any]:
    """A ``BitstringStatusListEntry`` (section 2.1) for ``index`` in the list at ``list_url``.

    ``id`` is ``<list_url>#<index>`` and ``statusListIndex`` a decimal string, as in the spec's
    examples. When ``length`` is given the index is checked against it.
    """
    _check_url(list_url)
    _check_purpose(purpose)
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError(f"index: expected a non-negative int, got {index!r}")
    if length is not None and index >= length:
        raise ValueError(f"index: {index} is outside a list of {length} bits")
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(
    list_url: str,
    status_list: StatusList,
    *,
    issuer: str,
    purpose: StatusPurpose,
    now: datetime,
    ttl: timedelta,
    contexts: Iterable[str] = (VC_V2_CONTEXT,),
) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` (section 2.2) publishing ``status_list``.

    ``validFrom`` is ``now`` and ``validUntil`` is ``now + ttl`` (both UTC, whole seconds): the
    list's own expiry, which verifiers cache until (SECURITY.md item 13). The subject id is
    ``<list_url>#list``. The first context must be the VC 2.0 one.
    """
    _check_url(list_url)
    _check_purpose(purpose)
    if not isinstance(status_list, StatusList):
        raise TypeError(f"status_list: expected StatusList, got {type(status_list).__name__}")
    if not isinstance(issuer, str) or not issuer:
        raise ValueError(f"issuer: expected a non-empty string, got {issuer!r}")
    if not isinstance(ttl, timedelta) or ttl <= timedelta(0):
        raise ValueError(f"ttl: expected a positive timedelta, got {ttl!r}")
    ctx = list(contexts)
    if not ctx or ctx[0] != VC_V2_CONTEXT:
        raise ValueError(f"contexts: the first context must be {VC_V2_CONTEXT}, got {ctx!r}")
    start = require_aware(now).replace(microsecond=0)
    return {
        "@context": ctx,
        "id": list_url,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": format_datetime(start),
        "validUntil": format_datetime(start + ttl),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": LIST_TYPE,
            "statusPurpose": purpose,
            "encodedList": status_list.encode(),
        },
    }


# --- helpers ----------------------------------------------------------------------------------


def _check_url(url: str) -> None:
    # ``url.split() == [url]``: non-empty and no whitespace (str.isspace's sense), without a loop per character
    if not isinstance(url, str) or "#" in url or url.split() != [url]:
        raise ValueError(f"list_url: expected an absolute URL without fragment, got {url!r}")


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise ValueError(f"purpose: expected one of {PURPOSES}, got {purpose!r}")
