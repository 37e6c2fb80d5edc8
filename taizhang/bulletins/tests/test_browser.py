"""Cases and the bulletin in a real browser: a liaison's case with a photo goes through review, becomes a
model project and the issue the office signs off and publishes; anyone finds it on the public site and in
the feed; the WeChat article opens from a file and asks for nothing outside it."""

import pytest
from playwright.sync_api import expect

from taizhang.bulletins.models import Bulletin, Practice
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import log_in, log_out, screenshot

from .conftest import png_bytes

browser, page, page_watch = fixtures.browser, fixtures.page, fixtures.page_watch

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_case_goes_from_a_liaison_to_the_published_bulletin_and_the_wechat_article(
    page, browser, people, items, campaign, tmp_path
):
    slug = campaign.slug
    photo = tmp_path / "canteen.png"
    photo.write_bytes(png_bytes(width=900, height=600))

    # The liaison writes the case, links an item by typing, adds a photo, submits.
    log_in(page, "lily")
    page.goto(f"/c/{slug}/practices/")
    with page.expect_navigation():
        page.click("#practice-new")
    page.fill("#id_title", "OA系统流程再造经验")
    page.fill("#id_summary", "审批环节由7个减为3个")
    editor = page.locator(".rt-editor")
    editor.click()
    page.click(".rt-toolbar [data-cmd=h2]")
    page.keyboard.type("主要做法")
    page.keyboard.press("Enter")
    page.click(".rt-toolbar [data-cmd=p]")
    page.keyboard.type("精简审批。<script>alert(1)</script>")
    page.fill("#id_items", "OA")
    page.click(".picker-results button:has-text('HQ-001')")
    expect(page.locator(".picker-chosen input[type=checkbox]")).to_have_count(1)
    screenshot(page, "bulletins-case-form")
    with page.expect_navigation():
        page.click("#practice-form button[type=submit]")
    page.set_input_files("#id_photo", str(photo))
    with page.expect_navigation():
        page.click("#photo-form button[type=submit]")
    expect(page.locator(".case img")).to_have_count(1)
    with page.expect_navigation():
        page.click("#practice-submit")
    practice = Practice.objects.get(title="OA系统流程再造经验")
    assert practice.status == "submitted" and "<script" not in practice.body
    assert list(practice.items.values_list("code", flat=True)) == ["HQ-001"]
    log_out(page)

    # The office returns it with a comment.
    log_in(page, "olivia")
    page.goto(f"/c/{slug}/practices/{practice.pk}/")
    page.fill("#return-form textarea", "请补充成效数据")
    with page.expect_navigation():
        page.click("#practice-return")
    log_out(page)

    # The liaison sees why, fixes it and submits again.
    log_in(page, "lily")
    page.goto(f"/c/{slug}/practices/{practice.pk}/")
    expect(page.locator("#return-comment")).to_contain_text("请补充成效数据")
    with page.expect_navigation():
        page.click("#practice-edit")
    editor = page.locator(".rt-editor")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.click(".rt-toolbar [data-cmd=bold]")
    page.keyboard.type("成效：")
    page.click(".rt-toolbar [data-cmd=bold]")
    page.keyboard.type("平均办理时间缩短60%。")
    page.keyboard.press("Enter")
    page.click("#insert-photos [data-insert-photo]")
    with page.expect_navigation():
        page.click("#practice-form button[type=submit]")
    with page.expect_navigation():
        page.click("#practice-submit")
    practice.refresh_from_db()
    assert "<h2>主要做法</h2>" in practice.body and "<b>成效：</b>" in practice.body
    assert f"/practices/{practice.pk}/photos/" in practice.body  # the photo sits in the text now
    assert "&lt;script&gt;" in practice.body and "<script" not in practice.body
    log_out(page)

    # The office accepts it, marks it 样板, builds an issue with figures and signs it off.
    log_in(page, "olivia")
    page.goto(f"/c/{slug}/practices/{practice.pk}/")
    with page.expect_navigation():
        page.click("#practice-accept")
    page.fill("#mark-form textarea", "流程再造成效显著，全集团推广")
    with page.expect_navigation():
        page.click("#practice-mark")
    expect(page.locator(".model-badge").first).to_be_visible()
    page.goto(f"/c/{slug}/bulletins/")
    with page.expect_navigation():
        page.click("#bulletin-new")
    page.fill("#id_editor", "王编辑")
    page.fill("#id_proofreaders", "李校对、赵校对")
    page.check("#bulletin-form input[value=completion]")
    page.check("#bulletin-form input[value=lights]")
    with page.expect_navigation():
        page.click("#bulletin-form button[type=submit]")
    page.select_option("#add-case", label="★ OA系统流程再造经验 · 办公室")
    with page.expect_navigation():
        page.click("#add-case-button")
    expect(page.locator("#bulletin-figures [data-figure=completion]")).to_be_visible()
    with page.expect_navigation():
        page.click("#bulletin-sign-off")
    with page.expect_navigation():
        page.click("#bulletin-publish")
    expect(page.locator("#bulletin-status")).to_have_text("已发布")
    bulletin = Bulletin.objects.get()
    assert bulletin.signed_by == people["olivia"] and bulletin.frozen_figures
    screenshot(page, "bulletins-issue-published")
    with page.expect_download() as download:
        page.click("#download-wechat")
    article = tmp_path / "article.html"
    download.value.save_as(article)
    log_out(page)

    # An anonymous reader finds it from the public page, with its photo, and in the feed.
    page.goto(f"/c/{slug}/public/")
    with page.expect_navigation():
        page.click("#public-bulletins-link")
    with page.expect_navigation():
        page.click(f"#public-bulletins a:has-text('{bulletin.issue_label}')")
    expect(page.locator(".case-title")).to_contain_text("OA系统流程再造经验")
    expect(page.locator(".footer-lines")).to_contain_text("李校对、赵校对")
    image = page.locator(".case img").first
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 900
    feed = page.request.get(f"/c/{slug}/public/feed.atom").text()
    assert bulletin.issue_label in feed and "OA系统流程再造经验" in feed

    # The WeChat article, opened from a file, without the app's CSS: nothing requested outside the file.
    context = browser.new_context(viewport={"width": 800, "height": 900})
    requests = []
    context.on("request", lambda request: requests.append(request.url))
    tab = context.new_page()
    errors = []
    tab.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    tab.goto(article.as_uri())
    tab.wait_for_load_state("networkidle")
    outside = [u for u in requests if not u.startswith(("file://", "data:"))]
    assert not outside and not errors
    assert tab.evaluate("document.styleSheets.length") == 0 and tab.evaluate("document.scripts.length") == 0
    width = tab.evaluate("document.querySelector('body > section').getBoundingClientRect().width")
    assert width <= 677
    sizes = tab.evaluate("[...document.images].map(i => [i.naturalWidth, i.getBoundingClientRect().width])")
    assert sizes and all(natural == 900 and 0 < shown <= 677 for natural, shown in sizes)
    heading = tab.locator("h2", has_text="主要做法")
    assert heading.evaluate("h => getComputedStyle(h).color") == "rgb(183, 28, 28)"
    screenshot(tab, "bulletins-wechat-article")
    context.close()
