"""Photos of a held activity (through the upload gate, served per object) and a held activity made a practice case."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.bulletins import actions as bulletin_actions
from taizhang.bulletins.models import Practice
from taizhang.history.recording import history_for
from taizhang.study import actions
from taizhang.study.models import ActivityPhoto
from taizhang.testing.files import image_bytes, jpeg, pdf, png

from .test_study import _activity, access, roster  # noqa: F401  (fixtures shared with the study tests)


def _held(campaign, org, access, people, roster, **extra):  # noqa: F811
    activity = _activity(campaign, org, access, people, **extra)
    actions.record_attendance(
        activity, marks={roster["张三"].pk: ("present", "")}, access=access["lily"], acting_user=people["lily"]
    )
    activity.refresh_from_db()
    return activity


def test_photos_go_only_to_a_held_activity_of_ones_own_unit_and_are_real_images(
    campaign,
    org,
    access,  # noqa: F811
    people,
    roster,  # noqa: F811
):
    planned = _activity(campaign, org, access, people)
    with pytest.raises(ValidationError):  # not held yet
        actions.add_activity_photos(planned, uploads=[jpeg()], access=access["lily"], acting_user=people["lily"])
    held = _held(campaign, org, access, people, roster)
    with pytest.raises(PermissionDenied):  # 人力资源部's liaison: not the organising unit
        actions.add_activity_photos(held, uploads=[jpeg()], access=access["bob"], acting_user=people["bob"])
    with pytest.raises(ValidationError):  # a PDF is not a photo; the good photo beside it is not kept either
        actions.add_activity_photos(
            held, uploads=[png(), pdf("photo.jpg")], access=access["lily"], acting_user=people["lily"]
        )
    assert not ActivityPhoto.objects.exists()
    photos = actions.add_activity_photos(
        held, uploads=[jpeg("会场.jpeg"), png()], caption="会场", access=access["lily"], acting_user=people["lily"]
    )
    assert [p.name for p in photos] == ["会场.jpeg", "photo.png"] and photos[0].caption == "会场"
    assert sum("Photo added" in str(h.note) or "照片" in str(h.note) for h in history_for(held)) == 2
    actions.remove_activity_photo(photos[1], access=access["olivia"], acting_user=people["olivia"])
    assert list(held.photos.all()) == [photos[0]]


def test_photo_over_the_limit_or_too_many_is_refused(campaign, org, access, people, roster, settings):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    held = _held(campaign, org, access, people, roster)
    big = SimpleUploadedFile("big.jpg", image_bytes("JPEG"))
    big.size = actions.PHOTO_MAX_BYTES + 1
    with pytest.raises(ValidationError):
        actions.add_activity_photos(held, uploads=[big], access=access["lily"], acting_user=people["lily"])
    too_many = [jpeg(f"{n}.jpg") for n in range(actions.MAX_PHOTOS + 1)]
    with pytest.raises(ValidationError):
        actions.add_activity_photos(held, uploads=too_many, access=access["lily"], acting_user=people["lily"])
    assert not ActivityPhoto.objects.exists()


def test_the_gallery_shows_photos_served_only_within_the_campaign(
    campaign,
    org,
    access,  # noqa: F811
    people,
    roster,  # noqa: F811
    login,
):
    held = _held(campaign, org, access, people, roster)
    base = f"/c/{campaign.slug}/study/activities/{held.pk}/"
    lily = login(people["lily"])
    assert lily.post(base + "photos/", {"photos": [jpeg()], "caption": "合影"}).status_code == 302
    photo = ActivityPhoto.objects.get()
    page = lily.get(base).content.decode()
    assert 'id="photo-gallery"' in page and f"photos/{photo.pk}/" in page
    served = login(people["leo"]).get(base + f"photos/{photo.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["Content-Disposition"].startswith("inline") and "sandbox" in served["Content-Security-Policy"]
    assert login(people["charlie"]).get(base + f"photos/{photo.pk}/").status_code in (302, 403)
    assert login(people["bob"]).post(base + "photos/", {"photos": [jpeg()]}).status_code == 403
    assert login(people["bob"]).post(base + f"photos/{photo.pk}/remove/").status_code == 403
    lily = login(people["lily"])
    bad = lily.post(base + "photos/", {"photos": [pdf()]}, follow=True)
    assert ActivityPhoto.objects.count() == 1 and "photo-gallery" in bad.content.decode()
    assert lily.get(f"/c/{campaign.slug}/study/activities/{held.pk + 999}/photos/{photo.pk}/").status_code == 404


def test_a_held_activity_becomes_a_draft_case_of_its_unit_once(campaign, org, access, people, roster):  # noqa: F811
    planned = _activity(campaign, org, access, people, summary="组织党员重温入党誓词。\n参观红色教育基地。")
    with pytest.raises(ValidationError):
        bulletin_actions.practice_from_activity(planned, acting_user=people["lily"])
    held = _held(campaign, org, access, people, roster, title="重走红色之路", summary="参观红色教育基地。")
    actions.add_activity_photos(
        held, uploads=[jpeg()], caption="合影", access=access["lily"], acting_user=people["lily"]
    )
    with pytest.raises(PermissionDenied):
        bulletin_actions.practice_from_activity(held, acting_user=people["bob"])
    case = bulletin_actions.practice_from_activity(held, acting_user=people["lily"])
    assert case.status == Practice.Status.DRAFT and case.unit == held.unit and case.source_activity == held
    assert case.title == "重走红色之路" and "参观红色教育基地" in case.body
    assert [p.caption for p in case.photos.all()] == ["合影"]
    assert bulletin_actions.practice_from_activity(held, acting_user=people["olivia"]) == case  # once
    assert Practice.objects.count() == 1
    assert any("good-practice case" in str(h.note) or "案例" in str(h.note) for h in history_for(held))


def test_the_button_on_the_activity_page_drafts_the_case(campaign, org, access, people, roster, login):  # noqa: F811
    held = _held(campaign, org, access, people, roster)
    page = f"/c/{campaign.slug}/study/activities/{held.pk}/"
    url = f"/c/{campaign.slug}/practices/from-activity/{held.pk}/"
    lily = login(people["lily"])
    assert url in lily.get(page).content.decode()
    assert url not in login(people["bob"]).get(page).content.decode()
    assert login(people["bob"]).post(url).status_code == 403
    lily = login(people["lily"])
    response = lily.post(url)
    case = Practice.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/practices/{case.pk}/edit/")
    detail = lily.get(f"/c/{campaign.slug}/practices/{case.pk}/").content.decode()
    assert 'id="source-activity"' in detail and page in detail
    assert lily.get(url).status_code == 405
    assert lily.post(f"/c/{campaign.slug}/practices/from-activity/{held.pk + 999}/").status_code == 404
