"""Parsing the Mutu Baku "Waktu" texts: every form the seeds print, and refusals."""

from decimal import Decimal

import pytest

from sop_admin.errors import InvalidTimeStandard
from sop_admin.models import TimeUnit
from sop_admin.timestd import TimeStandard, parse_time_standard

MINUTE, HOUR, DAY, WORKING_DAY = (
    TimeUnit.MINUTE, TimeUnit.HOUR, TimeUnit.DAY, TimeUnit.WORKING_DAY,
)


@pytest.mark.parametrize(
    ("text", "amount", "unit", "interval"),
    [
        # every Waktu value printed in the five seeds
        ("5 menit", "5", MINUTE, False),
        ("10 menit", "10", MINUTE, False),
        ("10 Menit", "10", MINUTE, False),
        ("15 Menit", "15", MINUTE, False),
        ("1 jam", "1", HOUR, False),
        ("2 jam", "2", HOUR, False),
        ("1 Jam sekali", "1", HOUR, True),
        ("1 x 2 jam", "2", HOUR, False),
        ("1 x 24 jam", "24", HOUR, False),
        ("1 hari kerja", "1", WORKING_DAY, False),
        # the other forms of the contract
        ("3 hari", "3", DAY, False),
        ("2 x 3 jam", "6", HOUR, False),
        ("2 jam sekali", "2", HOUR, True),
        ("1,5 jam", "1.5", HOUR, False),
        ("0.5 hari kerja", "0.5", WORKING_DAY, False),
        ("1x24 jam", "24", HOUR, False),
        ("3 HARI KERJA", "3", WORKING_DAY, False),
    ],
)
def test_parse_time_standard_known_form_gives_amount_and_unit(
    text, amount, unit, interval
):
    parsed = parse_time_standard(text)
    assert parsed == TimeStandard(text, Decimal(amount), unit, interval)


def test_parse_time_standard_extra_spaces_collapsed_case_kept():
    parsed = parse_time_standard("  15   Menit ")
    assert parsed.text == "15 Menit"
    assert parsed.amount == Decimal(15)
    assert parsed.unit == MINUTE


def test_parse_time_standard_tab_between_words_tolerated():
    assert parse_time_standard("1\tx 24\tjam").amount == Decimal(24)


@pytest.mark.parametrize("text", ["", "   ", None])
def test_parse_time_standard_empty_gives_no_duration(text):
    assert parse_time_standard(text) == TimeStandard("", None, None, False)


def test_parse_time_standard_interval_is_not_a_deadline():
    assert parse_time_standard("1 jam sekali").is_interval is True
    assert parse_time_standard("1 jam").is_interval is False


@pytest.mark.parametrize(
    "text",
    [
        "segera",
        "5",
        "menit",
        "5 minutes",
        "5 menit 10 detik",
        "1 x 24",
        "1 x 2 hari",
        "0 menit",
        "-5 menit",
        "1,2345 jam",
        "5 menit sekali",
        "1 hari kerja sekali",
        "24 jam x 1",
        "99999999 menit",
    ],
)
def test_parse_time_standard_unknown_form_raises_quoting_text(text):
    with pytest.raises(InvalidTimeStandard) as caught:
        parse_time_standard(text)
    assert f'"{text}"' in str(caught.value)
    assert "unrecognised time standard" in str(caught.value)
