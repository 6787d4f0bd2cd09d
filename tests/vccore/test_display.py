"""Chinese display conventions (vccore.display): dates, Beijing time, region names, one label per date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from vccore.display import DATE_LABELS, SIGNED_LABEL, date_label, date_text, moment_text, region_name, region_short
from vccore.text import Text


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        ("2023-06-30", "2023年6月30日", "30 June 2023"),
        ("2018-11", "2018年11月", "November 2018"),
        ("2020", "2020年", "2020"),
        ("2021-07-01", "2021年7月1日", "1 July 2021"),
    ],
)
def test_a_date_reads_the_chinese_way(value: str, zh: str, en: str) -> None:
    assert date_text(value) == Text(zh, en)


@pytest.mark.parametrize("value", ["2023-02-30", "2023-13", "30/06/2023", "soon"])
def test_a_value_that_is_not_a_date_is_shown_as_written(value: str) -> None:
    assert date_text(value) == Text(value, value)


def test_a_moment_is_shown_in_beijing_time_whatever_its_offset() -> None:
    # 17:39 UTC is 01:39 the next day in Beijing: the date changes too
    expected = Text("2026年12月8日 01:39（北京时间）", "8 December 2026, 01:39 Beijing time (UTC+8)")
    assert moment_text("2026-12-07T17:39:09Z") == expected
    assert moment_text("2026-12-07T18:39:09+01:00") == expected
    assert moment_text(datetime(2026, 12, 7, 17, 39, 9, tzinfo=UTC)) == expected
    assert moment_text(datetime(2026, 12, 8, 1, 39, tzinfo=timezone(timedelta(hours=8)))) == expected


def test_a_moment_without_an_offset_is_not_guessed() -> None:
    assert moment_text("2026-12-07T17:39:09") == Text("2026-12-07T17:39:09", "2026-12-07T17:39:09")
    with pytest.raises(ValueError, match="timezone-aware"):
        moment_text(datetime(2026, 12, 7, 17, 39))


def test_a_date_only_value_given_as_a_moment_stays_a_date() -> None:
    assert moment_text("2023-06-30") == Text("2023年6月30日", "30 June 2023")


@pytest.mark.parametrize(
    ("code", "name", "short"),
    [("CN-SX", "山西省", "山西"), ("CN-GD", "广东省", "广东"), ("CN-HL", "黑龙江省", "黑龙江"), ("CN", "全国", "全国")],
)
def test_region_codes_read_as_names(code: str, name: str, short: str) -> None:
    assert region_name(code).zh == name
    assert region_short(code).zh == short


def test_an_unknown_region_code_is_shown_as_written() -> None:
    assert region_name("CN-XX") == Text("CN-XX", "CN-XX")


def test_the_certificate_date_has_one_label_and_it_is_not_the_signing_time() -> None:
    assert date_label("assessmentDate").zh == "发证日期"
    assert date_label("issueDate").zh == "发证日期"
    assert SIGNED_LABEL.zh not in {label.zh for label in DATE_LABELS.values()}
