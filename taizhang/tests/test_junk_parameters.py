"""The sites that answered 500 to junk (issue 16, finding 7) answer 400 or 404 now, in Chinese."""

import pytest
from django.test import RequestFactory

from taizhang.lib.params import (
    MAX_ID,
    BadParameter,
    choice_param,
    date_param,
    id_list_param,
    id_param,
    int_param,
    path_id,
)

UNICODE_DIGITS = ("²", "١٢", "１２", "৩")
HUGE = ("9" * 23, "9" * 5000, str(MAX_ID + 1))


def get(**query):
    return RequestFactory().get("/", query)


# --- the parsers -------------------------------------------------------------------------------------------


def test_int_param_reads_ascii_digits_and_refuses_unicode_digits_and_huge_numbers():
    assert int_param(get(n="42"), "n") == 42
    assert int_param(get(n=" -3 "), "n") == -3
    assert int_param(get(), "n", 7) == 7
    assert int_param(get(n=""), "n", 7) == 7
    for junk in (*UNICODE_DIGITS, *HUGE, "abc", "1e3", "0x10", "1.5", "1 2"):
        with pytest.raises(BadParameter):
            int_param(get(n=junk), "n")


def test_int_param_keeps_to_its_bounds():
    assert int_param(get(n="5"), "n", min_value=1, max_value=5) == 5
    with pytest.raises(BadParameter, match="不能小于"):
        int_param(get(n="0"), "n", min_value=1)
    with pytest.raises(BadParameter):
        int_param(get(n="6"), "n", max_value=5)


def test_ids_are_positive_and_within_the_databases_integer():
    assert id_param(get(unit="12"), "unit") == 12
    assert id_param(get(unit=str(MAX_ID)), "unit") == MAX_ID
    for junk in ("0", "-1", *HUGE, *UNICODE_DIGITS):
        with pytest.raises(BadParameter):
            id_param(get(unit=junk), "unit")


def test_id_lists_come_repeated_or_comma_separated():
    assert id_list_param(RequestFactory().get("/?d=1&d=2"), "d") == [1, 2]
    assert id_list_param(get(ids="3, 4,,"), "ids", separator=",") == [3, 4]
    with pytest.raises(BadParameter):
        id_list_param(RequestFactory().get("/?d=1&d=²"), "d")


def test_dates_must_exist():
    import datetime

    assert date_param(get(day="2026-02-28"), "day") == datetime.date(2026, 2, 28)
    for junk in ("2026-02-30", "2026-13-01", "26-1-1", "２０２６-０１-０１", "tomorrow"):
        with pytest.raises(BadParameter):
            date_param(get(day=junk), "day")


def test_choices_are_one_of_the_list():
    assert choice_param(get(state="open"), "state", ["open", "answered"]) == "open"
    assert choice_param(get(), "state", ["open"], "open") == "open"
    with pytest.raises(BadParameter):
        choice_param(get(state="opened"), "state", ["open", "answered"])


def test_a_junk_path_part_is_a_page_that_does_not_exist():
    from django.http import Http404

    assert path_id("17") == 17
    for junk in ("²", "9" * 23, "abc", "0"):
        with pytest.raises(Http404):
            path_id(junk)


# --- the sites -----------------------------------------------------------------------------------------------


@pytest.fixture
def office(login, people):
    return login(people["olivia"])


@pytest.mark.parametrize("junk", [*UNICODE_DIGITS, *HUGE, "abc", "-1"])
def test_dashboards_big_screen_and_data_json_answer_400_to_a_junk_unit(office, campaign, junk):
    for path in ("dashboard/", "dashboard/screen/", "dashboard/data.json"):
        response = office.get(f"/c/{campaign.slug}/{path}", {"unit": junk})
        assert response.status_code == 400, path


def test_the_400_page_says_in_chinese_which_parameter(office, campaign):
    response = office.get(f"/c/{campaign.slug}/dashboard/", {"unit": "²"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请求有误" in page and "“unit”不是有效的记录编号" in page


@pytest.mark.parametrize("junk", ["²", "9" * 23, "9" * 5000, "abc", "0"])
def test_the_big_screen_refresh_is_a_positive_whole_number(office, campaign, junk):
    assert office.get(f"/c/{campaign.slug}/dashboard/screen/", {"refresh": junk}).status_code == 400
    assert office.get(f"/c/{campaign.slug}/dashboard/screen/", {"refresh": "99999"}).context["refresh_seconds"] == 3600


def test_a_new_unit_under_a_junk_parent_is_a_400(office):
    assert office.get("/units/new/", {"parent": "abc"}).status_code == 400
    assert office.get("/units/new/", {"parent": "9" * 23}).status_code == 400
    assert office.get("/units/new/", {"parent": "999"}).status_code == 200  # no such unit: no parent chosen


def test_a_path_id_beyond_bigint_is_a_404_not_an_overflow(office, campaign, items):
    for path in (f"/c/{campaign.slug}/items/{'9' * 23}/", f"/units/{'9' * 5000}/", f"/notices/{2**63}/read/"):
        assert office.get(path).status_code in (404, 405), path
    assert office.get(f"/c/{campaign.slug}/items/{items['oa'].pk}/").status_code == 200


def test_nul_in_the_query_the_path_or_a_form_is_a_400_before_any_query(office, campaign):
    assert office.get(f"/c/{campaign.slug}/items/", {"q": "OA\x00"}).status_code == 400
    assert office.get("/track/AB%00CD/").status_code == 400
    assert office.post("/notices/preferences/", {"x\x00": "on"}).status_code == 400
    assert office.post(f"/c/{campaign.slug}/problems/new/", {"text": "食堂\x00太咸"}).status_code == 400


def test_a_file_with_nul_bytes_is_still_uploaded_as_bytes(client, campaign):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from taizhang.people.models import Demand
    from taizhang.tests.world import _png

    content = _png()
    assert b"\x00" in content
    photo = SimpleUploadedFile("photo.png", content, content_type="image/png")
    response = client.post(f"/c/{campaign.slug}/problems/new/", {"text": "路灯坏了好几天了", "photo": photo})
    assert response.status_code == 302  # sent: off to its confirmation
    assert Demand.objects.get().photo


def test_the_public_form_with_an_empty_post_shows_its_errors(client, campaign):
    assert client.post(f"/c/{campaign.slug}/problems/new/").status_code == 400


def test_an_import_preset_that_is_no_number_is_a_400(office, campaign):
    # The mapping page reads ?preset= after loading the job: an unknown job is a 404 before the preset is read.
    assert office.get(f"/c/{campaign.slug}/sheets/import/{'9' * 23}/mapping/", {"preset": "abc"}).status_code == 404


def test_problems_to_item_with_junk_ids_is_a_400(office, campaign):
    assert office.get(f"/c/{campaign.slug}/problems/to-item/", {"d": "²"}).status_code == 400


def test_the_completeness_board_page_must_be_a_whole_number(office, campaign):
    assert office.get(f"/c/{campaign.slug}/reports/board/", {"page": "²"}).status_code == 400
    assert office.get(f"/c/{campaign.slug}/reports/board/", {"page": "2"}).status_code == 200


def test_a_phone_number_is_ascii_digits(client, campaign):
    response = client.post(f"/c/{campaign.slug}/problems/new/", {"text": "路灯坏了好几天了", "phone": "¹³⁸"})
    assert response.status_code == 400
    assert "电话号码只能包含数字" in response.content.decode()
