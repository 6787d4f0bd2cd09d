"""An A4 printout of a credential in the layout of the national skill-level certificate.

DOMAIN.md section 6 lists what a 职业技能等级证书 carries: certificate name, body text, name, ID
type and number, occupation, job type ("--" if none), level as "中文数字+级/等级名称", certificate
number, evaluation organization, date, photo, QR code, and the national query URLs. The printout
follows it, with three deliberate differences: the ID number is never printed (a skillcred credential
holds only a salted hash of it, and a clear number on paper is what a leaked photocopy is made of);
the photo box stays empty (credentials carry no photo); and a line says that authenticity rests on
the QR code's signature, not on the paper.

The page is 2480 x 3508 pixels (A4 at 300 dpi). The QR code sits in the lower right corner, 30 to
43 mm wide with modules of at least 4 pixels (0.34 mm), which a phone camera reads from paper.
Chinese text needs a CJK font: Noto CJK, Source Han, WenQuanYi, Droid Sans Fallback or AR PL are
looked for under the font directories. Without one the page degrades to English labels, and a value
that exists only in Chinese is replaced by a note, rather than printed as empty boxes ("tofu").
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from vccore.display import date_label, date_text
from vccore.errors import Code, SkillcredError
from vccore.qr import payload as qr
from vccore.qr.capacity import DEFAULT_MAX_VERSION
from vccore.qr.link import wrap
from vccore.qr.matrix import build_matrix
from vccore.qr.render import QUIET_ZONE, render_png
from vccore.recognition.wording import recognition_rows, shipped_rule
from vccore.text import Text
from wallet_demo.cards import card_for, lang_text
from wallet_demo.refs import plan_qr

__all__ = ["FONT_DIRS", "find_cjk_font", "render_certificate"]

FONT_DIRS: Final = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
_CJK_NAMES: Final = re.compile(
    r"(NotoSansCJK|NotoSerifCJK|NotoSans(SC|CJKsc)|NotoSerifSC|SourceHan"
    r"|wqy-?(microhei|zenhei)|DroidSansFallback|uming|ukai)",
    re.IGNORECASE,
)
_HAN: Final = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
DPI: Final = 300
A4: Final = (2480, 3508)
NO_CJK: Final = "(in Chinese only: see the QR code)"
SKILL_BODY: Final = Text(
    "经评价，持证人具备以下职业技能等级。", "The holder has been assessed and attained the following."
)
OTHER_BODY: Final = Text("持证人持有以下凭证。", "The holder holds the following credential.")
RECOGNITION_BODY: Final = Text(
    "经认定，持证人可享有以下效力（以认定规则为准）。", "The holder is recognized as follows (as the rule grants)."
)
#: the national skill-certificate query lines: only on a skill-level printout (they have nothing to do with
#: a title, a diploma or a recognition)
SKILL_QUERY: Final = Text(
    "证书查询：http://jndj.osta.org.cn　机构查询：http://pjjg.osta.org.cn",
    "Certificate query: http://jndj.osta.org.cn   Organization query: http://pjjg.osta.org.cn",
)
AUTHENTICITY: Final = Text(
    "本件为可验证电子凭证的打印件，真伪以扫描二维码验证签名为准。",
    "Printout of a verifiable credential: authenticity rests on the QR code's signature.",
)
URL_CAPTION: Final = (
    Text("用手机扫一扫（微信、相机均可）", "Scan with any phone (WeChat or camera):"),
    Text("打开验证页，当场核验签名", "opens the verifier, which checks the signature"),
)
PAYLOAD_CAPTION: Final = (
    Text("扫码验证", "Scan to verify"),
    Text("请用 skillcred 验证页扫码", "with the skillcred scan page"),
)


def find_cjk_font(dirs: Iterable[Path] = FONT_DIRS) -> Path | None:
    """The first CJK-capable font file found (sorted paths, so the choice is stable)."""
    for base in dirs:
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.suffix.lower() in (".ttf", ".ttc", ".otf") and _CJK_NAMES.search(path.name):
                return path
    return None


def _latin_font(dirs: Iterable[Path]) -> Path | None:
    for base in dirs:
        if base.is_dir():
            for path in sorted(base.rglob("DejaVuSans.ttf")):
                return path
    return None


def _font(path: Path | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if path is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(str(path), size=size)


def _fields(document: Mapping[str, Any]) -> tuple[Text, Text, list[tuple[Text, Text]]]:
    """The printout's title, body sentence and rows, in DOMAIN.md section 6 order for skill levels."""
    card = card_for(document)
    subj = document.get("credentialSubject")
    s: Mapping[str, Any] = subj if isinstance(subj, Mapping) else {}
    id_hash = s.get("identityHash")
    rows: list[tuple[Text, Text]] = [
        (Text("姓名", "Name"), lang_text(s.get("name"))),
        (
            Text("证件类型", "ID type"),
            Text("居民身份证", "Resident identity card") if isinstance(id_hash, Mapping) else Text("—", "—"),
        ),
        (Text("证件号码", "ID number"), Text("不打印（凭证仅含加盐哈希）", "not printed (salted hash only)")),
    ]
    if card.kind == "RecognitionCredential":
        rows += recognition_rows(document, shipped_rule(document))
        rows += [(f.label, f.value) for f in card.fields if f.label == date_label("recognitionDate")]
        rows.append((Text("认定机构", "Recognized by"), card.issuer_name))
        return Text("贯通认定凭证", "Recognition credential"), RECOGNITION_BODY, rows
    if card.kind != "SkillLevelCredential":
        rows += [(f.label, f.value) for f in card.fields]
        rows.append((Text("签发方", "Issuer"), card.issuer_name))
        return Text(card.kind_label.zh + "凭证", card.kind_label.en + " credential"), OTHER_BODY, rows
    org = s.get("evaluationOrganization")
    level_zh = str(s.get("skillLevelText") or card.headline.zh)
    level_field = next((f.value for f in card.fields if f.label.en == "Level"), Text(level_zh, level_zh))
    day = s.get("assessmentDate")
    code = str(s.get("occupationCode", ""))
    number = str(s.get("certificateNumber", ""))
    rows += [
        (Text("职业名称", "Occupation"), Text(f"{s.get('occupationName', '')}（{code}）", code)),
        (Text("工种/职业方向", "Job type"), lang_text(s.get("jobType") or "--")),
        (Text("职业技能等级", "Skill level"), Text(level_zh, level_field.en)),
        (Text("证书编号", "Certificate no."), Text(number, number)),
        (
            Text("评价机构", "Evaluation organization"),
            lang_text(org.get("name")) if isinstance(org, Mapping) else card.issuer_name,
        ),
        (date_label("assessmentDate"), date_text(day) if isinstance(day, str) else Text("—", "—")),
    ]
    return Text("职业技能等级证书", "Vocational Skill Level Certificate"), SKILL_BODY, rows


