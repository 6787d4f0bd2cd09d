"""QR capacity arithmetic: which QR version a payload needs at an error-correction level.

Contract: :data:`ALNUM_CAPACITY` is the alphanumeric-mode column of ISO/IEC 18004:2015, 7.4.10,
Table 7 for versions 1..40 and levels L, M, Q, H (``tests/vccore/qr/test_qr.py`` recomputes every
entry). :func:`capacity` reads it, :func:`required_version` finds the smallest version holding a
payload in one alphanumeric segment, and :func:`fit` refuses (``QR_TOO_LARGE``, in English and
Chinese) payloads that would need a symbol denser than ``max_version``, by default the project's
limit for a phone-scannable code (:data:`DEFAULT_MAX_VERSION`). No image code here: rendering is
:mod:`vccore.qr.render`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from vccore.errors import Code, SkillcredError
from vccore.qr.base45 import ALNUM_RE

__all__ = [
    "ALNUM_CAPACITY",
    "DEFAULT_EC",
    "DEFAULT_MAX_VERSION",
    "MAX_PAYLOAD_CHARS",
    "EcLevel",
    "capacity",
    "ec_level",
    "fit",
    "required_version",
]

EcLevel = Literal["L", "M", "Q", "H"]

#: Default error-correction level: M restores about 15 % of damaged codewords, the usual choice
#: for printed documents that may be folded or scuffed.
DEFAULT_EC: Final[EcLevel] = "M"
#: The project's limit for a phone-scannable code: version 25 (117 x 117 modules). Denser symbols
#: need a steady hand, a good camera and a large print; beyond this use a reference payload.
DEFAULT_MAX_VERSION: Final = 25

# QR alphanumeric-mode capacity in characters for versions 1..40 (index 0 is version 1), per
# error-correction level. Source: ISO/IEC 18004:2015, 7.4.10, Table 7 ("Number of symbol
# characters and input data capacity for QR Code"), column "Alphanumeric". Each value is the
# largest n with 4 + CCI + 11*floor(n/2) + 6*(n mod 2) <= 8 * data codewords (Table 9), where the
# character-count indicator CCI is 9 bits for versions 1-9, 11 for 10-26 and 13 for 27-40
# (Table 3); tests/vccore/qr/test_qr.py recomputes every entry from that rule.
ALNUM_CAPACITY: Final[Mapping[EcLevel, tuple[int, ...]]] = {
    "L": (
        25,
        47,
        77,
        114,
        154,
        195,
        224,
        279,
        335,
        395,
        468,
        535,
        619,
        667,
        758,
        854,
        938,
        1046,
        1153,
        1249,
        1352,
        1460,
        1588,
        1704,
        1853,
        1990,
        2132,
        2223,
        2369,
        2520,
        2677,
        2840,
        3009,
        3183,
        3351,
        3537,
        3729,
        3927,
        4087,
        4296,
    ),
    "M": (
        20,
        38,
        61,
        90,
        122,
        154,
        178,
        221,
        262,
        311,
        366,
        419,
        483,
        528,
        600,
        656,
        734,
        816,
        909,
        970,
        1035,
        1134,
        1248,
        1326,
        1451,
        1542,
        1637,
        1732,
        1839,
        1994,
        2113,
        2238,
        2369,
        2506,
        2632,
        2780,
        2894,
        3054,
        3220,
        3391,
    ),
    "Q": (
        16,
        29,
        47,
        67,
        87,
        108,
        125,
        157,
        189,
        221,
        259,
        296,
        352,
        376,
        426,
        470,
        531,
        574,
        644,
        702,
        742,
        823,
        890,
        963,
        1041,
        1094,
        1172,
        1263,
        1322,
        1429,
        1499,
        1618,
        1700,
        1787,
        1867,
        1966,
        2071,
        2181,
        2298,
        2420,
    ),
    "H": (
        10,
        20,
        35,
        50,
        64,
        84,
        93,
        122,
        143,
        174,
        200,
        227,
        259,
        283,
        321,
        365,
        408,
        452,
        493,
        557,
        587,
        640,
        672,
        744,
        779,
        864,
        910,
        958,
        1016,
        1080,
        1150,
        1226,
        1307,
        1394,
        1431,
        1530,
        1591,
        1658,
        1774,
        1852,
    ),
}

#: The largest payload any QR code can carry in alphanumeric mode (version 40-L). Longer input
#: cannot have come from a QR code and is refused before decoding.
MAX_PAYLOAD_CHARS: Final = ALNUM_CAPACITY["L"][-1]


_EC_LEVELS: Final[Mapping[str, EcLevel]] = {"L": "L", "M": "M", "Q": "Q", "H": "H"}


def ec_level(ec: str) -> EcLevel:
    """``ec`` as an :data:`EcLevel`; :class:`ValueError` unless it is one of L, M, Q, H."""
    level = _EC_LEVELS.get(ec) if isinstance(ec, str) else None
    if level is not None:
        return level
    raise ValueError(f"error-correction level must be one of L, M, Q, H, not {ec!r}")


def capacity(version: int, ec: str = DEFAULT_EC) -> int:
    """Alphanumeric characters a version-``version`` symbol holds at level ``ec`` (Table 7)."""
    if not 1 <= version <= 40:
        raise ValueError(f"QR version must be 1..40, not {version}")
    return ALNUM_CAPACITY[ec_level(ec)][version - 1]


def required_version(payload: str, ec: str = DEFAULT_EC) -> int | None:
    """The smallest QR version holding ``payload`` in one alphanumeric segment, or None when no
    version does. Raises :class:`ValueError` if ``payload`` has characters outside the set."""
    if not ALNUM_RE.fullmatch(payload):
        raise ValueError("payload has characters outside the QR alphanumeric set")
    table = ALNUM_CAPACITY[ec_level(ec)]
    n = len(payload)
    for version, cap in enumerate(table, start=1):
        if n <= cap:
            return version
    return None


def fit(payload: str, *, max_version: int = DEFAULT_MAX_VERSION, ec: str = DEFAULT_EC) -> int:
    """The QR version to render ``payload`` with, at most ``max_version``.

    Raises :class:`SkillcredError` with ``QR_TOO_LARGE`` (message in English and Chinese) when
    the payload needs a larger, denser symbol than ``max_version``: such a code would not scan
    reliably, and the caller should issue a reference payload (:func:`encode_reference`) instead.
    """
    if not 1 <= max_version <= 40:
        raise ValueError(f"max_version must be 1..40, not {max_version}")
    level = ec_level(ec)
    version = required_version(payload, level)
    if version is None or version > max_version:
        limit = ALNUM_CAPACITY[level][max_version - 1]
        raise SkillcredError(
            f"the QR payload has {len(payload)} characters; a reliably scannable code "
            f"(version {max_version}, level {level}) holds at most {limit}. Use a reference QR code "
            f"(URL + SHA-256) instead. / 二维码内容共 {len(payload)} 个字符，可可靠扫描的二维码"
            f"（版本 {max_version}，纠错等级 {level}）最多容纳 {limit} 个字符，请改用引用式二维码"
            "（网址 + SHA-256 摘要）。",
            code=Code.QR_TOO_LARGE,
        )
    return version
