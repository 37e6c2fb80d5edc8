import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from taizhang.bulletins import actions, richtext
from taizhang.bulletins.models import Practice
from taizhang.history.recording import history_for
from taizhang.reporting.models import ReportingPeriod, UnitReport
from taizhang.reporting.periods import generate_periods

from .conftest import png_bytes, png_upload

pytestmark = pytest.mark.django_db


# Sanitising -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<p onclick="alert(1)">x</p>',
        '<a href="javascript:alert(1)">x</a>',
        '<p style="width: expression(alert(1))">x</p>',
        '<iframe src="https://evil.example/"></iframe>',
        '<img src="https://evil.example/x.png" onerror="alert(1)">',
        '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
        "<svg><script>alert(1)</script></svg>",
        '<p class="x"><style>body{background:url(https://evil.example)}</style>y</p>',
    ],
)
def test_hostile_html_is_removed_from_the_body(hostile):
    cleaned = richtext.clean(hostile)
    for bad in (
        "<script",
        "onclick",
        "onerror",
        "javascript:",
        "expression",
        "<iframe",
        "evil.example",
        "data:",
        "style",
        "class=",
    ):
        assert bad not in cleaned


def test_headings_lists_bold_tables_and_own_photos_are_kept():
    body = (
        "<h2>做法</h2><ul><li><strong>一</strong></li></ul><table><tr><td>1</td></tr></table>"
        '<img src="/c/2021/practices/3/photos/7/" alt="x">'
    )
    cleaned = richtext.clean(body)
    for kept in ("<h2>", "<ul>", "<li>", "<strong>", "<table>", "<td>", 'src="/c/2021/practices/3/photos/7/"'):
        assert kept in cleaned
    assert richtext.photo_ids(cleaned) == [7]


def test_case_body_is_stored_sanitised(make_case):
    practice = make_case(body='<p onmouseover="x()">好</p><script>bad()</script>')
    assert practice.body == "<p>好</p>"


# Photos ---------------------------------------------------------------------------------------------


def test_liaison_adds_a_checked_photo(make_case, people):
    practice = make_case()
    photo = actions.add_photo(practice, upload=png_upload(), caption="供餐现场", acting_user=people["lily"])
    assert (photo.content_type, photo.width, photo.height) == ("image/png", 40, 30)
    assert photo.file.name.endswith(".png")


def test_a_file_that_is_not_an_image_is_refused(make_case, people):
    fake = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    with pytest.raises(ValidationError, match="不是可以识别的图片"):
        actions.add_photo(make_case(), upload=fake, acting_user=people["lily"])


def test_an_oversized_photo_is_refused_before_it_is_read(make_case, people):
    big = SimpleUploadedFile("big.png", png_bytes() + b"\0" * (richtext.MAX_PHOTO_BYTES + 1), content_type="image/png")
    with pytest.raises(ValidationError, match="照片超过"):
        actions.add_photo(make_case(), upload=big, acting_user=people["lily"])


@pytest.mark.parametrize(
    "name, data",
    [
        ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("x.pdf", b"%PDF-1.4 not an image"),
        ("empty.png", b""),
    ],
)
def test_svg_pdf_and_empty_files_are_refused_as_photos(make_case, people, name, data):
    with pytest.raises(ValidationError):
        actions.add_photo(make_case(), upload=SimpleUploadedFile(name, data), acting_user=people["lily"])


def test_a_truncated_image_is_refused(make_case, people):
    data = png_bytes()[:60]
    with pytest.raises(ValidationError):
        actions.add_photo(make_case(), upload=SimpleUploadedFile("t.png", data), acting_user=people["lily"])


def test_bad_photo_upload_through_the_page_shows_a_message_not_a_500(login, people, make_case, campaign):
    practice = make_case()
    client = login(people["lily"])
    url = reverse("bulletins:practice_photo_add", args=[campaign.slug, practice.pk])
    response = client.post(url, {"photo": SimpleUploadedFile("x.jpg", b"GIF89a-not-really")}, follow=True)
    assert response.status_code == 200
    assert "不是可以识别的图片" in response.content.decode()
    assert practice.photos.count() == 0


