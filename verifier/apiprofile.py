"""The presentation profiles: how ``POST /presentations/verify`` holds a presentation to a challenge, a
domain and a holder (``skillcred verifier serve --api-profile``; docs/conformance.md).

==============  ===============================================  =========================================
                ``skillcred`` (the default)                      ``vc-api`` (VC-API semantics)
==============  ===============================================  =========================================
challenge       required; issued by this verifier                checked against the proof when the caller
                (``POST /challenges``), unexpired, consumed      gives ``options.challenge``; the caller
                once                                             owns it (no store, nothing consumed)
domain          the proof's must be this verifier's              checked against the proof when the caller
                                                                 gives ``options.domain``
holder          required (a DID); the proof's key is the         optional; when present the proof's key is
                holder's                                         the holder's. Required when the caller
                                                                 asks (``options.requireHolder: true``) or
                                                                 a credential is one of skillcred's own
holder binding  every credential's ``credentialSubject.id`` is   only for skillcred's own credentials (whose
                the holder                                       context is skillcred's), and for all when
                                                                 the caller asks (``requireHolder``)
credentials     at least one (``NOTHING_PRESENTED``): a          none is allowed (VC 2.0: a presentation
                presentation of nothing proves only that         MAY carry credentials; an authentication
                someone holds a key, never a verdict             alone is the caller's to judge)
==============  ===============================================  =========================================

Either way the presentation must carry a valid ``authentication`` proof, and every credential in it is
verified in full (proof, validity, status, trust, recognition chains). The scan page always uses the
``skillcred`` rules with the verifier's own challenge store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import contexts


@dataclass(frozen=True)
class PresentationRules:
    """See the module docstring. ``own_challenges``: the challenge must come from this verifier's store
    (and its domain be this verifier's); ``require_holder`` and ``bind_all``: holder and holder binding
    for every presentation, not only for skillcred's own credentials; ``require_credentials``: a
    presentation must carry at least one credential."""

    name: str
    own_challenges: bool
    require_holder: bool
    bind_all: bool
    require_credentials: bool

    def with_caller_options(self, options: Mapping[str, Any]) -> PresentationRules:
        """These rules with what a VC-API caller may tighten (``requireHolder``), never loosen."""
        if options.get("requireHolder") is True:
            return PresentationRules(self.name, self.own_challenges, True, True, self.require_credentials)
        return self


SKILLCRED: Final = PresentationRules(
    "skillcred", own_challenges=True, require_holder=True, bind_all=True, require_credentials=True
)
VC_API: Final = PresentationRules(
    "vc-api", own_challenges=False, require_holder=False, bind_all=False, require_credentials=False
)
PROFILES: Final = {p.name: p for p in (SKILLCRED, VC_API)}


def is_skillcred_own(credential: Any) -> bool:
    """Whether ``credential`` is one of skillcred's own (it uses skillcred's context): such a credential
    is always bound to its holder."""
    if not isinstance(credential, Mapping):
        return False
    ctx = credential.get("@context")
    return contexts.SKILLCRED_V1 in (ctx if isinstance(ctx, list) else [ctx])
