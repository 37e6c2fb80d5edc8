"""Rectification in a real browser, on a phone: an inspector records an inspection with two findings; the
unit answers one with a photo; the inspector returns it, then verifies it; the item's light and the board follow."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from taizhang.inspections.models import Finding, RectificationEvidence
from taizhang.ledger.models import Light
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import has_horizontal_overflow, log_in, log_out, screenshot

from .scene import build, png

browser, phone_page, page_watch = fixtures.browser, fixtures.phone_page, fixtures.page_watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_an_inspection_on_a_phone_to_a_verified_rectification(phone_page, tmp_path):
    scene = build()
    for user in (scene.inspector, scene.liaison):
        user.set_password("pw-for-tests-1")
        user.save()
    page, slug = phone_page, scene.campaign.slug
    today = timezone.localdate()
    began = today - datetime.timedelta(days=10)

    # The inspector records the inspection: the unit by typing, the proposed sample, two methods.
    log_in(page, "ivan")
    page.goto(f"/c/{slug}/inspections/")
    with page.expect_navigation():
        page.click("#inspection-new")
    page.fill("#id_unit", "办公室")
    page.click(".picker-results button:has-text('办公室')")
    page.fill("#id_starts_on", began.isoformat())
    with page.expect_navigation():
        page.click("#propose-sample")
    expect(page.locator("#sample-note")).to_be_visible()
    expect(page.locator("input[name=items][checked]")).to_have_count(1)
    page.check("input[name=methods][value=ledger]")
    page.check("input[name=methods][value=site]")
    assert not has_horizontal_overflow(page)
    with page.expect_navigation():
        page.click("#save-inspection")
    expect(page.locator("#items-checked")).to_contain_text("BGS-01")

    # Two findings: one on the item, already past its deadline; one on the unit as a whole.
    for item, text, deadline in (
        (str(scene.item.pk), "进度滞后，台账记录不全", today - datetime.timedelta(days=2)),
        ("", "主体责任压得不实", today + datetime.timedelta(days=20)),
    ):
        page.select_option("#id_item", item)
        page.select_option("#id_category", "lagging" if item else "responsibility")
        page.fill("#id_description", text)
        page.fill("#id_required", "限期整改")
        page.fill("#id_deadline", deadline.isoformat())
        page.fill("#id_responsible", "王明")
        with page.expect_navigation():
            page.click("#save-finding")
    expect(page.locator("#inspection-findings tbody tr")).to_have_count(2)
    screenshot(page, "inspections-phone-inspection")
    scene.item.refresh_from_db()
    assert (scene.item.light, scene.item.light_code) == (Light.RED, "rectify")
    finding = Finding.objects.get(item=scene.item)
    log_out(page)

    # The unit answers with a photo.
    photo = tmp_path / "rectified.png"
    photo.write_bytes(png((400, 300)))

    def answer():
        page.goto(f"/c/{slug}/findings/{finding.pk}/")
        page.fill("#id_measures", "已补齐台账，倒排工期")
        page.check("input[name=done][value='1']")
        page.set_input_files("#id_evidence", str(photo))
        with page.expect_navigation():
            page.click("#send-answer")
        expect(page.locator("#finding-state")).to_have_text("已整改待核")

    log_in(page, "lily")
    answer()
    assert RectificationEvidence.objects.filter(rectification__finding=finding).count() == 1
    log_out(page)

    # The inspector returns it with a reason; the unit answers again; the inspector verifies.
    log_in(page, "ivan")
    page.goto(f"/c/{slug}/findings/{finding.pk}/")
    page.fill("#id_reason", "照片不能反映整改效果")
    with page.expect_navigation():
        page.click("#return")
    expect(page.locator("#finding-state")).to_have_text("退回整改")
    log_out(page)
    log_in(page, "lily")
    answer()
    log_out(page)
    log_in(page, "ivan")
    page.goto(f"/c/{slug}/findings/{finding.pk}/")
    with page.expect_navigation():
        page.click("#verify")
    expect(page.locator("#finding-state")).to_have_text("已销号")
    screenshot(page, "inspections-phone-verified")

    # The item's light follows, and so does the board.
    scene.item.refresh_from_db()
    assert scene.item.light_code != "rectify"
    page.goto(f"/c/{slug}/dashboard/")
    expect(page.locator("#board-findings-overdue")).to_have_text("0")
    expect(page.locator("#board-findings")).to_contain_text("主体责任压得不实")
