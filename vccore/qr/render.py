"""QR symbol rendering: SVG for pages, PNG for print, half-block text for terminals.

Contract: each renderer takes a payload (built into a symbol by :func:`vccore.qr.matrix.build_matrix`,
with the same ``ec`` and ``max_version``) or an already built :class:`QRMatrix`, and draws it with
its quiet zone of :data:`QUIET_ZONE` modules (ISO/IEC 18004:2015, 9.1). Everything returned is
typed (``str``, ``bytes``); invalid options are :class:`ValueError`, a PNG too small for its modules
is ``QR_TOO_LARGE``.

Symbol construction (``qrcode``, version from the capacity table, mask choice on bitboards) is in
:mod:`vccore.qr.matrix`; its names are re-exported here.
"""

from __future__ import annotations

import io
import re
from typing import Final, Literal
from xml.sax.saxutils import quoteattr

from PIL import Image

from vccore.errors import Code, SkillcredError
from vccore.qr.capacity import DEFAULT_EC, DEFAULT_MAX_VERSION
from vccore.qr.matrix import QRMatrix, build_matrix

__all__ = ["QUIET_ZONE", "render_png", "render_svg", "render_text"]

#: Light border around the symbol, in modules (ISO/IEC 18004:2015, 9.1: at least 4 wide).
QUIET_ZONE: Final = 4


def _matrix(payload: str | QRMatrix, ec: str, max_version: int) -> QRMatrix:
    if isinstance(payload, QRMatrix):
        return payload
    return build_matrix(payload, ec=ec, max_version=max_version)


_COLOUR_RE: Final = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?|[a-z]{3,20}")
_SIZE_RE: Final = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:px|mm|cm|in|pt|em|rem|%)?")


def render_svg(
    payload: str | QRMatrix,
    *,
    size: str | None = None,
    dark: str = "#000",
    light: str = "#fff",
    title: str | None = None,
    ec: str = DEFAULT_EC,
    max_version: int = DEFAULT_MAX_VERSION,
) -> str:
    """A standalone SVG document: one ``<path>`` of horizontal dark runs over a light square.

    Units are modules (``viewBox`` includes the 4-module quiet zone); ``size`` (e.g. ``"40mm"``)
    sets ``width``/``height``, otherwise the SVG scales to its container. ``title`` becomes an
    accessible label. Colours are ``#rgb``/``#rrggbb`` or a CSS colour name. Rendering is
    ``shape-rendering="crispEdges"`` so browsers do not blur module edges.
    """
    for colour in (dark, light):
        if not _COLOUR_RE.fullmatch(colour):
            raise ValueError(f"unsupported colour {colour!r}")
    if size is not None and not _SIZE_RE.fullmatch(size):
        raise ValueError(f"unsupported SVG size {size!r}")
    m = _matrix(payload, ec, max_version)
    q = QUIET_ZONE
    side = m.size + 2 * q
    parts: list[str] = []
    for r in range(m.size):
        for run in re.finditer("1+", m.row_bits(r)):
            width = run.end() - run.start()
            parts.append(f"M{run.start() + q} {r + q}h{width}v1h-{width}z")
    dims = f' width="{size}" height="{size}"' if size is not None else ""
    label = f' role="img" aria-label={quoteattr(title)}' if title is not None else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}"{dims}{label}'
        ' shape-rendering="crispEdges">'
        f'<rect width="{side}" height="{side}" fill="{light}"/>'
        f'<path fill="{dark}" d="{"".join(parts)}"/></svg>'
    )


def _grey_image(m: QRMatrix) -> Image.Image:
    to_grey = bytes.maketrans(b"01", b"\xff\x00")
    raw = b"".join(m.row_bits(r).encode("ascii").translate(to_grey) for r in range(m.size))
    return Image.frombytes("L", (m.size, m.size), raw)


def render_png(
    payload: str | QRMatrix,
    *,
    mm: float = 40.0,
    dpi: int = 300,
    box_size: int | None = None,
    ec: str = DEFAULT_EC,
    max_version: int = DEFAULT_MAX_VERSION,
) -> bytes:
    """PNG bytes (1-bit, black on white, ``dpi`` recorded in the file) for print or display.

    With ``box_size`` (pixels per module) the image is ``(size + 8) * box_size`` pixels square.
    Otherwise it is exactly ``round(mm / 25.4 * dpi)`` pixels square, so it prints ``mm`` wide at
    ``dpi``; modules are a whole number of pixels (the largest that fits with a 4-module quiet
    zone; non-integer module widths would distort the symbol) and the pixels left over widen the
    quiet zone. Raises ``QR_TOO_LARGE`` when a module would be smaller than one pixel.
    """
    m = _matrix(payload, ec, max_version)
    quiet_side = m.size + 2 * QUIET_ZONE
    if box_size is not None:
        if box_size < 1:
            raise ValueError("box_size must be at least 1")
        box, side = box_size, quiet_side * box_size
    else:
        if mm <= 0 or dpi <= 0:
            raise ValueError("mm and dpi must be positive")
        side = round(mm / 25.4 * dpi)
        box = side // quiet_side
        if box < 1:
            raise SkillcredError(
                f"a {m.size}-module QR code with its quiet zone needs at least {quiet_side} pixels; "
                f"{mm} mm at {dpi} dpi gives {side} / {mm} 毫米在 {dpi} dpi 下只有 {side} 像素，"
                f"不足以容纳 {quiet_side} 个模块的二维码",
                code=Code.QR_TOO_LARGE,
            )
    symbol = _grey_image(m).resize((m.size * box, m.size * box), Image.Resampling.NEAREST)
    canvas = Image.new("L", (side, side), 255)
    offset = (side - m.size * box) // 2
    canvas.paste(symbol, (offset, offset))
    out = io.BytesIO()
    canvas.convert("1", dither=Image.Dither.NONE).save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


_HALF_BLOCKS: Final = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def render_text(
    payload: str | QRMatrix,
    *,
    background: Literal["dark", "light"] = "dark",
    ec: str = DEFAULT_EC,
    max_version: int = DEFAULT_MAX_VERSION,
) -> str:
    """The symbol as lines of half-block characters (two module rows per line), quiet zone
    included, each line ending in ``\\n``.

    A character cell is drawn in the terminal's foreground colour. On a ``"dark"`` background
    (the usual terminal) the *light* modules and the quiet zone are drawn, so the code appears
    dark-on-light as scanners expect; on a ``"light"`` background the dark modules are drawn.
    """
    if background not in ("dark", "light"):
        raise ValueError("background must be 'dark' or 'light'")
    m = _matrix(payload, ec, max_version)
    q = QUIET_ZONE
    side = m.size + 2 * q
    ink_is_dark = background == "light"
    blank = "0" * q
    padded = ["0" * side] * q + [blank + m.row_bits(r) + blank for r in range(m.size)] + ["0" * side] * q

    def ink(line: str | None, c: int) -> bool:
        if line is None:
            return False  # beyond the quiet zone: terminal background
        return (line[c] == "1") == ink_is_dark

    out: list[str] = []
    for r in range(0, side, 2):
        top = padded[r]
        bottom = padded[r + 1] if r + 1 < side else None
        out.append("".join(_HALF_BLOCKS[ink(top, c), ink(bottom, c)] for c in range(side)) + "\n")
    return "".join(out)