# Workflow and permission ----------------------------------------------------------------------------


def test_case_goes_from_draft_to_published_with_history(make_case, people):
    practice = make_case()
    actions.submit_practice(practice, acting_user=people["lily"])
    actions.return_practice(practice, comment="请补充成效数据", acting_user=people["olivia"])
    practice.refresh_from_db()
    assert practice.status == Practice.Status.RETURNED and practice.return_comment == "请补充成效数据"
    actions.update_practice(
        practice, data={"title": practice.title, "body": "<p>补充：惠及职工800人。</p>"}, acting_user=people["lily"]
    )
    actions.submit_practice(practice, acting_user=people["lily"])
    actions.accept_practice(practice, acting_user=people["olivia"])
    actions.mark_model(practice, is_model=True, reason="全集团推广", acting_user=people["olivia"])
    actions.publish_practice(practice, acting_user=people["olivia"])
    practice.refresh_from_db()
    assert practice.status == Practice.Status.PUBLISHED and practice.is_model and practice.model_reason == "全集团推广"
    actions_seen = [e.action for e in history_for(practice)]
    assert {"create", "submit", "return", "update", "accept", "publish"} <= set(actions_seen)


def test_liaison_cannot_write_a_case_for_another_unit(campaign, org, people):
    with pytest.raises(PermissionDenied):
        actions.create_practice(campaign, data={"title": "x", "unit": org["hr"]}, acting_user=people["lily"])


def test_liaison_cannot_edit_another_units_case(make_case, people):
    with pytest.raises(PermissionDenied):
        actions.update_practice(make_case(), data={"title": "改"}, acting_user=people["bob"])


def test_leader_cannot_write_cases(campaign, org, people):
    with pytest.raises(PermissionDenied):
        actions.create_practice(campaign, data={"title": "x", "unit": org["hr"]}, acting_user=people["leo"])


def test_only_the_office_accepts_and_marks(make_case, people):
    practice = make_case(status="submitted")
    for user in (people["lily"], people["leo"]):
        with pytest.raises(PermissionDenied):
            actions.accept_practice(practice, acting_user=user)
    practice = actions.accept_practice(practice, acting_user=people["olivia"])
    with pytest.raises(PermissionDenied):
        actions.mark_model(practice, is_model=True, reason="好", acting_user=people["lily"])


def test_model_mark_needs_a_reason(make_case, people):
    with pytest.raises(ValidationError):
        actions.mark_model(make_case(status="accepted"), is_model=True, reason=" ", acting_user=people["olivia"])


def test_a_submitted_case_cannot_be_edited(make_case, people):
    with pytest.raises(ValidationError):
        actions.update_practice(make_case(status="submitted"), data={"title": "改"}, acting_user=people["lily"])


def test_return_needs_a_comment(make_case, people):
    with pytest.raises(ValidationError):
        actions.return_practice(make_case(status="submitted"), comment="", acting_user=people["olivia"])


def test_liaison_sees_own_and_published_cases_only(login, people, make_case, org, campaign):
    own = make_case("本单位草稿")
    other = make_case("人力部草稿", unit=org["hr"])
    published = make_case("人力部已发布", unit=org["hr"], status="published")
    client = login(people["lily"])
    page = client.get(reverse("bulletins:practice_list", args=[campaign.slug])).content.decode()
    assert own.title in page and published.title in page and other.title not in page
    assert client.get(reverse("bulletins:practice_detail", args=[campaign.slug, other.pk])).status_code == 404
    assert client.get(reverse("bulletins:practice_detail", args=[campaign.slug, published.pk])).status_code == 200


