"""Timestamps: XML Schema dateTime with a mandatory offset, always compared as aware UTC.

SECURITY.md verifier item 12: a timestamp without an offset is malformed, never guessed.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from vccore.errors import Code, SkillcredError

_DATETIME = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

DEFAULT_SKEW = timedelta(seconds=300)
#: China Standard Time (UTC+8, no daylight saving since 1991): the calendar certificates and
#: recognitions are dated in
BEIJING = timezone(timedelta(hours=8), "北京时间")


def parse_datetime(value: object, *, field: str = "value") -> datetime:
    """Parse an XSD dateTime that carries ``Z`` or ``±hh:mm``. Raises MALFORMED_VALUE_ERROR."""
    if not isinstance(value, str) or not _DATETIME.match(value):
        raise SkillcredError(
            f"{field}: {value!r} is not a dateTime with a time zone offset", code=Code.MALFORMED_VALUE_ERROR
        )
    text = value
    frac = re.search(r"\.(\d+)", text)
    if frac and len(frac.group(1)) > 6:
        text = text.replace(frac.group(0), "." + frac.group(1)[:6])
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as err:
        raise SkillcredError(f"{field}: {value!r} is not a valid dateTime", code=Code.MALFORMED_VALUE_ERROR) from err
    return parsed.astimezone(UTC)


def parse_date(value: object, *, field: str = "value") -> date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise SkillcredError(f"{field}: {value!r} is not a date (YYYY-MM-DD)", code=Code.MALFORMED_VALUE_ERROR)
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise SkillcredError(f"{field}: {value!r} is not a valid date", code=Code.MALFORMED_VALUE_ERROR) from err


def require_aware(now: datetime, *, name: str = "now") -> datetime:
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {now!r}")
    return now.astimezone(UTC)


def format_datetime(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` (seconds precision, UTC), the form skillcred writes."""
    return require_aware(moment, name="moment").replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def beijing_date(moment: datetime) -> date:
    """The calendar date in Beijing at ``moment`` (the date a Chinese certificate would bear)."""
    return require_aware(moment).astimezone(BEIJING).date()


def outside_window(
    now: datetime, *, valid_from: datetime | None, valid_until: datetime | None, skew: timedelta = DEFAULT_SKEW
) -> str | None:
    """The one validity-window rule (VC 2.0 section 4.9, with the clock-skew allowance): ``"early"`` when
    ``now`` is before ``valid_from - skew``, ``"late"`` when it is after ``valid_until + skew``, else None
    (a missing bound does not limit). Credentials, status list credentials and trust packs use it."""
    now = require_aware(now)
    if valid_from is not None and now + skew < valid_from:
        return "early"
    if valid_until is not None and now - skew > valid_until:
        return "late"
    return None
