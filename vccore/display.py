"""People-facing values in Chinese conventions, with English beside them: the one place that formats dates,
moments, regions and date labels for the wallet cards, the scan page and the printout.

Contract: pure functions, no clock. A *date* (``2023-06-30``, or a partial ``2018-11`` / ``2020`` as legal
bases write them) becomes ``2023年6月30日`` / ``30 June 2023``; a *moment* (an aware datetime or an XSD
dateTime string) becomes Beijing time, ``2026年12月7日 21:08（北京时间）`` / ``7 December 2026, 21:08 Beijing
time (UTC+8)``, whatever offset it was written with. A value that is not a date or a moment is shown as
written, never guessed at. A region code (ISO 3166-2:CN, as ``jurisdiction`` and ``filingAuthority`` write
it) becomes its name: ``CN-SX`` is 山西省, ``CN`` is 全国; an unknown code stays as written. Each subject
field that dates a credential has one label (:data:`DATE_LABELS`): the certificate's own date is 发证日期,
never the signing time, which is labelled :data:`SIGNED_LABEL`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Final

from vccore.errors import SkillcredError
from vccore.text import Text
from vccore.timeutil import BEIJING, parse_datetime, require_aware

__all__ = [
    "DATE_LABELS",
    "SIGNED_LABEL",
    "VALID_UNTIL_LABEL",
    "date_label",
    "date_text",
    "moment_text",
    "region_name",
    "region_short",
]

_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_PARTIAL: Final = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

#: ISO 3166-2:CN province-level codes -> (full name, short name, English name)
REGIONS: Final[dict[str, tuple[str, str, str]]] = {
    "CN": ("全国", "全国", "nationwide (China)"),
    "CN-BJ": ("北京市", "北京", "Beijing"),
    "CN-TJ": ("天津市", "天津", "Tianjin"),
    "CN-HE": ("河北省", "河北", "Hebei"),
    "CN-SX": ("山西省", "山西", "Shanxi"),
    "CN-NM": ("内蒙古自治区", "内蒙古", "Inner Mongolia"),
    "CN-LN": ("辽宁省", "辽宁", "Liaoning"),
    "CN-JL": ("吉林省", "吉林", "Jilin"),
    "CN-HL": ("黑龙江省", "黑龙江", "Heilongjiang"),
    "CN-SH": ("上海市", "上海", "Shanghai"),
    "CN-JS": ("江苏省", "江苏", "Jiangsu"),
    "CN-ZJ": ("浙江省", "浙江", "Zhejiang"),
    "CN-AH": ("安徽省", "安徽", "Anhui"),
    "CN-FJ": ("福建省", "福建", "Fujian"),
    "CN-JX": ("江西省", "江西", "Jiangxi"),
    "CN-SD": ("山东省", "山东", "Shandong"),
    "CN-HA": ("河南省", "河南", "Henan"),
    "CN-HB": ("湖北省", "湖北", "Hubei"),
    "CN-HN": ("湖南省", "湖南", "Hunan"),
    "CN-GD": ("广东省", "广东", "Guangdong"),
    "CN-GX": ("广西壮族自治区", "广西", "Guangxi"),
    "CN-HI": ("海南省", "海南", "Hainan"),
    "CN-CQ": ("重庆市", "重庆", "Chongqing"),
    "CN-SC": ("四川省", "四川", "Sichuan"),
    "CN-GZ": ("贵州省", "贵州", "Guizhou"),
    "CN-YN": ("云南省", "云南", "Yunnan"),
    "CN-XZ": ("西藏自治区", "西藏", "Tibet"),
    "CN-SN": ("陕西省", "陕西", "Shaanxi"),
    "CN-GS": ("甘肃省", "甘肃", "Gansu"),
    "CN-QH": ("青海省", "青海", "Qinghai"),
    "CN-NX": ("宁夏回族自治区", "宁夏", "Ningxia"),
    "CN-XJ": ("新疆维吾尔自治区", "新疆", "Xinjiang"),
    "CN-HK": ("香港特别行政区", "香港", "Hong Kong"),
    "CN-MO": ("澳门特别行政区", "澳门", "Macao"),
    "CN-TW": ("台湾省", "台湾", "Taiwan"),
}

#: subject field -> its one label (docs/credentials.md; vccore.recognition.model.KIND_DATES names which field
#: dates each kind). The certificate's own date is 发证日期 wherever a person reads it.
DATE_LABELS: Final[dict[str, Text]] = {
    "assessmentDate": Text("发证日期", "Date of issue"),
    "issueDate": Text("发证日期", "Date of issue"),
    "awardDate": Text("取得日期", "Date awarded"),
    "graduationDate": Text("毕业日期", "Date of graduation"),
    "recognitionDate": Text("认定日期", "Date of recognition"),
}
#: the electronic credential's own time (``validFrom``, the signing), never the certificate's date
SIGNED_LABEL: Final = Text("电子凭证签发时间", "Electronic credential signed")
VALID_UNTIL_LABEL: Final = Text("电子凭证有效期至", "Electronic credential valid until")


def date_label(field: str) -> Text:
    """The one label of a date field (the field name itself when it is not a known date field)."""
    return DATE_LABELS.get(field, Text(field, field))


def _date_parts(value: date | str) -> tuple[int, int | None, int | None] | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.year, value.month, value.day
    if not isinstance(value, str):
        return None
    match = _PARTIAL.match(value.strip())
    if match is None:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None:
        try:
            date(year, month or 1, day)
        except ValueError:
            return None
    return year, month, day


def date_text(value: date | str) -> Text:
    """``2023年6月30日`` / ``30 June 2023`` (``2018年11月`` / ``November 2018`` for a partial date);
    anything else as written."""
    parts = _date_parts(value)
    if parts is None:
        shown = str(value)
        return Text(shown, shown)
    year, month, day = parts
    if month is None:
        return Text(f"{year}年", str(year))
    if day is None:
        return Text(f"{year}年{month}月", f"{_MONTHS[month - 1]} {year}")
    return Text(f"{year}年{month}月{day}日", f"{day} {_MONTHS[month - 1]} {year}")


def moment_text(value: datetime | str) -> Text:
    """A moment in Beijing time (UTC+8), to the minute: ``2026年12月7日 21:08（北京时间）``. A date-only
    string is a date (:func:`date_text`); anything unreadable is shown as written."""
    if isinstance(value, str):
        if _date_parts(value) is not None:
            return date_text(value)
        try:
            moment = parse_datetime(value)
        except SkillcredError:
            return Text(value, value)
    else:
        moment = require_aware(value, name="value")
    local = moment.astimezone(BEIJING)
    day = date_text(local.date())
    clock = f"{local.hour:02d}:{local.minute:02d}"
    return Text(f"{day.zh} {clock}（北京时间）", f"{day.en}, {clock} Beijing time (UTC+8)")


def region_name(code: str) -> Text:
    """``CN-SX`` -> 山西省 / Shanxi; ``CN`` -> 全国; an unknown code as written."""
    found = REGIONS.get(code.strip().upper()) if isinstance(code, str) else None
    if found is None:
        return Text(str(code), str(code))
    return Text(found[0], found[2])


def region_short(code: str) -> Text:
    """The short name used inside a sentence: ``CN-GD`` -> 广东 (在广东…); ``CN`` -> 全国."""
    found = REGIONS.get(code.strip().upper()) if isinstance(code, str) else None
    if found is None:
        return Text(str(code), str(code))
    return Text(found[1], found[2])
