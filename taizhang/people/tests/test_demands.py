"""Collecting problems: the public form, the tracking page, staff recording, and privacy."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from taizhang.history.recording import history_for
from taizhang.people import actions
from taizhang.people.models import CODE_ALPHABET, Channel, Demand, DemandStatus
from taizhang.testing import files

PNG = files.image_bytes("PNG")  # a real image: photos are decoded and re-encoded
PHONE = "13912345678"


def form_url(campaign) -> str:
    return reverse("people:demand_new", args=[campaign.slug])


def post_problem(client, campaign, **extra):
    data = {"text": "食堂晚餐太早结束，加班员工吃不上饭", "category": campaign.categories.first().pk, **extra}
    return client.post(form_url(campaign), data, follow=True)


def test_anyone_submits_a_problem_without_logging_in_and_gets_a_tracking_code(client, campaign, org, items):
    response = post_problem(client, campaign, unit=org["hr"].pk, name="张三", phone=PHONE)
    assert response.status_code == 200
    demand = Demand.objects.get()
    assert demand.tracking_code in response.content.decode()
    assert len(demand.tracking_code) == 10 and set(demand.tracking_code) <= set(CODE_ALPHABET)
    assert demand.channel == Channel.ONLINE and demand.status == DemandStatus.NEW
    assert demand.unit == org["hr"] and demand.phone == PHONE
    assert demand.recorded_by is None
    assert history_for(demand).count() == 1


def test_tracking_codes_are_distinct_and_avoid_ambiguous_letters(campaign):
    codes = {
        actions.submit_demand(campaign=campaign, data={"text": f"问题{i}号很严重"}).tracking_code for i in range(50)
    }
    assert len(codes) == 50
    assert not any(ch in code for code in codes for ch in "01IOLU")


def test_an_anonymous_submission_is_accepted(client, campaign):
    assert post_problem(client, campaign).status_code == 200
    assert not Demand.objects.get().has_personal_data


def test_bad_input_reshows_the_form_with_reasons_and_keeps_nothing(client, campaign):
    response = client.post(form_url(campaign), {"text": "太短", "phone": "call me", "email": "nope"})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"text", "phone", "email"}
    assert "call me" in response.content.decode()
    assert not Demand.objects.exists()


def test_the_honeypot_swallows_bots_silently(client, campaign):
    response = post_problem(client, campaign, website="http://spam.example")
    assert response.status_code == 200
    assert not Demand.objects.exists()


def test_one_address_is_limited_per_hour(client, campaign):
    for _ in range(5):
        assert post_problem(client, campaign).status_code == 200
    response = post_problem(client, campaign)
    assert response.status_code == 429
    assert Demand.objects.count() == 5
    other = client.post(form_url(campaign), {"text": "另一个地址来的问题描述"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302  # sent, then shown its confirmation


def test_a_photo_must_be_a_real_image_of_limited_size(client, campaign):
    fake = SimpleUploadedFile("x.png", b"MZ\x90\x00 not an image at all", content_type="image/png")
    response = post_problem(client, campaign, photo=fake)
    assert response.status_code == 400 and "photo" in response.context["form"].errors
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (actions.PHOTO_MAX_BYTES + 1), content_type="image/png")
    assert post_problem(client, campaign, photo=big).status_code == 400
    real = SimpleUploadedFile("ok.png", PNG, content_type="image/png")
    assert post_problem(client, campaign, photo=real).status_code == 200
    stored = Demand.objects.get().photo
    assert stored.name.endswith(".png") and stored.read().startswith(b"\x89PNG")


def test_the_status_page_shows_progress_by_code_without_personal_data(client, campaign):
    demand = actions.submit_demand(
        campaign=campaign, data={"text": "宿舍热水不稳定", "name": "王小二", "phone": PHONE, "email": "w@example.com"}
    )
    response = client.get(reverse("people:track", args=[demand.tracking_code.lower()]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "宿舍热水不稳定" in body
    for secret in ("王小二", PHONE, "w@example.com"):
        assert secret not in body


def test_looking_up_a_wrong_code_says_so(client, campaign):
    response = client.get(reverse("people:track_lookup"), {"code": "ZZZZZZZZZZ"})
    assert response.status_code == 404
    assert "code" in response.context["form"].errors
    demand = actions.submit_demand(campaign=campaign, data={"text": "宿舍热水不稳定"})
    response = client.get(reverse("people:track_lookup"), {"code": f" {demand.tracking_code.lower()} "})
    assert response.status_code == 302 and demand.tracking_code in response.url


def test_office_records_a_problem_from_a_field_visit(login, people, campaign, org):
    client = login(people["olivia"])
    response = client.post(
        reverse("people:demand_record", args=[campaign.slug]),
        {
            "channel": Channel.VISIT,
            "collected_on": "2026-05-06",
            "place": "八一骨科医院",
            "collected_by": "刘领导",
            "text": "医院停车位不足，职工上班停车难",
            "unit": org["hospital"].pk,
        },
    )
    assert response.status_code == 302
    demand = Demand.objects.get()
    assert demand.channel == Channel.VISIT and demand.place == "八一骨科医院"
    assert demand.recorded_by == people["olivia"]


@pytest.mark.parametrize("who", ["lily", "charlie"])
def test_liaisons_and_outsiders_cannot_record_or_read_problems(login, people, campaign, who):
    actions.submit_demand(campaign=campaign, data={"text": "宿舍热水不稳定", "phone": PHONE})
    client = login(people[who])
    assert client.get(reverse("people:demand_record", args=[campaign.slug])).status_code == 403
    assert client.get(reverse("people:demand_list", args=[campaign.slug])).status_code == 403
    demand = Demand.objects.get()
    assert client.get(reverse("people:demand_detail", args=[campaign.slug, demand.pk])).status_code == 403


def test_the_public_cannot_claim_a_staff_channel(campaign):
    with pytest.raises(actions.PermissionDenied):
        actions.submit_demand(campaign=campaign, data={"text": "走访中听到的问题", "channel": Channel.VISIT})


def test_only_the_office_sees_the_submitters_name_and_phone(login, people, campaign):
    demand = actions.submit_demand(campaign=campaign, data={"text": "宿舍热水不稳定", "name": "王小二", "phone": PHONE})
    office = login(people["olivia"])
    body = office.get(reverse("people:demand_detail", args=[campaign.slug, demand.pk])).content.decode()
    assert "王小二" in body and PHONE in body


def test_personal_data_never_reaches_public_pages_exports_or_the_api(client, login, people, campaign, items):
    demand = actions.submit_demand(
        campaign=campaign, data={"text": "OA系统太慢", "name": "王小二", "phone": PHONE, "email": "w@example.com"}
    )
    actions.link_demand(demand, items["oa"], acting_user=people["olivia"])
    actions.publish_item(items["oa"], acting_user=people["olivia"], for_objection=True)
    pages = [
        reverse("people:public_list", args=[campaign.slug]),
        reverse("people:public_item", args=[campaign.slug, items["oa"].pk]),
        reverse("people:track", args=[demand.tracking_code]),
        reverse("people:track_rate", args=[demand.tracking_code, items["oa"].pk]),
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        f"/open311/v2/requests/{demand.pk}.json",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for secret in ("王小二", PHONE, "w@example.com"):
            assert secret not in body, (url, secret)
    # The ledger export a unit downloads does not carry them either.
    staff = login(people["leo"])
    export = staff.get(reverse("ledger:item_export", args=[campaign.slug]))
    cells = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    flat = " ".join(str(c) for row in cells for c in row)
    assert "王小二" not in flat and PHONE not in flat
    # A leader opens the item page: the source is shown without the person.
    body = staff.get(reverse("ledger:item_detail", args=[campaign.slug, items["oa"].pk])).content.decode()
    assert "王小二" not in body and PHONE not in body


def test_the_confirmation_is_a_redirect_so_a_refresh_sends_nothing_twice(client, campaign):
    data = {"text": "食堂晚餐太早结束，加班员工吃不上饭", "category": campaign.categories.first().pk}
    response = client.post(form_url(campaign), data)
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    code = Demand.objects.get().tracking_code
    for _refresh in range(2):
        page = client.get(response["Location"])
        assert code in page.content.decode() and 'data-tz-copy="' + code + '"' in page.content.decode()
    assert Demand.objects.count() == 1
    # Without a submission in this session, ?sent=1 is just the form.
    other = client.__class__()
    assert 'id="demand-form"' in other.get(response["Location"]).content.decode()
