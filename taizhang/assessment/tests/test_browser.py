"""The assessment in a real browser: the assessor computes a quarter, scores a manual item and proposes an
adjustment; the office approves it and opens the review; the unit objects; the assessor answers; the office
freezes the result (定档) and downloads the circular."""

import io

import docx
import pytest
from playwright.sync_api import expect

from taizhang.assessment.models import Adjustment, ItemScore, Objection, ScoringRun
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import log_in, log_out, screenshot

from .test_scoring import build_ledger, build_scheme

browser, page, page_watch = fixtures.browser, fixtures.page, fixtures.page_watch

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_from_scoring_to_the_frozen_circular(page, live_server, scene, tmp_path):
    for user in ("office", "assessor", "liaison"):
        scene[user].set_password("pw-for-tests-1")
        scene[user].save()
    scheme, items = build_scheme(scene)
    build_ledger(scene)
    slug = scene["campaign"].slug

    # The assessor computes the quarter (the background job runs inline in tests) and opens unit A.
    log_in(page, "amy")
    page.goto(f"/c/{slug}/assessment/")
    with page.expect_navigation():
        page.click(f"#scheme-list a:has-text('{scheme.name}')")
    page.fill("#id_run-label", "2026年第二季度")
    page.fill("#id_run-starts_on", "2026-04-01")
    page.fill("#id_run-ends_on", "2026-06-30")
    with page.expect_navigation():
        page.click("#run-start button[type=submit]")
    run = ScoringRun.objects.get()
    expect(page.locator("#ranking")).to_contain_text("甲子公司")
    screenshot(page, "assessment-ranking")
    with page.expect_navigation():
        page.click("#ranking a:has-text('甲子公司')")
    with page.expect_navigation():
        page.click(f"#breakdown tr[data-item='{items['manual'].pk}'] a")
    page.fill("#id_m-points", "15")
    page.fill("#id_m-reason", "现场检查资料齐全")
    with page.expect_navigation():
        page.click("#manual-form button[type=submit]")
    expect(page.locator("#score-points")).to_contain_text("15")
    page.fill("#id_a-points", "2")
    page.fill("#id_a-reason", "创新做法获上级肯定")
    with page.expect_navigation():
        page.click("#adjust-form button[type=submit]")
    expect(page.locator("#adjustments")).to_contain_text("创新做法")
    score_url = page.url
    log_out(page)

    # The office approves (a second person) and opens the review.
    log_in(page, "olivia")
    page.goto(f"/c/{slug}/assessment/runs/{run.pk}/adjustments/")
    with page.expect_navigation():
        page.click("#adjustment-queue button[value=approve]")
    assert Adjustment.objects.get().state == Adjustment.State.APPROVED
    assert (
        ItemScore.objects.get(unit_score__run=run, unit_score__unit=scene["a"], scheme_item=items["manual"]).points
        == 17
    )
    page.goto(f"/c/{slug}/assessment/runs/{run.pk}/")
    with page.expect_navigation():
        page.click("#open-review")
    log_out(page)

    # The unit objects to the item.
    log_in(page, "lily")
    page.goto(score_url)
    page.fill("#id_o-reason", "已补充提交会议记录，申请复核")
    with page.expect_navigation():
        page.click("#object-form button[type=submit]")
    expect(page.locator("#objections")).to_contain_text("申请复核")
    log_out(page)

    # The assessor answers.
    log_in(page, "amy")
    page.goto(f"/c/{slug}/assessment/runs/{run.pk}/objections/")
    page.fill("#objection-list textarea", "经复核，维持原分")
    with page.expect_navigation():
        page.click("#objection-list button[type=submit]")
    assert Objection.objects.get().state == Objection.State.ANSWERED
    log_out(page)

    # The office freezes the result and downloads the circular.
    log_in(page, "olivia")
    page.goto(f"/c/{slug}/assessment/runs/{run.pk}/")
    with page.expect_navigation():
        page.click("#freeze")
    expect(page.locator("#run-frozen")).to_be_visible()
    with page.expect_download() as download:
        page.click("#circular-docx")
    path = tmp_path / "circular.docx"
    download.value.save_as(path)
    document = docx.Document(io.BytesIO(path.read_bytes()))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "甲子公司" in cells and "考核结果通报" in document.paragraphs[0].text
    screenshot(page, "assessment-frozen")


def test_the_office_reorders_the_scheme_by_keyboard_and_by_drag(page, live_server, scene):
    scene["office"].set_password("pw-for-tests-1")
    scene["office"].save()
    scheme, items = build_scheme(scene)
    work = items["on_time"].section

    def order():
        return list(work.items.order_by("order", "pk").values_list("title", flat=True))

    log_in(page, "olivia")
    page.goto(f"/c/{scene['campaign'].slug}/assessment/schemes/{scheme.pk}/")
    # Keyboard: focus the first item's "down" button, press Enter twice; focus stays on it between moves.
    down = page.locator(f"tr[data-row='item'][data-pk='{items['on_time'].pk}'] button[data-move='down']")
    down.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#scheme-items tbody").first.locator("tr[data-row='item']").nth(1)).to_contain_text("按期完成")
    expect(page.locator("#tz-live")).to_contain_text("按期完成")
    focused = page.evaluate("document.activeElement.closest('tr') && document.activeElement.closest('tr').dataset.pk")
    assert focused == str(items["on_time"].pk)
    page.keyboard.press("Enter")
    expect(page.locator("#scheme-items tbody").first.locator("tr[data-row='item']").nth(2)).to_contain_text("按期完成")
    assert order() == ["超期未完成", "督办响应", "按期完成", "按时报送"]
    # Drag: the last item onto the first row takes its place.
    source = page.locator(f"tr[data-row='item'][data-pk='{items['reports'].pk}']")
    target = page.locator(f"tr[data-row='item'][data-pk='{items['overdue'].pk}']")
    source.drag_to(target)
    expect(page.locator("#scheme-items tbody").first.locator("tr[data-row='item']").first).to_contain_text("按时报送")
    assert order() == ["按时报送", "超期未完成", "督办响应", "按期完成"]
    screenshot(page, "assessment-scheme-order")