def test_leader_reads_every_case_but_gets_no_buttons(login, people, make_case, campaign):
    practice = make_case(status="submitted")
    response = login(people["leo"]).get(reverse("bulletins:practice_detail", args=[campaign.slug, practice.pk]))
    assert response.status_code == 200
    assert 'id="practice-accept"' not in response.content.decode()
    assert (
        login(people["leo"])
        .post(reverse("bulletins:practice_act", args=[campaign.slug, practice.pk, "accept"]))
        .status_code
        == 403
    )


def test_outsider_has_no_library(login, people, campaign):
    assert login(people["charlie"]).get(reverse("bulletins:practice_list", args=[campaign.slug])).status_code == 403


def test_liaison_creates_a_case_through_the_page(login, people, campaign, org, items):
    client = login(people["lily"])
    response = client.post(
        reverse("bulletins:practice_new", args=[campaign.slug]),
        {
            "title": "OA系统优化经验",
            "unit": org["office_dept"].pk,
            "summary": "流程精简",
            "body": "<h2>主要做法</h2><p onclick='x'>精简审批</p>",
            "categories": [campaign.categories.first().pk],
            "items": [items["oa"].pk],
        },
    )
    assert response.status_code == 302
    practice = Practice.objects.get(title="OA系统优化经验")
    assert practice.body == "<h2>主要做法</h2><p>精简审批</p>"
    assert list(practice.items.all()) == [items["oa"]]


def test_the_item_picker_finds_items_as_you_type_and_only_own_units_for_a_liaison(login, people, campaign, items):
    url = reverse("bulletins:item_search", args=[campaign.slug])
    found = login(people["lily"]).get(url, {"q": "系统"}).json()["results"]
    assert [r["id"] for r in found] == [items["oa"].pk]
    assert login(people["lily"]).get(url, {"q": "福利"}).json()["results"] == []
    assert login(people["olivia"]).get(url, {"q": "福利"}).json()["results"][0]["id"] == items["welfare"].pk
    # Traditional characters find simplified ones and back.
    assert login(people["olivia"]).get(url, {"q": "义诊"}).json()["results"][0]["id"] == items["clinic"].pk


# Library ------------------------------------------------------------------------------------------


def test_library_search_finds_traditional_in_simplified_and_filters(login, people, make_case, campaign, org):
    wanted = make_case("医疗服务进基层", status="accepted")
    actions.mark_model(wanted, is_model=True, reason="示范", acting_user=people["olivia"])
    make_case("食堂延时服务")
    client = login(people["olivia"])
    url = reverse("bulletins:practice_list", args=[campaign.slug])
    page = client.get(url, {"q": "醫療"}).content.decode()
    assert "医疗服务进基层" in page and "食堂延时服务" not in page
    page = client.get(url, {"model": "on"}).content.decode()
    assert "医疗服务进基层" in page and "食堂延时服务" not in page and "model-badge" in page
    assert "医疗服务进基层" not in client.get(url, {"unit": org["hr"].pk}).content.decode()
    assert "医疗服务进基层" not in client.get(url, {"year": 2001}).content.decode()
    junk = client.get(url, {"year": "abc", "unit": "zz", "q": "醫療"})
    assert junk.status_code == 200
    assert "医疗服务进基层" in junk.content.decode() and "食堂延时服务" not in junk.content.decode()


def test_similar_cases_share_bigrams(login, people, make_case, campaign):
    first = make_case("职工食堂延时供餐服务")
    make_case("職工食堂延時供餐新舉措")
    make_case("完全无关的题目")
    page = (
        login(people["olivia"])
        .get(reverse("bulletins:practice_detail", args=[campaign.slug, first.pk]))
        .content.decode()
    )
    similar = page.split('id="similar-cases"')[1].split("</ul>")[0]
    assert "職工食堂延時供餐新舉措" in similar and "完全无关" not in similar


def test_reading_count_goes_up_once_per_session(login, people, make_case, campaign):
    practice = make_case(status="published")
    client = login(people["bob"])
    url = reverse("bulletins:practice_read", args=[campaign.slug, practice.pk])
    client.post(url), client.post(url)
    practice.refresh_from_db()
    assert practice.read_count == 1
    assert client.get(url).status_code == 405  # nothing is written on GET


