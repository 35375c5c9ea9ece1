"""Dates as the site prints them: which are publication dates, and what they become (ISO 8601)."""

from __future__ import annotations

import pytest

from turan_crawler.extract.dates import (
    looks_like_date_line,
    month_number,
    parse_date_text,
    parse_dateline,
    parse_iso,
)


@pytest.mark.parametrize(
    "printed,iso",
    [
        ("26 August 2024, 17:13", "2024-08-26T17:13:00+04:00"),
        ("15 May 2023 16:21", "2023-05-15T16:21:00+04:00"),
        ("27 Avqust 2016 11:21", "2016-08-27T11:21:00+04:00"),
        ("19 марта 2026 15:32", "2026-03-19T15:32:00+04:00"),
        ("14 июль 2021 12:24", "2021-07-14T12:24:00+04:00"),
        ("2017 October 28 ( Saturday )  15:07:34", "2017-10-28T15:07:34+04:00"),
    ],
)
def test_a_printed_date_with_a_time_is_a_publication_time_in_baku(printed, iso):
    assert parse_date_text(printed) == iso


@pytest.mark.parametrize(
    "printed,iso",
    [
        ("Wednesday, 21 February 2024", "2024-02-21"),
        ("14 Jan 2026", "2026-01-14"),
        ("09.Jan.2026", "2026-01-09"),
        ("Son yenilənmə (12 d. əvvəl)", None),
        ("(2 часа назад)", None),
    ],
)
def test_a_date_without_a_time_stays_a_date_and_a_relative_one_is_none(printed, iso):
    assert parse_date_text(printed) == iso


def test_a_body_dateline_gives_the_date_alone():
    assert parse_dateline("Baku/28.06.18/Turan: The talks opened.") == "2018-06-28"
    assert parse_dateline("Bakı/10.02.23/Turan: Danışıqlar başladı.") == "2023-02-10"
    assert parse_dateline("The talks opened in Baku on 28.06.18.") is None


def test_metadata_times_keep_their_offset_and_local_ones_are_baku_time():
    assert parse_iso("2024-05-01T10:00:00Z") == "2024-05-01T10:00:00+00:00"
    assert parse_iso("2024-05-01T10:00:00+0300") == "2024-05-01T10:00:00+03:00"
    assert parse_iso("2024-05-01 10:00") == "2024-05-01T10:00:00+04:00"
    assert parse_iso("2024-05-01") == "2024-05-01"
    assert parse_iso("2024-02-30T10:00:00") is None
    assert parse_iso("yesterday") is None


@pytest.mark.parametrize(
    "word,month",
    [("January", 1), ("Yanvar", 1), ("İyun", 6), ("iyul", 7), ("марта", 3), ("май", 5), ("Dekabr", 12)],
)
def test_month_names_in_three_languages(word, month):
    assert month_number(word) == month


def test_a_line_that_is_only_a_date_is_told_from_a_sentence_with_a_date():
    assert looks_like_date_line("Wednesday, 21 February 2024")
    assert looks_like_date_line("09.Jan.2026")
    assert not looks_like_date_line("The talks on 21 February 2024 went well")
