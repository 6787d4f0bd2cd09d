"""Field checks shared by the credential inputs: each failure names the field and the value.

A bad value raises :class:`SkillcredError` with ``MALFORMED_VALUE_ERROR``, its message starting with
the field's name as spelled in the credential (camelCase, dotted when nested) and its pointer set. A
clear resident ID number where none belongs raises ``PERSONAL_DATA_ERROR``; that message shows the
value redacted (:func:`vccore.kinds.identity.redact`), never the number.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from vccore.errors import Code, SkillcredError
from vccore.kinds import identity

MAX_TEXT = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_OPAQUE_NUMBER = re.compile(r"^[^\s\x00-\x1f\x7f]{1,64}$")


def bad(field_name: str, message: str, *, code: Code = Code.MALFORMED_VALUE_ERROR, zh: str = "") -> SkillcredError:
    """The error for ``field_name``: ``message`` in English, ``zh`` the same in a short Chinese sentence."""
    return SkillcredError(f"{field_name}: {message}", code=code, pointer="/" + field_name.replace(".", "/"), zh=zh)


@functools.lru_cache(maxsize=1024)  # field names of the input dataclasses, asked for dozens of times per row
def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def check_text(name: str, value: Any, *, max_len: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise bad(name, f"expected a string, got {value!r}", zh="须为文本")
    if not value.strip() or value != value.strip():
        raise bad(name, f"{value!r} is empty or has leading/trailing spaces", zh="为空，或首尾有空格")
    if len(value) > max_len or _CONTROL.search(value):
        raise bad(
            name,
            f"{value[:40]!r} is longer than {max_len} characters or has control characters",
            zh=f"超过 {max_len} 个字符，或含控制字符",
        )
    return value


def check_date(name: str, value: Any) -> str:
    if not isinstance(value, str) or not _DATE.match(value):
        raise bad(name, f"{value!r} is not an ISO date YYYY-MM-DD", zh="日期须写作 YYYY-MM-DD，如 2023-06-30")
    try:
        date.fromisoformat(value)
    except ValueError as err:
        raise bad(name, f"{value!r} is not a calendar date", zh="日历上没有这一天") from err
    return value


def check_enum(name: str, value: Any, allowed: Mapping[str, Any]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise bad(
            name, f"{value!r} is not one of {', '.join(allowed)}", zh="不是允许的取值（见 skillcred issuer kinds）"
        )
    return value


def check_opaque_number(name: str, value: Any) -> str:
    if not isinstance(value, str) or not _OPAQUE_NUMBER.match(value):
        raise bad(
            name, f"{value!r} is not 1-64 printable characters without spaces", zh="须为 1–64 个可见字符，不含空格"
        )
    return value


def check_no_clear_id(prefix: str, data: Any, *, skip: str | None = None) -> None:
    """Raise ``PERSONAL_DATA_ERROR`` naming the first field (other than ``skip``) holding an ID number.

    ``data`` is a mapping keyed by camelCase names or an input dataclass (nested inputs check
    themselves). The message names the innermost field and shows the value redacted.
    """
    if isinstance(data, Mapping):
        tree = {str(k): v for k, v in data.items() if k != skip}
    else:
        tree = {
            camel(f.name): getattr(data, f.name)
            for f in dataclasses.fields(data)
            if f.name != skip and not dataclasses.is_dataclass(getattr(data, f.name))
        }
    pointers = identity.clear_id_pointers(tree)
    if not pointers:
        return
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointers[0].split("/")[1:]]
    value: Any = tree
    for part in parts:
        value = value[int(part)] if isinstance(value, list | tuple) else value.get(part, "")
    shown = identity.redact(value) if isinstance(value, str) else "a number"
    raise bad(
        prefix + ".".join(parts),
        f"holds a clear resident ID number ({shown}); only idNumber may",
        code=Code.PERSONAL_DATA_ERROR,
        zh="含有明文身份证号；身份证号只能填在 idNumber",
    )


T = TypeVar("T")


def from_mapping(cls: type[T], data: Any, *, prefix: str = "") -> T:
    """Build the input dataclass ``cls`` from camelCase ``data``, refusing unknown and missing fields."""
    if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
        raise bad(prefix.rstrip(".") or "input", "expected an object with string keys", zh="须为 JSON 对象")
    check_no_clear_id(prefix, data, skip="idNumber")
    fields = {camel(f.name): f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise bad(
            f"{prefix}{unknown[0]}",
            f"unknown field (value {data[unknown[0]]!r}); expected some of {', '.join(fields)}",
            zh="未知字段",
        )
    kwargs: dict[str, Any] = {}
    for key, f in fields.items():
        if key not in data:
            if f.default is dataclasses.MISSING:
                raise bad(f"{prefix}{key}", "required field is missing", zh="必填，不能为空")
            continue
        nested = f.metadata.get("nested")
        kwargs[f.name] = from_mapping(nested, data[key], prefix=f"{prefix}{key}.") if nested else data[key]
    factory: Callable[..., T] = cls
    return factory(**kwargs)


def check_holder(data: Any) -> None:
    """The fields every kind has: ``name`` and ``id_number`` (canonicalized in place: upper-case X)."""
    check_no_clear_id("", data, skip="id_number")
    check_text("name", data.name, max_len=100)
    object.__setattr__(data, "id_number", identity.normalize_resident_id(data.id_number))
