"""Deadline phrases as ledgers write them, turned into dates in the campaign's year."""

import datetime

import pytest

from taizhang.lib.deadlines import parse_deadline

D = datetime.date
START = D(2021, 3, 15)


@pytest.mark.parametrize(
    ("written", "due"),
    [
        ("2021年6月底前", D(2021, 6, 30)),
        ("2022年6月底前", D(2022, 6, 30)),
        ("6月底前", D(2021, 6, 30)),
        ("12月底前", D(2021, 12, 31)),
        ("十二月底前", D(2021, 12, 31)),
        ("2月底前", D(2021, 2, 28)),
        ("9月30日前", D(2021, 9, 30)),
        ("11月18日前", D(2021, 11, 18)),
        ("2021.10", D(2021, 10, 31)),
        ("2021-10-31", D(2021, 10, 31)),
        ("2021/10/31", D(2021, 10, 31)),
        ("2021年10月31日", D(2021, 10, 31)),
        ("10月中旬", D(2021, 10, 20)),
        ("10月上旬", D(2021, 10, 10)),
        ("10月下旬", D(2021, 10, 31)),
        ("年底前", D(2021, 12, 31)),
        ("年内", D(2021, 12, 31)),
        ("年内完成", D(2021, 12, 31)),
        ("第三季度", D(2021, 9, 30)),
        ("三季度末", D(2021, 9, 30)),
        ("一季度", D(2021, 3, 31)),
        ("第四季度", D(2021, 12, 31)),
        ("上半年", D(2021, 6, 30)),
        ("下半年", D(2021, 12, 31)),
        ("9月投入使用", D(2021, 9, 30)),
        ("5月底前动工", D(2021, 5, 31)),
        ("２０２１年６月底前", D(2021, 6, 30)),
        ("立行立改", START),
    ],
)
def test_phrase_becomes_a_date_and_the_words_are_kept(written, due):
    deadline = parse_deadline(written, year=2021, start=START)
    assert deadline.due == due
    assert deadline.due_text == written
    assert deadline.understood
    assert not deadline.ongoing


@pytest.mark.parametrize("written", ["长期坚持", "持续推进", "常态化", "常态化开展"])
def test_ongoing_phrases_have_no_date(written):
    deadline = parse_deadline(written, year=2021, start=START)
    assert deadline.due is None
    assert deadline.ongoing
    assert deadline.due_text == written


def test_excel_date_cells_are_taken_as_they_are():
    assert parse_deadline(D(2021, 7, 1), year=2021).due == D(2021, 7, 1)
    assert parse_deadline(datetime.datetime(2021, 7, 1, 0, 0), year=2021).due == D(2021, 7, 1)
    assert parse_deadline(D(2021, 7, 1), year=2021).due_text == ""


def test_an_excel_serial_number_without_date_format_is_a_date():
    assert parse_deadline(44377.0, year=2021).due == D(2021, 6, 30)


def test_empty_cells_have_no_deadline():
    assert parse_deadline(None, year=2021).due is None
    assert parse_deadline("  ", year=2021).due_text == ""


def test_words_not_understood_are_kept_without_a_date():
    deadline = parse_deadline("视情况而定", year=2021)
    assert deadline.due is None
    assert deadline.due_text == "视情况而定"
    assert not deadline.understood


def test_impossible_dates_are_not_understood():
    deadline = parse_deadline("2月30日前", year=2021)
    assert deadline.due is None and not deadline.understood


def test_immediately_without_a_campaign_start_is_new_year():
    assert parse_deadline("立行立改", year=2021).due == D(2021, 1, 1)
