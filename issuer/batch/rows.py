"""The rows of a batch file: read, validated and turned into issuance requests.

The file is UTF-8 (a leading byte-order mark is tolerated) with a header row naming the kind's input
fields in camelCase (``name``, ``idNumber``, ``occupationCode``, ...), nested ones dotted
(``evaluationOrganization.name``), plus an optional ``subjectDid``. An empty cell means "not given".
Every row is checked against the kind's input (the same checks as ``issuer issue``); every bad row is
reported as (line, column, reason), Chinese first then English (a kind's check gives its problem code's Chinese
title, its detail in English). Duplicate certificate numbers are bad rows too (their output files would
collide). The idempotency key of a row is SHA-256 of (batch id, line, row content); the batch id defaults to
the file's name. A row whose line or content changed is a new request.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from issuer import validation
from issuer.kinds import KINDS
from issuer.signing import DIGEST_ENCODER, Request
from vccore.di.cryptosuites import DEFAULT_SUITE
from vccore.errors import Code, SkillcredError, title_zh

SUBJECT_DID: Final = "subjectDid"
_DID = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class RowProblem:
    """A bad row (or file): the line (1 is the header), the column ("-": the whole row) and why, in English
    (``reason``, with the problem code when a kind's check found it) and in Chinese (``reason_zh``)."""

    line: int
    column: str
    reason: str
    reason_zh: str = ""

    def where(self) -> tuple[str, str]:
        """Where the problem is, in Chinese and in English: 第 3 行，skillLevel 列 / line 3, column skillLevel."""
        if self.column == "-":
            return f"第 {self.line} 行", f"line {self.line}"
        return f"第 {self.line} 行，{self.column} 列", f"line {self.line}, column {self.column}"

    def __str__(self) -> str:
        zh, en = self.where()
        return f"{zh}：{self.reason_zh or self.reason} / {en}: {self.reason}"


class BatchRefused(SkillcredError):
    """The file has bad rows (or cannot be read as a batch); ``problems`` lists every one. With ``message``
    (a header that does not fit the kind), that one message says it and the problems are not printed too."""

    def __init__(self, problems: list[RowProblem], *, fatal: bool, message: str | None = None) -> None:
        hint = ("", "") if fatal else ("（请改正，或加 --skip-bad 只签发正确的行）", " (fix them, or pass --skip-bad)")
        count = len(problems)
        super().__init__(
            message or f"有 {count} 行有误，未签发任何凭证{hint[0]} / {count} bad row(s); nothing was issued{hint[1]}",
            code=Code.MALFORMED_VALUE_ERROR,
        )
        self.problems = problems
        self.fatal = fatal
        self.lines = () if message else tuple(str(problem) for problem in problems)


@dataclass(frozen=True)
class Row:
    """A validated row, ready to issue."""

    line: int
    cells: Mapping[str, str] = field(repr=False)
    request: Request
    file_name: str


def _columns(input_type: type[Any]) -> tuple[set[str], set[str], dict[str, type[Any]], set[str]]:
    """(all columns, required columns, nested prefixes -> type, boolean columns) of a kind's input."""
    allowed, required, nested, booleans = {SUBJECT_DID}, set(), {}, set()
    for f in dataclasses.fields(input_type):
        name = validation.camel(f.name)
        inner = f.metadata.get("nested")
        if inner is not None:
            nested[name] = inner
            allowed |= {f"{name}.{validation.camel(g.name)}" for g in dataclasses.fields(inner)}
            continue
        allowed.add(name)
        if f.default is dataclasses.MISSING:
            required.add(name)
        if f.type in ("bool", bool):
            booleans.add(name)
    return allowed, required, nested, booleans


def _mapping(cells: Mapping[str, str], nested: Mapping[str, type[Any]], booleans: set[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for column, value in cells.items():
        if column == SUBJECT_DID:
            continue
        head, dot, tail = column.partition(".")
        if dot and head in nested:
            data.setdefault(head, {})[tail] = value
        elif column in booleans and value.lower() in ("true", "false"):
            data[column] = value.lower() == "true"
        else:
            data[column] = value
    return data


def example_csv(kind: str, example: Mapping[str, Any]) -> str:
    """A batch CSV of ``kind`` with one row, ``example`` (the kind's example input): the header in the input's
    field order (nested fields dotted, then ``subjectDid``), booleans as ``true``/``false``."""
    columns: list[str] = []
    for f in dataclasses.fields(KINDS[kind].input_type):
        name = validation.camel(f.name)
        inner = f.metadata.get("nested")
        columns += [f"{name}.{validation.camel(g.name)}" for g in dataclasses.fields(inner)] if inner else [name]
    columns.append(SUBJECT_DID)
    cells = []
    for column in columns:
        head, dot, tail = column.partition(".")
        value = (
            example.get(head, {}).get(tail) if dot and isinstance(example.get(head), Mapping) else example.get(column)
        )
        cells.append("" if value is None else str(value).lower() if isinstance(value, bool) else str(value))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([columns, cells])
    return out.getvalue()


def row_mapping(cells: Mapping[str, str], kind: str) -> dict[str, Any]:
    """The camelCase input mapping of a row's non-empty cells (nested columns folded, booleans parsed)."""
    _, _, nested, booleans = _columns(KINDS[kind].input_type)
    return _mapping(cells, nested, booleans)


def is_did(value: str) -> bool:
    return bool(_DID.match(value))


class _RowDigests:
    """:func:`issuer.signing.digest` of ``(*prefix, line, content)`` and of ``(kind, cryptosuite, content)`` for many
    rows, the row content encoded once for both (same bytes as :func:`issuer.signing.digest`, which a test checks)."""

    def __init__(self, prefix: tuple[Any, ...], kind: str, cryptosuite: str) -> None:
        self._key = DIGEST_ENCODER.encode(prefix)[:-1] + ", "
        self._request = (DIGEST_ENCODER.encode((kind, cryptosuite))[:-1] + ", ").encode("utf-8")

    def __call__(self, line: int, content: Mapping[str, str]) -> tuple[str, str]:
        encoded = DIGEST_ENCODER.encode(content).encode("utf-8") + b"]"
        key = hashlib.sha256(f"{self._key}{line}, ".encode())
        key.update(encoded)
        return key.hexdigest(), hashlib.sha256(self._request + encoded).hexdigest()


def _decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise BatchRefused(
            [RowProblem(line, "-", f"not valid UTF-8 ({err.reason})", "不是有效的 UTF-8 文本")], fatal=True
        ) from err
    return text.removeprefix("\ufeff")


def read_rows(
    source: Path | str, kind: str, *, cryptosuite: str = DEFAULT_SUITE, batch_id: str | None = None
) -> tuple[list[Row], list[RowProblem]]:
    """Every good row and every bad row of the CSV file ``source``. Raises :class:`BatchRefused`
    (``fatal``) when the file itself is unusable: unreadable, not UTF-8, or a bad header."""
    entry = KINDS.get(kind)
    if entry is None:
        raise SkillcredError(f"kind: {kind!r} is not one of {', '.join(KINDS)}", code=Code.MALFORMED_VALUE_ERROR)
    path = Path(source)
    try:
        text = _decode(path.read_bytes())
    except FileNotFoundError:  # the command line's one wording of a missing file (exit 2)
        raise
    except OSError as err:
        raise SkillcredError(f"无法读取 {path} / cannot read {path}: {err.strerror}", code=Code.NOT_FOUND) from err
    identity = batch_id if batch_id is not None else path.name
    allowed, required, nested, booleans = _columns(entry.input_type)
    digests = _RowDigests(("skillcred-batch-v1", identity, kind), kind, cryptosuite)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
        if not header:
            raise BatchRefused(
                [RowProblem(1, "-", "the file is empty (a header row is required)", "文件为空（须有表头行）")],
                fatal=True,
            )
        _require_fitting_header(header, kind, allowed, required)
        problems = [RowProblem(1, h, "duplicate column", "列名重复") for i, h in enumerate(header) if h in header[:i]]
        if problems:
            raise BatchRefused(problems, fatal=True)
        rows: list[Row] = []
        bad: list[RowProblem] = []
        numbers: dict[str, int] = {}
        end = reader.line_num
        for values in reader:
            line, end = end + 1, reader.line_num
            if not values:
                continue
            if len(values) != len(header):
                bad.append(
                    RowProblem(
                        line,
                        "-",
                        f"{len(values)} cells, the header has {len(header)}",
                        f"有 {len(values)} 格，表头有 {len(header)} 列",
                    )
                )
                continue
            cells = {h: v for h, v in zip(header, values, strict=True) if v != ""}
            checked = _check_row(line, cells, entry.input_type, nested, booleans, numbers)
            if isinstance(checked, RowProblem):
                bad.append(checked)
                continue
            number = cells.get("certificateNumber", "")
            numbers[number] = line
            key, request_hash = digests(line, cells)
            request = Request(key, request_hash, kind, checked, cells.get(SUBJECT_DID), cryptosuite)
            name = number if _SAFE_NAME.match(number) else f"line-{line}"
            rows.append(Row(line, cells, request, name + ".json"))
    except csv.Error as err:
        raise BatchRefused(
            [RowProblem(reader.line_num, "-", f"CSV syntax: {err}", "CSV 格式错误")], fatal=True
        ) from err
    return rows, bad


def _require_fitting_header(header: list[str], kind: str, allowed: set[str], required: set[str]) -> None:
    """Nothing when ``header`` has only ``kind``'s columns and all its required ones; otherwise one fatal
    refusal that says so once, with the columns that do not fit and the kinds whose columns would."""
    unknown = [h or "-" for h in header if h not in allowed]
    missing = sorted(required - set(header))
    if not unknown and not missing:
        return
    fits = []
    for name, entry in KINDS.items():
        their_allowed, their_required, _, _ = _columns(entry.input_type)
        if name != kind and set(header) <= their_allowed and their_required <= set(header):
            fits.append(name)
    if fits:  # the file of another kind: naming that kind says all
        kinds = " / ".join(fits)
        zh, en = f"，它是 --kind {kinds} 的表头", f": it is the header of --kind {kinds}"
    else:  # a typo or a foreign file: name the columns
        parts = [f"unknown column(s): {', '.join(unknown)}"] if unknown else []
        parts += [f"missing column(s): {', '.join(missing)}"] if missing else []
        zh, en = "", f" ({'; '.join(parts)})"
    problems = [RowProblem(1, h, "unknown column", "未知的列") for h in unknown]
    problems += [RowProblem(1, h, "required column is missing", "缺少必填列") for h in missing]
    raise BatchRefused(
        problems,
        fatal=True,
        message=f"表头与 --kind {kind} 不符{zh}，未签发任何凭证 / the CSV header does not fit --kind {kind}{en}; "
        "nothing was issued",
    )


def _check_row(
    line: int,
    cells: Mapping[str, str],
    input_type: type[Any],
    nested: Mapping[str, type[Any]],
    booleans: set[str],
    numbers: Mapping[str, int],
) -> Any:
    """The validated input of a row, or its :class:`RowProblem`."""
    try:
        checked = validation.from_mapping(input_type, _mapping(cells, nested, booleans))
    except SkillcredError as err:
        column = err.pointer.strip("/").replace("/", ".") or "-"
        reason = err.detail.removeprefix(f"{column}: ")
        return RowProblem(line, column, f"{err.code.value}: {reason}", err.zh or title_zh(err.code))
    did = cells.get(SUBJECT_DID)
    if did is not None and not is_did(did):
        return RowProblem(line, SUBJECT_DID, f"{did[:60]!r} is not a DID", "不是 DID")
    number = cells.get("certificateNumber", "")
    if number in numbers:
        return RowProblem(
            line, "certificateNumber", f"duplicate of line {numbers[number]}", f"与第 {numbers[number]} 行重复"
        )
    return checked