def _wrapped(draw: ImageDraw.ImageDraw, text: str, font: Any, room: int) -> list[str]:
    """``text`` broken into lines of at most ``room`` pixels (by character: Chinese has no spaces)."""
    lines, line = [], ""
    for char in text:
        if line and draw.textlength(line + char, font=font) > room:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line else lines or [""]


def _value(text: Text, cjk: bool) -> str:
    if cjk:
        if not text.en or text.en in text.zh or _HAN.search(text.en):
            return text.zh
        return f"{text.zh}  {text.en}"
    for candidate in (text.en, text.zh):
        if candidate and not _HAN.search(candidate):
            return candidate
    latin = [part for part in text.en.split(" · ") if part and not _HAN.search(part)]
    if latin:
        return " · ".join(latin)
    return NO_CJK if (text.zh or text.en) else ""


def qr_text(document: Mapping[str, Any], scan_url: str | None) -> tuple[str, str]:
    """What the printed QR holds, and its error-correction level: the credential in a URL of the scan page
    (:mod:`vccore.qr.link`) when ``scan_url`` is given, else the bare ``SC2:`` payload; level M when that
    fits version 25, else L (a clean print). Raises ``QR_TOO_LARGE`` when neither fits."""
    if scan_url is None:
        plan = plan_qr(document, low_ec_ok=True)
        return plan.payload, plan.ec
    text = wrap(qr.encode(document), scan_url)
    try:
        build_matrix(text, ec="M", max_version=DEFAULT_MAX_VERSION)
    except SkillcredError as err:
        if err.code != Code.QR_TOO_LARGE:
            raise
        build_matrix(text, ec="L", max_version=DEFAULT_MAX_VERSION)  # raises QR_TOO_LARGE when L is too small too
        return text, "L"
    return text, "M"


