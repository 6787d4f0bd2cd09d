"""Reading QR codes from uploaded images (PNG or JPEG) with zxing-cpp.

This is the only module that imports ``zxingcpp``; it returns plain ``str``.

Images are untrusted: the encoded size is capped before Pillow sees the bytes, the pixel count is
capped from the header before any pixel is decoded (Pillow opens lazily), and only the PNG and
JPEG decoders are allowed. Over-cap input raises :class:`ResourceLimitError`; unreadable images
and images without a QR code raise :class:`ParseError`.
"""

from __future__ import annotations

import io
import warnings
from typing import Final

import zxingcpp
from PIL import Image, UnidentifiedImageError

from vccore.errors import ParseError, ResourceLimitError

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_PIXELS", "check_image", "read_qr", "read_qr_all"]

#: Default cap on the encoded image, in bytes (a full-resolution phone photo is well below).
DEFAULT_MAX_BYTES: Final = 20 * 1024 * 1024
#: Default cap on width x height: 12 megapixels admits a 4000 x 3000 phone photo, more than a QR code
#: needs (the scan page scales larger photos down on the phone before sending them), and bounds what one
#: upload may make Pillow and zxing-cpp allocate (an RGBA decode of 12 MP is 48 MB) and spend (well under a
#: second). A 160 KB PNG claiming 7000 x 7000 pixels is refused from its header, in milliseconds.
DEFAULT_MAX_PIXELS: Final = 12_000_000

#: JPEG photos larger than this on their longer side are decoded scaled down (see :func:`read_qr_all`).
DRAFT_SIDE: Final = 2048
_PREFIXES: Final = ("SC", "SCR")


def _open(image_bytes: bytes, *, max_pixels: int, max_bytes: int) -> Image.Image:
    """The image, opened lazily (its header only) and checked against the caps before any pixel is read."""
    if not isinstance(image_bytes, bytes | bytearray | memoryview):
        raise TypeError("image_bytes must be bytes")
    if len(image_bytes) > max_bytes:
        raise ResourceLimitError(f"image larger than {max_bytes} bytes")
    try:
        with warnings.catch_warnings():
            # Our own pixel cap below is lower than Pillow's bomb threshold.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(bytes(image_bytes)), formats=["PNG", "JPEG"])
    except Image.DecompressionBombError as err:
        raise ResourceLimitError(f"image has more than {max_pixels} pixels") from err
    except (UnidentifiedImageError, OSError, ValueError) as err:
        raise ParseError("not a readable PNG or JPEG image") from err
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise ResourceLimitError(f"image is {width} x {height}, more than {max_pixels} pixels")
    if width < 21 or height < 21:
        image.close()
        raise ParseError("image too small to hold a QR code")
    return image


def check_image(
    image_bytes: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[int, int]:
    """Width and height from the image's header, or the refusal, without decoding a pixel (milliseconds,
    whatever the image claims): for callers that queue the decoding itself."""
    with _open(image_bytes, max_pixels=max_pixels, max_bytes=max_bytes) as image:
        return image.size


def read_qr_all(
    image_bytes: bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[str]:
    """Texts of every QR code (model 2) zxing-cpp finds in the image, in its order, duplicates
    removed. An image with no QR code gives an empty list."""
    with _open(image_bytes, max_pixels=max_pixels, max_bytes=max_bytes) as image:
        if image.format == "JPEG" and max(image.size) > DRAFT_SIDE:
            # a phone photo: let the JPEG decoder itself scale by 1/2, 1/4 or 1/8 (a quarter of the work and
            # the memory per halving); a QR code that fills a fair part of the frame stays readable
            # draft() picks the strongest reduction that keeps at least the size asked for: asking for just
            # over half of DRAFT_SIDE gives a longer side between DRAFT_SIDE / 2 and DRAFT_SIDE
            longest, want = max(image.size), DRAFT_SIDE // 2 + 1
            image.draft("L", (max(1, image.size[0] * want // longest), max(1, image.size[1] * want // longest)))
        try:
            grey = image.convert("L")  # decodes the pixels
        except (OSError, ValueError, SyntaxError) as err:  # truncated or corrupt image data
            raise ParseError(f"image data is corrupt: {err}") from err
    # Plain: the symbol's bytes as text, without content-type dependent rewriting (HRI).
    results = zxingcpp.read_barcodes(
        grey,
        formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode),
        text_mode=zxingcpp.TextMode.Plain,
    )
    texts: list[str] = []
    for result in results:
        text = result.text
        if result.valid and text not in texts:
            texts.append(text)
    return texts


def read_qr(
    image_bytes: bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> str:
    """The text of the one QR code in the image.

    When the image holds several different codes, the one carrying a skillcred payload
    (``SC``/``SCR`` prefix) is returned if there is exactly one such; otherwise the choice would be
    a guess and :class:`ParseError` is raised, as it is when no QR code is found.
    """
    texts = read_qr_all(image_bytes, max_pixels=max_pixels, max_bytes=max_bytes)
    if not texts:
        raise ParseError("no QR code found in the image")
    if len(texts) == 1:
        return texts[0]
    ours = [t for t in texts if t.split(":", 1)[0].rstrip("0123456789") in _PREFIXES]
    if len(ours) == 1:
        return ours[0]
    raise ParseError(f"the image holds {len(texts)} different QR codes; crop it to one")
