"""Pinned JSON-LD contexts: the only contexts skillcred ever processes.

Each entry names the URL a document uses, the file shipped beside this module and the SHA-256 of
its bytes. The W3C files are byte-identical copies of the published documents (see
`../shared/README.md` for their sources and licenses); the digests marked "published" are the ones
the Recommendations print. A file whose bytes do not match its digest is refused when loaded, so a
corrupted or edited install fails loudly instead of changing what signatures mean.

Standard library only (ARCHITECTURE.md: `contexts` imports nothing of the project).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

SKILLCRED_V1 = "https://w3id.org/skillcred/v1"
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"


@dataclass(frozen=True)
class PinnedContext:
    url: str
    file: str
    sha256: str
    #: only for test vectors: never accepted by the production verifier's allow-list
    test_only: bool = False


INDEX: tuple[PinnedContext, ...] = (
    PinnedContext(
        CREDENTIALS_V2, "credentials-v2.jsonld", "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"
    ),
    PinnedContext(
        CREDENTIALS_V1, "credentials-v1.jsonld", "ab4ddd9a531758807a79a5b450510d61ae8d147eab966cc9a200c07095b0cdcc"
    ),
    PinnedContext(
        "https://www.w3.org/ns/credentials/examples/v2",
        "credentials-examples-v2.jsonld",
        "57393fbc69d6efb9b9b5dc9cb6b9880b0944360abfe2eaf459c9e58cf2279d7c",
        test_only=True,
    ),
    PinnedContext(
        "https://www.w3.org/2018/credentials/examples/v1",
        "credentials-examples-v1.jsonld",
        "2070ae4e75bc3b4c2cfe2b8b6e86ec45119672bbb5da283f0399ea96c60a0104",
        test_only=True,
    ),
    PinnedContext(
        "https://w3id.org/security/data-integrity/v2",
        "data-integrity-v2.jsonld",
        "67f21e6e33a6c14e5ccfd2fc7865f7474fb71a04af7e94136cb399dfac8ae8f4",
    ),
    PinnedContext(
        "https://w3id.org/security/data-integrity/v1",
        "data-integrity-v1.jsonld",
        "b5d829bd09aa7c42abc6efa0c8ed7635313b5487f37ccfce3ecd149ca9418554",
    ),
    PinnedContext(
        "https://w3id.org/security/multikey/v1",
        "multikey-v1.jsonld",
        "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597",
    ),
    PinnedContext(
        "https://w3id.org/security/jwk/v1",
        "jwk-v1.jsonld",
        "0f14b62f6071aafe00df265770ea0c7508e118247d79b7d861a406d2aa00bece",
    ),
    PinnedContext(
        "https://w3id.org/security/suites/ed25519-2020/v1",
        "ed25519-signature-2020-v1.jsonld",
        "b9e1ab971fd8bf2c7553e0c4a9438e0b9450afde1ea1ca5b2492368b9f549588",
    ),
    PinnedContext(
        "https://www.w3.org/ns/did/v1",
        "did-v1.jsonld",
        "4f3eae5568c9c5f036a082088f9e192019ee06faa78973c87ff91d5421b88dad",
    ),
    PinnedContext(
        "https://www.w3.org/ns/cid/v1",
        "cid-v1.jsonld",
        "ea216ecc1cb02cd39b693dba2250141e270ba0bf95890be107dd9a9e8e43de85",
    ),
    PinnedContext(
        "https://www.w3.org/ns/credentials/status/v1",
        "bitstring-status-list-v1.jsonld",
        "fda5add353231e6a6884a46b12e6c75464281900cb348284d9c360f62381d9f7",
    ),
    PinnedContext(
        "https://w3id.org/vc/status-list/2021/v1",
        "vc-status-list-2021-v1.jsonld",
        "6dd06a52bedb771e059c1083ba8ba7848dce22f6b4a8cfa0b98ba3fc188870e4",
    ),
    PinnedContext(
        "https://w3id.org/citizenship/v4rc1",
        "citizenship-v4rc1.jsonld",
        "5038c7383afd7ab2158f1b997913a8f60978a0abcf96e0b0d08e29f146d2db1e",
        test_only=True,
    ),
    PinnedContext(
        SKILLCRED_V1, "skillcred-v1.jsonld", "53ca04e5b1d9b55ae862c590dda696b7a21b6640aaf503cccf8c4d22a6ea4a99"
    ),
)

_BY_URL = {c.url: c for c in INDEX}


class ContextIntegrityError(RuntimeError):
    """A shipped context file does not match its pinned digest: the install is broken."""


def pinned(url: str) -> PinnedContext | None:
    return _BY_URL.get(url)


def urls(*, include_test_only: bool = False) -> frozenset[str]:
    return frozenset(c.url for c in INDEX if include_test_only or not c.test_only)


@cache
def raw_bytes(url: str) -> bytes:
    """The exact bytes of a pinned context, checked against its SHA-256."""
    entry = _BY_URL.get(url)
    if entry is None:
        raise KeyError(url)
    data = resources.files(__name__).joinpath(entry.file).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry.sha256:
        raise ContextIntegrityError(f"{entry.file}: sha256 {digest} != pinned {entry.sha256}")
    return data


@cache
def _parsed(url: str) -> Any:
    return json.loads(raw_bytes(url).decode("utf-8"))


def load(url: str) -> Any:
    """The parsed context document. Callers get a shared object: never mutate it (the loader copies)."""
    return _parsed(url)


def vocabulary() -> Any:
    """The bilingual companion vocabulary (labels and definitions in zh and en) of skillcred v1."""
    data = resources.files(__name__).joinpath("skillcred-vocab-v1.json").read_bytes()
    return json.loads(data.decode("utf-8"))
