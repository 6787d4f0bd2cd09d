"""Proof purposes (VC Data Integrity 1.0 section 2.2; Controlled Identifiers 1.0 section 3.3).

``assertionMethod``: the verification method must be listed under its controller document's
``assertionMethod``; when ``controller`` is given (the credential's issuer), the method's controller
must be exactly that. ``authentication``: listed under ``authentication``, and the proof's
``challenge`` and ``domain`` must equal the expected ones (SECURITY.md item 11).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vccore.errors import Code
from vccore.result import Problem


@dataclass(frozen=True)
class AssertionPurpose:
    #: expected controller (the issuer's DID); None checks the key's own document only (proof layer)
    controller: str | None = None

    term = "assertionMethod"
    relationship = "assertionMethod"

    def check_proof(self, proof: Mapping[str, Any]) -> list[Problem]:
        return []


@dataclass(frozen=True)
class AuthenticationPurpose:
    challenge: str | None = None
    domain: str | None = None
    controller: str | None = None

    term = "authentication"
    relationship = "authentication"

    def check_proof(self, proof: Mapping[str, Any]) -> list[Problem]:
        problems: list[Problem] = []
        if self.challenge is not None and proof.get("challenge") != self.challenge:
            problems.append(
                Problem(
                    Code.INVALID_CHALLENGE_ERROR, "the proof's challenge is not the expected one", "/proof/challenge"
                )
            )
        if self.domain is not None:
            got = proof.get("domain")
            ok = got == self.domain or (isinstance(got, list) and self.domain in got)
            if not ok:
                problems.append(
                    Problem(Code.INVALID_DOMAIN_ERROR, "the proof's domain is not the expected one", "/proof/domain")
                )
        return problems


Purpose = AssertionPurpose | AuthenticationPurpose
