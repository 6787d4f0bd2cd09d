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
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final, Literal

from PIL import Image, ImageDraw, ImageFont

from vccore.qr.render import QUIET_ZONE, render_png
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
QUERY_LINES: Final = (
    Text(
        "证书查询：http://jndj.osta.org.cn　机构查询：http://pjjg.osta.org.cn",
        "Certificate query: http://jndj.osta.org.cn   Organization query: http://pjjg.osta.org.cn",
    ),
    Text(
        "本件为可验证电子凭证的打印件，真伪以扫描二维码验证签名为准。",
        "Printout of a verifiable credential: authenticity rests on the QR code's signature.",
    ),
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


def _fields(document: Mapping[str, Any]) -> tuple[Text, list[tuple[Text, Text]]]:
    """The certificate title and its rows, in DOMAIN.md section 6 order for skill levels."""
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
    if card.kind != "SkillLevelCredential":
        rows += [(f.label, f.value) for f in card.fields]
        return Text(card.kind_label.zh + "凭证", card.kind_label.en + " credential"), rows
    org = s.get("evaluationOrganization")
    level_zh = str(s.get("skillLevelText") or card.headline.zh)
    level_field = next((f.value for f in card.fields if f.label.en == "Level"), Text(level_zh, level_zh))
    date = s.get("assessmentDate") or str(document.get("validFrom", ""))[:10]
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
        (Text("发证日期", "Date of issue"), Text(str(date), str(date))),
    ]
    return Text("职业技能等级证书", "Vocational Skill Level Certificate"), rows


def _fitting(
    draw: ImageDraw.ImageDraw, text: str, base: Path | None, size: int, room: int
) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The font at ``size``, or smaller (down to 60 %) until ``text`` fits ``room`` pixels."""
    font = _font(base, size)
    while size > 35 and draw.textlength(text, font=font) > room:
        size -= 3
        font = _font(base, size)
    return font


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


def _qr_image(document: Mapping[str, Any]) -> Image.Image:
    plan = plan_qr(document, low_ec_ok=True)
    side_modules = 4 * plan.version + 17 + 2 * QUIET_ZONE
    box = max(4, round(40 / 25.4 * DPI) // side_modules)
    png = render_png(plan.payload, box_size=box, ec=plan.ec)
    return Image.open(io.BytesIO(png)).convert("RGB")


def render_certificate(
    document: Mapping[str, Any], *, fmt: Literal["png", "pdf"] = "png", font_dirs: Iterable[Path] = FONT_DIRS
) -> tuple[bytes, bool]:
    """The A4 page as PNG or PDF bytes, and whether a CJK font was used.

    Raises ``QR_TOO_LARGE`` when the credential does not fit a version-25 QR code even at level L.
    """
    dirs = list(font_dirs)
    cjk_path = find_cjk_font(dirs)
    cjk = cjk_path is not None
    base = cjk_path or _latin_font(dirs)
    title_font, label_font, small = (_font(base, n) for n in (110, 52, 38))
    qr_img = _qr_image(document)
    title, rows = _fields(document)
    page = Image.new("RGB", A4, "white")
    draw = ImageDraw.Draw(page)
    w, h = A4
    draw.rectangle((90, 90, w - 90, h - 90), outline=(150, 30, 30), width=14)
    draw.rectangle((130, 130, w - 130, h - 130), outline=(150, 30, 30), width=4)
    y = 330
    for line, font in ((title.zh if cjk else title.en, title_font), (title.en if cjk else "", small)):
        if line:
            draw.text((w // 2, y), line, font=font, fill="black", anchor="mm")
            y += 130
    body = SKILL_BODY if title.en.startswith("Vocational") else OTHER_BODY
    draw.text((260, y + 40), body.zh if cjk else body.en, font=label_font, fill="black")
    if cjk:
        draw.text((260, y + 110), body.en, font=small, fill=(90, 90, 90))
    y += 60
    photo = (w - 260 - 413, y + 160, w - 260, y + 160 + 531)  # 35 x 45 mm
    draw.rectangle(photo, outline="grey", width=4)
    draw.text(
        ((photo[0] + photo[2]) // 2, (photo[1] + photo[3]) // 2),
        "照片\n(无)" if cjk else "photo\n(none)",
        font=small,
        fill="grey",
        anchor="mm",
        align="center",
    )
    y += 200
    qx, qy = w - 260 - qr_img.width, h - 560 - qr_img.height
    for label, value in rows:
        label_text = f"{label.zh} {label.en}" if cjk else label.en
        draw.text((260, y), label_text, font=label_font, fill=(90, 90, 90))
        beside_photo = y + 72 < photo[3]
        room = (photo[0] - 40 if beside_photo else (qx - 40 if y + 72 > qy - 120 else w - 260)) - 300
        text = _value(value, cjk)
        font = _fitting(draw, text, base, 58, room)
        lines = _wrapped(draw, text, font, room)  # a long value (a rule's note) wraps instead of overflowing
        for i, line in enumerate(lines):
            draw.text((300, y + 72 + 62 * i), line, font=font, fill="black")
        y += 175 + 62 * (len(lines) - 1)
    page.paste(qr_img, (qx, qy))
    caption = "扫码验证 Scan to verify" if cjk else "Scan to verify"
    draw.text((qx + qr_img.width // 2, qy + qr_img.height + 40), caption, font=small, fill="black", anchor="mm")
    for i, query in enumerate(QUERY_LINES):
        draw.text((260, h - 400 + 70 * i), query.zh if cjk else query.en, font=small, fill="black")
    out = io.BytesIO()
    if fmt == "pdf":
        page.save(out, format="PDF", resolution=float(DPI))
    else:
        page.save(out, format="PNG", dpi=(DPI, DPI))
    return out.getvalue(), cjk