def _qr_image(text: str, ec: str) -> Image.Image:
    matrix = build_matrix(text, ec=ec, max_version=DEFAULT_MAX_VERSION)
    side_modules = matrix.size + 2 * QUIET_ZONE
    box = max(4, round(40 / 25.4 * DPI) // side_modules)
    png = render_png(matrix, box_size=box, ec=ec)
    return Image.open(io.BytesIO(png)).convert("RGB")


@dataclass(frozen=True)
class _Text:
    x: int
    y: int  # the top of the line (anchor "la") or its middle ("mm")
    text: str
    size: int  # pixels at 300 dpi
    fill: tuple[int, int, int]
    anchor: str = "la"


@dataclass(frozen=True)
class _Box:
    box: tuple[int, int, int, int]
    colour: tuple[int, int, int]
    width: int


BLACK: Final = (0, 0, 0)
GREY: Final = (90, 90, 90)
RED: Final = (150, 30, 30)


def _wrap(
    text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, room: int, draw: ImageDraw.ImageDraw
) -> list[str]:
    """``text`` in lines of at most ``room`` pixels (breaking at spaces where it can, else anywhere)."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if draw.textlength(line + ch, font=font) <= room:
            line += ch
            continue
        cut = line.rfind(" ")
        if cut > len(line) // 2 and not _HAN.search(ch):
            lines.append(line[:cut])
            line = line[cut + 1 :] + ch
        else:
            lines.append(line)
            line = ch
    if line:
        lines.append(line)
    return lines


def _layout(
    document: Mapping[str, Any],
    base: Path | None,
    cjk: bool,
    qr_img: Image.Image,
    linked: bool,
    sources: Sequence[Image.Image] = (),
) -> tuple[list[_Text | _Box], tuple[int, int]]:
    """Every line and frame of the page (pixels at 300 dpi), and where the QR image goes. ``sources``: the
    codes placed to its left (:func:`_beside`); the lines beside the codes stop before the leftmost."""
    title, body, rows = _fields(document)
    ops: list[_Text | _Box] = []
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    w, h = A4
    ops += [_Box((90, 90, w - 90, h - 90), RED, 14), _Box((130, 130, w - 130, h - 130), RED, 4)]
    y = 330
    for line, size in ((title.zh if cjk else title.en, 110), (title.en if cjk else "", 38)):
        if line:
            ops.append(_Text(w // 2, y, line, size, BLACK, "mm"))
            y += 130
    ops.append(_Text(260, y + 10, body.zh if cjk else body.en, 52, BLACK))
    if cjk:
        ops.append(_Text(260, y + 80, body.en, 38, GREY))
    y += 60
    photo = (w - 260 - 413, y + 160, w - 260, y + 160 + 531)  # 35 x 45 mm
    ops.append(_Box(photo, (128, 128, 128), 4))
    ops.append(
        _Text(
            (photo[0] + photo[2]) // 2,
            (photo[1] + photo[3]) // 2,
            "照片（无）" if cjk else "no photo",
            38,
            (128, 128, 128),
            "mm",
        )
    )
    y += 200
    qx, qy = w - 260 - qr_img.width, h - 600 - qr_img.height
    codes_left = qx - sum(img.width + 80 for img in sources)
    codes_top = min([qy, *(qy + qr_img.height - img.height for img in sources)])
    for label, value in rows:
        ops.append(_Text(260, y, f"{label.zh} {label.en}" if cjk else label.en, 46, GREY))
        shown = _value(value, cjk)
        beside_photo = y + 60 < photo[3]
        beside_qr = y + 60 + 70 > codes_top - 40
        room = (photo[0] - 40 if beside_photo else codes_left - 60 if beside_qr else w - 260) - 300
        size = 56
        font = _font(base, size)
        while size > 40 and measure.textlength(shown, font=font) > room:
            size -= 4
            font = _font(base, size)
        lines = _wrap(shown, font, room, measure)
        for i, line in enumerate(lines):
            ops.append(_Text(300, y + 58 + i * (size + 12), line, size, BLACK))
        y += 58 + len(lines) * (size + 12) + 30
    captions = URL_CAPTION if linked else PAYLOAD_CAPTION
    cy = qy + qr_img.height + 40
    for caption in captions:
        ops.append(_Text(qx + qr_img.width // 2, cy, caption.zh if cjk else caption.en, 38, BLACK, "mm"))
        cy += 56
    foot = [SKILL_QUERY, AUTHENTICITY] if title.en.startswith("Vocational") else [AUTHENTICITY]
    for i, footer in enumerate(foot):
        ops.append(_Text(260, h - 330 + 60 * i - 60 * (len(foot) - 1), footer.zh if cjk else footer.en, 38, BLACK))
    return ops, (qx, qy)


def _beside(
    ops: list[_Text | _Box], qr_img: Image.Image, at: tuple[int, int], sources: Sequence[Image.Image], cjk: bool
) -> list[tuple[Image.Image, tuple[int, int]]]:
    """Where the codes go: the credential's own at ``at``, its sources' to its left, right to left and bottom
    aligned, each tagged "依据证书 n" (a scan page without a network verifies the chain from the paper)."""
    placed = [(qr_img, at)]
    left, bottom = at[0], at[1] + qr_img.height
    for n, img in enumerate(sources, start=1):
        left -= img.width + 80
        placed.append((img, (left, bottom - img.height)))
        tag = f"依据证书 {n} Source {n}" if cjk else f"Source {n}"
        ops.append(_Text(left + img.width // 2, bottom + 40, tag, 38, BLACK, "mm"))
    return placed


def _png(ops: list[_Text | _Box], images: list[tuple[Image.Image, tuple[int, int]]], base: Path | None) -> bytes:
    page = Image.new("RGB", A4, "white")
    draw = ImageDraw.Draw(page)
    for op in ops:
        if isinstance(op, _Box):
            draw.rectangle(op.box, outline=op.colour, width=op.width)
        else:
            draw.text((op.x, op.y), op.text, font=_font(base, op.size), fill=op.fill, anchor=op.anchor)
    for img, at in images:
        page.paste(img, at)
    out = io.BytesIO()
    page.save(out, format="PNG", dpi=(DPI, DPI))
    return out.getvalue()


def _pdf(ops: list[_Text | _Box], images: list[tuple[Image.Image, tuple[int, int]]], base: Path | None) -> bytes:
    """The same page as a PDF whose text is text (extractable, searchable), the QR an image."""
    mm = 25.4 / DPI
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_page()
    if base is not None:
        pdf.add_font("page", fname=str(base))
        family = "page"
    else:
        family = "helvetica"
    for op in ops:
        if isinstance(op, _Box):
            x0, y0, x1, y1 = op.box
            pdf.set_draw_color(*op.colour)
            pdf.set_line_width(op.width * mm)
            pdf.rect(x0 * mm, y0 * mm, (x1 - x0) * mm, (y1 - y0) * mm)
            continue
        pdf.set_font(family, size=op.size * 72 / DPI)
        pdf.set_text_color(*op.fill)
        text = op.text if base is not None else op.text.encode("latin-1", "replace").decode("latin-1")
        x = op.x * mm
        baseline = (op.y + op.size * 0.8) * mm
        if op.anchor == "mm":
            x -= pdf.get_string_width(text) / 2
            baseline = (op.y + op.size * 0.35) * mm
        pdf.text(x, baseline, text)
    for img, at in images:
        pdf.image(img, x=at[0] * mm, y=at[1] * mm, w=img.width * mm, h=img.height * mm)
    return bytes(pdf.output())


def render_certificate(
    document: Mapping[str, Any],
    *,
    fmt: Literal["png", "pdf"] = "png",
    font_dirs: Iterable[Path] = FONT_DIRS,
    scan_url: str | None = None,
    sources: Sequence[Mapping[str, Any]] = (),
) -> tuple[bytes, bool]:
    """The A4 page as PNG or PDF bytes (the PDF with a text layer), and whether a CJK font was used.

    ``sources``: a recognition's source credentials, whose codes (their bare payloads) are printed beside
    its own, right to left ("依据证书 1", …), so that a scan page without a network verifies the chain from
    the paper alone.

    With ``scan_url`` the QR is that scan page's URL carrying the credential (:mod:`vccore.qr.link`), so a
    phone's default scanner opens the verifier; without it, the bare ``SC2:`` payload. Raises
    ``QR_TOO_LARGE`` when the credential does not fit a version-25 QR code even at level L.
    """
    dirs = list(font_dirs)
    cjk_path = find_cjk_font(dirs)
    cjk = cjk_path is not None
    base = cjk_path or _latin_font(dirs)
    text, ec = qr_text(document, scan_url)
    qr_img = _qr_image(text, ec)
    source_images = [_qr_image(*qr_text(source, None)) for source in sources]
    ops, at = _layout(document, base, cjk, qr_img, scan_url is not None, source_images)
    images = _beside(ops, qr_img, at, source_images, cjk)
    return (_pdf if fmt == "pdf" else _png)(ops, images, base), cjk
