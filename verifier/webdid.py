"""did:web resolution for the verifier, through the guarded fetcher (SECURITY.md item 14).

:func:`vccore.did.web.resolve` reports every failure as ``DID_RESOLUTION_ERROR``; a verifier wants to
say when the host policy refused the address (a private, loopback or link-local target), so a
refusal by the fetcher keeps its ``FETCH_NOT_ALLOWED`` code here.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from vccore.did import web as didweb
from vccore.did.resolver import DidWebResolve
from vccore.errors import Code, FetchNotAllowed, ResolutionError
from vccore.fetch import Fetcher


def web_resolver(fetcher: Fetcher, *, allow_ip_hosts: Collection[str] = ()) -> DidWebResolve:
    """A ``did:web`` resolve function for :class:`vccore.did.resolver.DidResolver`."""

    def resolve(did: str) -> dict[str, Any]:
        try:
            return didweb.resolve(did, fetcher=fetcher, allow_ip_hosts=allow_ip_hosts)
        except ResolutionError as err:
            if isinstance(err.__cause__, FetchNotAllowed):
                raise ResolutionError(err.detail, code=Code.FETCH_NOT_ALLOWED) from err
            raise

    return resolve
