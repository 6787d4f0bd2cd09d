"""QR symbol construction: a payload to a finished :class:`QRMatrix`, with version and mask chosen here.

Contract: :func:`build_matrix` returns the symbol for a payload of QR alphanumeric characters, at
the smallest version the capacity table allows (:func:`vccore.qr.capacity.fit`, which raises
``QR_TOO_LARGE`` above ``max_version``) and the lowest-penalty mask (the first on ties), equal to
``QRCode.best_mask_pattern()``. :func:`mask_penalties` exposes the eight penalties for audits.
The only module that imports the untyped ``qrcode`` library (``LIBRARY_HOMES`` in
``tests/test_architecture.py``); everything it returns is typed.

``qrcode`` builds the symbol (data encoding, Reed-Solomon codewords, module placement), but two of
its choices are made here instead, for speed and predictability:

* **Version.** It is fixed from the ISO/IEC 18004 capacity table (:func:`vccore.qr.payload.fit`), which
  also refuses payloads too large for a phone-scannable code, so ``qrcode`` never searches for it.
  The payload is one alphanumeric-mode segment (``QRData(..., mode=MODE_ALPHA_NUM)``), never split
  into byte-mode chunks by ``qrcode``'s optimiser.
* **Mask.** ``qrcode``'s default path places the data eight times and scores each mask with a
  pure-Python per-module penalty function (``util.lost_point``); that is most of
  ``qrcode.make()``'s run time. Here the data is placed once, the unmasked symbol is recovered,
  and the eight masked symbols are scored with the same four ISO/IEC 18004:2015 7.8.3 penalty
  rules (Table 11) evaluated on whole-symbol bitboards: all rows (and, separately, all columns)
  packed into one Python int, a separator bit between rows so runs never wrap. Each rule becomes a
  few shifts, ANDs and popcounts. The lowest-penalty mask (the first, on ties) is chosen, which is
  the standard's rule and equals ``QRCode.best_mask_pattern()`` (tested).

Penalty conventions, the same as ``qrcode``'s (the standard leaves these open):

* The symbol is scored before format and version information are written (ISO/IEC 18004:2015
  7.1, steps 6 then 7), with those modules and the fixed dark module counted as light.
* N1: a run of ``5 + i`` same-colour modules in a row or column scores ``3 + i``.
  N2: every 2x2 same-colour block scores 3 (an m x n block scores ``3 (m-1)(n-1)``).
  N3: every 11-module window ``1011101 0000`` or ``0000 1011101`` inside the symbol scores 40
  (the quiet zone is not counted). N4: ``10 k`` where the dark proportion lies within
  ``50 % +- 5 (k+1) %`` but not ``50 % +- 5 k %`` (computed in integers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import qrcode
import qrcode.base
import qrcode.constants
import qrcode.util

from vccore.errors import Code, SkillcredError
from vccore.qr.base45 import ALNUM_RE
from vccore.qr.capacity import DEFAULT_EC, DEFAULT_MAX_VERSION, EcLevel, ec_level, fit
from vccore.qr.link import split

__all__ = ["QRMatrix", "build_matrix", "data_bits", "link_version", "mask_penalties", "segment_bits"]

_EC_BITS: Final[dict[str, int]] = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}

# ISO/IEC 18004:2015 7.8.2, Table 10: data mask conditions; a data module is inverted where true.
_MASKS: Final[tuple[Callable[[int, int], bool], ...]] = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)

_BITCHARS: Final = bytes.maketrans(b"\x00\x01", b"01")


@dataclass(frozen=True, slots=True)
class QRMatrix:
    """A finished QR symbol without its quiet zone.

    ``rows[r] >> c & 1`` is module (row ``r``, column ``c``); 1 is dark. ``size`` is
    ``4 * version + 17``.
    """

    version: int
    ec: EcLevel
    mask: int
    size: int
    rows: tuple[int, ...]

    def is_dark(self, row: int, col: int) -> bool:
        return bool(self.rows[row] >> col & 1)

    def row_bits(self, row: int) -> str:
        """Row ``row`` as ``'1'``/``'0'`` characters, column 0 first."""
        return format(self.rows[row], f"0{self.size}b")[::-1]


@dataclass(frozen=True, slots=True)
class _Layout:
    """Per-version bitboards: rows packed with stride ``size + 1`` (a 0 separator bit per row)."""

    size: int
    stride: int
    all_bits: int  # every module position
    data_rows: int  # data-region modules, row-major
    data_cols: int  # the same, transposed
    mask_rows: tuple[int, ...]  # mask k restricted to the data region, row-major
    mask_cols: tuple[int, ...]  # the same, transposed


def pack_rows(lines: list[int], stride: int) -> int:
    packed = 0
    for line in reversed(lines):
        packed = (packed << stride) | line
    return packed


def _function_modules(version: int) -> list[int]:
    """Rows (bit c = column c) of the modules outside the data region: finder patterns and their
    separators, timing patterns, alignment patterns, format and version information areas and the
    dark module (ISO/IEC 18004:2015 6.3)."""
    n = 4 * version + 17
    rows = [0] * n

    def block(r0: int, c0: int, height: int, width: int) -> None:
        bits = ((1 << width) - 1) << c0
        for r in range(r0, r0 + height):
            rows[r] |= bits

    for r0, c0 in ((0, 0), (0, n - 8), (n - 8, 0)):  # finders + separators
        block(r0, c0, 8, 8)
    block(6, 0, 1, n)  # timing
    block(0, 6, n, 1)
    centres = qrcode.util.pattern_position(version)
    for r in centres:
        for c in centres:
            if (r <= 8 and c <= 8) or (r <= 8 and c >= n - 9) or (r >= n - 9 and c <= 8):
                continue  # would overlap a finder pattern
            block(r - 2, c - 2, 5, 5)
    block(8, 0, 1, 9)  # format information (+ dark module at (n - 8, 8))
    block(0, 8, 9, 1)
    block(8, n - 8, 1, 8)
    block(n - 8, 8, 8, 1)
    if version >= 7:  # version information
        block(0, n - 11, 6, 3)
        block(n - 11, 0, 3, 6)
    return rows


@lru_cache(maxsize=40)
def layout_for(version: int) -> _Layout:
    n = 4 * version + 17
    stride = n + 1
    full = (1 << n) - 1
    func = _function_modules(version)
    data = [full & ~f for f in func]
    data_t = [sum(((data[r] >> c) & 1) << r for r in range(n)) for c in range(n)]
    mask_rows: list[int] = []
    mask_cols: list[int] = []
    for cond in _MASKS:
        m = [sum(1 << j for j in range(n) if cond(i, j)) for i in range(n)]
        m_t = [sum(1 << i for i in range(n) if cond(i, j)) for j in range(n)]
        mask_rows.append(pack_rows([a & b for a, b in zip(m, data, strict=True)], stride))
        mask_cols.append(pack_rows([a & b for a, b in zip(m_t, data_t, strict=True)], stride))
    return _Layout(
        size=n,
        stride=stride,
        all_bits=pack_rows([full] * n, stride),
        data_rows=pack_rows(data, stride),
        data_cols=pack_rows(data_t, stride),
        mask_rows=tuple(mask_rows),
        mask_cols=tuple(mask_cols),
    )


def qrcode_rows(modules: Any) -> list[int]:
    """``qrcode`` rows (sequences of bool) to ints with bit c = column c."""
    return [int(bytes(line).translate(_BITCHARS)[::-1], 2) for line in modules]


def _penalty(rows: int, cols: int, lay: _Layout) -> int:
    """ISO/IEC 18004:2015 Table 11 penalty of one masked symbol given as two bitboards."""
    allb = lay.all_bits
    total = 0
    for dark in (rows, cols):
        light = dark ^ allb
        for z in (dark, light):
            # N1: r5 marks starts of 5-in-a-row windows; a run of L >= 5 has L - 4 of them and
            # one run start, so popcount(r5) + 2 * starts = sum of (L - 2) = sum of (3 + (L - 5)).
            r5 = z & (z >> 1) & (z >> 2) & (z >> 3) & (z >> 4)
            total += r5.bit_count() + 2 * (r5 & ~(r5 << 1)).bit_count()
        # N3: 1011101 0000 and 0000 1011101 (offsets 0..10 from the window start).
        core = (dark >> 4) & (light >> 5) & (dark >> 6)
        m1 = dark & (light >> 1) & (dark >> 2) & (dark >> 3) & core & (light >> 7) & (light >> 8)
        m1 &= (light >> 9) & (light >> 10)
        m2 = light & (light >> 1) & (light >> 2) & (light >> 3) & core & (dark >> 7) & (dark >> 8)
        m2 &= (light >> 9) & (dark >> 10)
        total += 40 * (m1.bit_count() + m2.bit_count())
    stride = lay.stride
    for z in (rows, rows ^ allb):  # N2: 2x2 blocks of one colour
        pairs = z & (z >> 1)
        total += 3 * (pairs & (pairs >> stride)).bit_count()
    cells = lay.size * lay.size  # N4: dark proportion
    total += 10 * (abs(20 * rows.bit_count() - 10 * cells) // cells)
    return total


def _new_qr(payload: str, version: int, ec: EcLevel) -> Any:
    qr = qrcode.QRCode(version=version, error_correction=_EC_BITS[ec], box_size=1, border=0)
    head, body = split(payload)
    if ALNUM_RE.fullmatch(payload):
        qr.add_data(qrcode.util.QRData(payload.encode("ascii"), mode=qrcode.util.MODE_ALPHA_NUM))
    elif head and ALNUM_RE.fullmatch(body):  # a scan-page URL (vccore.qr.link): URL in byte mode, payload alnum
        qr.add_data(qrcode.util.QRData(head.encode("utf-8"), mode=qrcode.util.MODE_8BIT_BYTE))
        qr.add_data(qrcode.util.QRData(body.encode("ascii"), mode=qrcode.util.MODE_ALPHA_NUM))
    else:
        qr.add_data(qrcode.util.QRData(payload.encode("utf-8"), mode=qrcode.util.MODE_8BIT_BYTE))
    return qr


def segment_bits(text: str, version: int) -> int:
    """Data bits of ``text`` in a version-``version`` symbol: one alphanumeric segment, or for a scan-page
    URL (:func:`vccore.qr.link.split`) a byte segment and an alphanumeric one (ISO/IEC 18004:2015 7.4.3-7.4.5,
    Table 3's character-count indicator lengths)."""
    head, body = split(text)
    small, large = version <= 9, version <= 26
    alnum_cci = 9 if small else 11 if large else 13
    bits = 4 + alnum_cci + 11 * (len(body) // 2) + 6 * (len(body) % 2)
    if head:
        bits += 4 + (8 if small else 16) + 8 * len(head.encode("utf-8"))
    return bits


def data_bits(version: int, ec: str = DEFAULT_EC) -> int:
    """The data capacity in bits of a version-``version`` symbol at level ``ec`` (its RS blocks' data words)."""
    blocks = qrcode.base.rs_blocks(version, _EC_BITS[ec_level(ec)])
    return 8 * sum(int(block.data_count) for block in blocks)


def link_version(text: str, *, ec: str = DEFAULT_EC, max_version: int = DEFAULT_MAX_VERSION) -> int:
    """The smallest version holding a scan-page URL (:mod:`vccore.qr.link`); ``QR_TOO_LARGE`` (zh/en) above
    ``max_version``."""
    body = split(text)[1]
    if not ALNUM_RE.fullmatch(body):
        raise ValueError("the URL's payload part has characters outside the QR alphanumeric set")
    for version in range(1, max_version + 1):
        if segment_bits(text, version) <= data_bits(version, ec):
            return version
    raise SkillcredError(
        f"二维码网址共 {len(text)} 个字符，超出可可靠扫描的二维码（版本 {max_version}，纠错等级 {ec}）。"
        f" / the QR URL has {len(text)} characters: more than a reliably scannable code (version {max_version},"
        f" level {ec}) holds.",
        code=Code.QR_TOO_LARGE,
    )


def byte_version(payload: str, *, ec: str = DEFAULT_EC, max_version: int = DEFAULT_MAX_VERSION) -> int:
    """The smallest version holding ``payload`` as one byte-mode segment (UTF-8): for a text outside the
    alphanumeric set, such as an ``openid4vp://`` URL with its query. ``QR_TOO_LARGE`` above ``max_version``."""
    level = ec_level(ec)
    size = len(payload.encode("utf-8"))
    for version in range(1, max_version + 1):
        bits = 4 + (8 if version < 10 else 16) + 8 * size  # mode indicator, character count, data
        if bits <= qrcode.util.BIT_LIMIT_TABLE[_EC_BITS[level]][version]:
            return version
    raise SkillcredError(
        f"{size} bytes need a QR version above {max_version} / 内容过长，无法生成可靠的二维码", code=Code.QR_TOO_LARGE
    )


def _penalties(qr: Any, version: int) -> list[int]:
    """Penalty of each of the eight masks. Places the data once (mask 0, "test" mode as
    ``best_mask_pattern`` does) and derives the other seven by XOR on the data region."""
    lay = layout_for(version)
    qr.makeImpl(True, 0)
    rows0 = pack_rows(qrcode_rows(qr.modules), lay.stride)
    cols0 = pack_rows(qrcode_rows(zip(*qr.modules, strict=True)), lay.stride)
    base_rows = rows0 ^ lay.mask_rows[0]  # unmasked symbol
    base_cols = cols0 ^ lay.mask_cols[0]
    return [_penalty(base_rows ^ mr, base_cols ^ mc, lay) for mr, mc in zip(lay.mask_rows, lay.mask_cols, strict=True)]


def mask_penalties(payload: str, *, ec: str = DEFAULT_EC, max_version: int = DEFAULT_MAX_VERSION) -> tuple[int, ...]:
    """The eight ISO/IEC 18004 mask penalties for ``payload`` (for audits and tests)."""
    level = ec_level(ec)
    version = fit(payload, max_version=max_version, ec=level)
    return tuple(_penalties(_new_qr(payload, version, level), version))


def build_matrix(payload: str, *, ec: str = DEFAULT_EC, max_version: int = DEFAULT_MAX_VERSION) -> QRMatrix:
    """Build the QR symbol for ``payload``: one alphanumeric segment (e.g. from
    :func:`vccore.qr.payload.encode`); for such a payload in a scan-page URL (:func:`vccore.qr.link.wrap`) a
    byte segment and an alphanumeric one; one byte segment for any other text (a URL with a query,
    :func:`byte_version`); smallest version that holds it, lowest-penalty mask.

    Raises ``QR_TOO_LARGE`` (:func:`vccore.qr.payload.fit`) when the payload needs a version above
    ``max_version``.
    """
    level = ec_level(ec)
    head, body = split(payload)
    if ALNUM_RE.fullmatch(payload):
        version = fit(payload, max_version=max_version, ec=level)
    elif head and ALNUM_RE.fullmatch(body):
        version = link_version(payload, ec=level, max_version=max_version)
    else:
        version = byte_version(payload, ec=level, max_version=max_version)
    qr = _new_qr(payload, version, level)
    penalties = _penalties(qr, version)
    mask = penalties.index(min(penalties))
    qr.mask_pattern = mask
    qr.makeImpl(False, mask)
    rows = qrcode_rows(qr.modules)
    return QRMatrix(version=version, ec=level, mask=mask, size=len(rows), rows=tuple(rows))
