"""A unit's secretary adds photos of a held activity on a phone; the gallery shows them and passes axe."""

import pytest
from playwright.sync_api import expect

from taizhang.orgs.access import Access
from taizhang.study import actions
from taizhang.study.models import ActivityPhoto
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import has_horizontal_overflow, log_in, screenshot
from taizhang.testing.files import image_bytes

from .test_browser import roster  # noqa: F401  (the roster of 办公室)
from .test_study import _activity

browser, page, page_watch, phone_page = fixtures.browser, fixtures.page, fixtures.page_watch, fixtures.phone_page

pytestmark = pytest.mark.browser


def test_liaison_adds_photos_to_a_held_activity_on_a_phone(phone_page, people, campaign, org, roster, tmp_path):  # noqa: F811
    from taizhang.study.models import Member
    from taizhang.tests.test_accessibility import axe_source, describe, run_axe

    access = {name: Access.for_user(user, campaign) for name, user in people.items()}
    activity = _activity(campaign, org, access, people)
    member = Member.objects.get(name="张三")
    actions.record_attendance(
        activity, marks={member.pk: ("present", "")}, access=access["lily"], acting_user=people["lily"]
    )
    photo = tmp_path / "合影.jpg"
    photo.write_bytes(image_bytes("JPEG", size=(64, 48)))
    tab = phone_page
    log_in(tab, "lily")
    tab.goto(f"/c/{campaign.slug}/study/activities/{activity.pk}/")
    expect(tab.locator("#no-photos")).to_be_visible()
    tab.set_input_files("#id_photos", str(photo))
    tab.fill("#id_caption", "重温入党誓词合影")
    with tab.expect_navigation():
        tab.click("#photo-form button[type=submit]")
    stored = ActivityPhoto.objects.get()
    image = tab.locator("#photo-gallery img")
    expect(image).to_have_attribute("alt", "重温入党誓词合影")
    image.scroll_into_view_if_needed()
    tab.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert tab.evaluate("img => img.naturalWidth", image.element_handle()) == 64  # served, and shown
    expect(tab.locator("#history-timeline")).to_contain_text(stored.name)  # the photo is in the history
    assert not has_horizontal_overflow(tab)
    violations = run_axe(tab, axe_source())
    assert not violations, describe(violations)
    screenshot(tab, "study-activity-photos-phone")
