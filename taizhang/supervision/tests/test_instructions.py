"""Instructions (批示): a leader gives one, the owner unit answers with evidence, the leader marks it carried out
or instructs again; the item stays one light higher while it waits; notices go out exactly once each."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from taizhang.history.recording import history_for
from taizhang.ledger.lights import load_light_inputs
from taizhang.ledger.models import Comment, Item, Light
from taizhang.notices.models import Message
from taizhang.supervision import actions
from taizhang.supervision.facts import instructed_items, instructions_late_by_unit
from taizhang.supervision.models import Instruction


def today() -> datetime.date:
    return timezone.localdate()


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def given(people, campaign, items, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return actions.give_instruction(
            campaign, text="请加快进度，月底前见效", item=items["oa"], acting_user=people["leo"]
        )


def test_a_leader_instructs_on_an_item_and_the_units_liaison_is_told_once(people, campaign, items, given):
    assert (given.unit, given.state, given.leader) == (items["oa"].owner_unit, Instruction.State.PENDING, people["leo"])
    assert given.respond_by == today() + datetime.timedelta(days=campaign.instruction_days)
    assert list(Message.objects.filter(recipient=people["lily"]).values_list("url", flat=True)) == [
        f"/c/{campaign.slug}/instructions/{given.pk}/"
    ]
    again = actions.give_instruction(
        campaign, text="请加快进度，月底前见效", item=items["oa"], acting_user=people["leo"]
    )
    assert again == given and Instruction.objects.count() == 1
    assert history_for(items["oa"]).filter(action="instruction").count() == 1


def test_the_item_lights_one_higher_until_the_unit_answers(people, campaign, items):
    flow = Item.objects.get(pk=items["flow"].pk)
    assert flow.light == Light.GREEN  # ongoing, reports in
    instruction = actions.give_instruction(campaign, text="要长期坚持", item=flow, acting_user=people["leo"])
    flow.refresh_from_db()
    assert flow.light == Light.BLUE and flow.light_code == "i:ongoing"
    assert instructed_items(campaign, today(), None) == {flow.pk: 1}
    assert load_light_inputs(campaign, today(), items=[flow]).instructed == {flow.pk}
    actions.answer_instruction(instruction, text="已建立长效机制", acting_user=people["lily"])
    flow.refresh_from_db()
    assert flow.light == Light.GREEN
    assert instructed_items(campaign, today(), [flow.pk]) == {}


def test_old_instruction_comments_no_longer_light_items(people, campaign, items):
    Comment.objects.create(item=items["flow"], body="旧批示", author=people["leo"], kind=Comment.Kind.INSTRUCTION)
    assert load_light_inputs(campaign, today(), items=[items["flow"]]).instructed == set()


def test_only_the_owner_unit_answers_and_the_leader_reviews(
    people, campaign, given, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):
        actions.answer_instruction(given, text="我来答", acting_user=people["bob"])
    with pytest.raises(ValidationError):
        actions.review_instruction(given, done=True, acting_user=people["leo"])  # not answered yet
    with django_capture_on_commit_callbacks(execute=True):
        actions.answer_instruction(
            given,
            text="已整改",
            files=[SimpleUploadedFile("现场.png", _png(), content_type="image/png")],
            acting_user=people["lily"],
        )
    given.refresh_from_db()
    assert given.state == Instruction.State.ANSWERED and given.answered_at is not None
    assert Message.objects.filter(recipient=people["leo"]).count() == 1
    assert given.steps.get().evidence.count() == 1
    with pytest.raises(PermissionDenied):
        actions.review_instruction(given, done=True, acting_user=people["lily"])
    actions.review_instruction(given, done=True, acting_user=people["leo"])
    given.refresh_from_db()
    assert given.state == Instruction.State.DONE


def test_asking_again_sets_a_new_date_and_the_item_lights_higher_again(people, campaign, items, given):
    actions.answer_instruction(given, text="已整改", acting_user=people["lily"])
    with pytest.raises(ValidationError):
        actions.review_instruction(given, done=False, text="", acting_user=people["leo"])
    with pytest.raises(ValidationError):
        actions.review_instruction(
            given, done=False, text="还不够", respond_by=today() - datetime.timedelta(days=1), acting_user=people["leo"]
        )
    actions.review_instruction(
        given, done=False, text="还不够", respond_by=today() + datetime.timedelta(days=3), acting_user=people["leo"]
    )
    given.refresh_from_db()
    assert (given.state, given.respond_by, given.answered_at) == (
        Instruction.State.AGAIN,
        today() + datetime.timedelta(days=3),
        None,
    )
    assert Item.objects.get(pk=items["oa"].pk).light_code.startswith("i:")


def test_bad_input_is_refused_and_nothing_is_written(people, campaign, items, settings):
    with pytest.raises(ValidationError) as error:
        actions.give_instruction(
            campaign,
            text="x",
            item=items["oa"],
            respond_by=today() - datetime.timedelta(days=1),
            acting_user=people["leo"],
        )
    assert "respond_by" in error.value.error_dict
    with pytest.raises(PermissionDenied):
        actions.give_instruction(campaign, text="x", item=items["oa"], acting_user=people["olivia"])
    assert not Instruction.objects.exists()
    given = actions.give_instruction(campaign, text="x", item=items["oa"], acting_user=people["leo"])
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError) as error:
        actions.answer_instruction(
            given, text="答", files=[SimpleUploadedFile("big.png", _png())], acting_user=people["lily"]
        )
    assert "files" in error.value.error_dict
    given.refresh_from_db()
    assert given.state == Instruction.State.PENDING and not given.steps.exists()


def test_deadline_notices_go_out_once_before_and_once_after(people, campaign, items, given, time_machine):
    Message.objects.all().delete()
    time_machine.move_to(timezone.now() + datetime.timedelta(days=campaign.instruction_days - 1), tick=False)
    assert actions.send_instruction_deadlines(campaign) == 1
    assert actions.send_instruction_deadlines(campaign) == 0
    time_machine.move_to(timezone.now() + datetime.timedelta(days=3), tick=False)
    assert actions.send_instruction_deadlines(campaign) == 2  # the liaison and the leader
    assert actions.send_instruction_deadlines(campaign) == 0
    assert instructions_late_by_unit(campaign, today() - datetime.timedelta(days=30), today()) == {
        items["oa"].owner_unit_id: 1
    }


def test_late_answers_count_against_the_unit(people, campaign, items, given, time_machine):
    time_machine.move_to(timezone.now() + datetime.timedelta(days=campaign.instruction_days + 2), tick=False)
    actions.answer_instruction(given, text="迟到的答复", acting_user=people["lily"])
    start, end = today() - datetime.timedelta(days=30), today()
    assert instructions_late_by_unit(campaign, start, end) == {given.unit_id: 1}
    assert instructions_late_by_unit(campaign, start, end, unit_ids=[people["bob"].unit_id]) == {}


def test_units_see_only_their_own_instructions(login, people, campaign, given):
    assert login(people["bob"]).get(given.get_absolute_url()).status_code == 404
    assert login(people["lily"]).get(given.get_absolute_url()).status_code == 200
    listing = login(people["bob"]).get(f"/c/{campaign.slug}/instructions/")
    assert list(listing.context["page"]) == []
    mine = login(people["leo"]).get(f"/c/{campaign.slug}/instructions/?mine=1&state=waiting")
    assert list(mine.context["page"]) == [given]


def test_the_item_page_gives_and_shows_instructions(login, people, campaign, items):
    client = login(people["leo"])
    page = client.get(f"/c/{campaign.slug}/items/{items['oa'].pk}/").content.decode()
    assert 'id="instruction-form"' in page
    response = client.post(
        f"/c/{campaign.slug}/instructions/new/",
        {
            "text": "抓紧落实",
            "respond_by": (today() + datetime.timedelta(days=5)).isoformat(),
            "item": items["oa"].pk,
            "back": "item",
        },
    )
    assert response.status_code == 302 and response.url == f"/c/{campaign.slug}/items/{items['oa'].pk}/"
    instruction = Instruction.objects.get()
    assert instruction.respond_by == today() + datetime.timedelta(days=5)
    page = login(people["lily"]).get(f"/c/{campaign.slug}/items/{items['oa'].pk}/").content.decode()
    assert "抓紧落实" in page and 'data-state="pending"' in page
    bad = login(people["leo"]).post(
        f"/c/{campaign.slug}/instructions/new/",
        {"text": "x", "respond_by": (today() - datetime.timedelta(days=1)).isoformat(), "item": items["oa"].pk},
    )
    assert bad.status_code == 400 and Instruction.objects.count() == 1


def test_a_liaison_replies_to_comments_on_its_units_items(login, people, campaign, items):
    response = login(people["lily"]).post(f"/c/{campaign.slug}/items/{items['oa'].pk}/comment/", {"body": "已收到"})
    assert response.status_code == 302
    assert Comment.objects.get().author == people["lily"]
    login(people["bob"]).post(f"/c/{campaign.slug}/items/{items['oa'].pk}/comment/", {"body": "插话"})
    assert Comment.objects.count() == 1


def test_the_data_migration_turns_instruction_comments_into_instructions(people, campaign, items):
    from importlib import import_module

    from django.apps import apps

    Comment.objects.create(item=items["oa"], body="旧批示", author=people["leo"], kind=Comment.Kind.INSTRUCTION)
    migration = import_module("taizhang.supervision.migrations.0003_instructions_from_comments")
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # run twice, made once
    instruction = Instruction.objects.get()
    assert (instruction.item, instruction.leader, instruction.text, instruction.state) == (
        items["oa"],
        people["leo"],
        "旧批示",
        Instruction.State.PENDING,
    )