def test_office_drafts_a_case_from_a_monthly_report(campaign, org, people, login):
    generate_periods(campaign)
    period = ReportingPeriod.objects.filter(campaign=campaign, kind="monthly").order_by("starts_on").first()
    report = UnitReport.objects.create(period=period, unit=org["hr"], practices="建立职工服务中心。\n推行一站式办理。")
    client = login(people["olivia"])
    response = client.post(reverse("bulletins:practice_from_report", args=[campaign.slug, report.pk]))
    practice = Practice.objects.get(source_report=report)
    assert response.status_code == 302 and practice.unit == org["hr"]
    assert practice.body == "<p>建立职工服务中心。</p><p>推行一站式办理。</p>"
    # Twice is still one case.
    client.post(reverse("bulletins:practice_from_report", args=[campaign.slug, report.pk]))
    assert Practice.objects.filter(source_report=report).count() == 1
    assert (
        login(people["bob"])
        .post(reverse("bulletins:practice_from_report", args=[campaign.slug, report.pk]))
        .status_code
        == 403
    )


def test_the_library_page_costs_the_same_few_queries_for_many_cases(
    login, people, make_case, campaign, django_assert_max_num_queries
):
    client = login(people["olivia"])
    url = reverse("bulletins:practice_list", args=[campaign.slug])
    make_case("第一个")
    client.get(url)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for n in range(12):
        make_case(f"案例{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_library_filters_by_category_and_key_task(login, people, make_case, campaign):
    from taizhang.campaigns.models import KeyTask

    aspect = KeyTask.objects.create(campaign=campaign, name="关心关爱职工")
    task = KeyTask.objects.create(campaign=campaign, parent=aspect, code="1.1", name="改善就餐条件")
    care = campaign.categories.get(name="关爱员工")
    tagged = make_case("食堂改造", categories=[care], key_tasks=[task])
    make_case("其他案例")
    client = login(people["olivia"])
    url = reverse("bulletins:practice_list", args=[campaign.slug])
    for params in ({"category": care.pk}, {"key_task": task.pk}):
        page = client.get(url, params).content.decode()
        assert tagged.title in page and "其他案例" not in page


def test_a_cases_history_shows_its_text_as_words_not_markup(make_case, people, campaign, login):
    from django.urls import reverse

    practice = make_case(body="<h2>做法</h2><p>职工食堂<strong>延长</strong>供餐。</p>")
    actions.update_practice(
        practice,
        data={"title": practice.title, "unit": practice.unit, "summary": "", "body": "<p>食堂<em>全天</em>供餐。</p>"},
        acting_user=people["lily"],
    )
    change = next(c for e in history_for(practice) for c in e.changes if c["field"] == "body")
    assert change["old"] == "做法 职工食堂延长供餐。" and change["new"] == "食堂全天供餐。"
    page = login(people["olivia"]).get(reverse("bulletins:practice_detail", args=[campaign.slug, practice.pk]))
    assert "&lt;p&gt;" not in page.content.decode()


def test_a_cases_history_reads_entities_as_the_characters_they_stand_for(make_case, people, campaign, login):
    from django.urls import reverse

    practice = make_case(body="<p>食堂 &amp; 宿舍</p>")
    actions.update_practice(
        practice,
        data={"title": practice.title, "unit": practice.unit, "summary": "", "body": "<p>食堂&nbsp;&lt;试点&gt;</p>"},
        acting_user=people["lily"],
    )
    change = next(c for e in history_for(practice) for c in e.changes if c["field"] == "body")
    assert change["old"] == "食堂 & 宿舍" and change["new"] == "食堂 <试点>"
    page = login(people["olivia"]).get(reverse("bulletins:practice_detail", args=[campaign.slug, practice.pk]))
    text = page.content.decode()
    assert "&amp;amp;" not in text and "&amp;lt;" not in text and "&amp;nbsp;" not in text
