"""Who may open and change what: every ledger and campaign page against every role, checked on the server.

Personas: olivia (office), leo (leader), lily (liaison of 办公室, owner of HQ-001), bob (liaison of 人力),
charlie (no role), outsider (office of another campaign only), and anonymous visitors.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for
from taizhang.ledger import actions
from taizhang.ledger.models import Comment, Item, ProgressEntry, Status
from taizhang.orgs.actions import grant_role
from taizhang.orgs.models import Role
from taizhang.supervision.models import Instruction
from taizhang.testing import files
from taizhang.testing.factories import make_campaign, make_item, make_user

PERSONAS = ["anonymous", "charlie", "outsider", "bob", "lily", "leo", "olivia"]
MEMBERS = {"bob", "lily", "leo", "olivia"}
LOGIN = reverse("login")


@pytest.fixture
def other_campaign(db):
    return make_campaign("2022", name="2022年活动")


@pytest.fixture
def cast(people, org, other_campaign):
    outsider = make_user("oscar", name="欧外联", unit=org["group"])
    grant_role(user=outsider, campaign=other_campaign, role=Role.OFFICE)
    return {**people, "outsider": outsider}


@pytest.fixture
def client_for(cast):
    def _client(persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(cast[persona])
        return client

    return _client


@pytest.fixture
def attachment(people, items):
    upload = files.jpeg("现场照片.jpg")
    entry = actions.add_progress(items["oa"], percent=10, done="启动", acting_user=people["lily"], attachments=[upload])
    return entry.attachments.get()


def item_form_data(item: Item, **changes) -> dict:
    data = {
        "code": item.code,
        "title": item.title,
        "content": item.content,
        "measures": item.measures,
        "category": item.category_id or "",
        "phase": item.phase_id or "",
        "scope": item.scope,
        "key_task": item.key_task_id or "",
        "owner_unit": item.owner_unit_id,
        "lead": item.lead,
        "owner": item.owner,
        "starts_on": item.starts_on or "",
        "due": item.due or "",
        "due_text": item.due_text,
        "parent": item.parent_id or "",
        "weight": item.weight,
        "note": item.note,
        "version": item.version,
    }
    data.update(changes)
    return data


def allowed_to(who: set[str], ok: int = 200) -> dict[str, int | str]:
    return {p: "login" if p == "anonymous" else ok if p in who else 403 for p in PERSONAS}


def check(response, expected) -> None:
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(f"{LOGIN}?next=")
    else:
        assert response.status_code == expected, response.content[:500]


# Reading and opening forms -------------------------------------------------------

PAGES = {
    "campaign home": ("campaigns:campaign_home", None, MEMBERS),
    "unit home": ("dashboards:unit_home", None, {"lily", "bob"}),
    "item list": ("ledger:item_list", None, MEMBERS),
    "export": ("ledger:item_export", None, MEMBERS),
    "detail": ("ledger:item_detail", "item", MEMBERS),
    "create": ("ledger:item_create", None, {"olivia"}),
    "edit": ("ledger:item_edit", "item", {"olivia"}),
    "progress": ("ledger:item_progress", "item", {"olivia", "lily"}),
    "withdraw": ("ledger:item_withdraw", "item", {"olivia"}),
    # A unit's files: its own liaisons and the overseers, not another unit's liaison (README, who reads what).
    "attachment": ("ledger:attachment_download", "attachment", MEMBERS - {"bob"}),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(client_for, campaign, items, attachment, page, persona):
    name, target, allowed = PAGES[page]
    args = [campaign.slug]
    if target == "item":
        args.append(items["oa"].pk)
    elif target == "attachment":
        args.append(attachment.pk)
    # Signed in, redirects are followed: a liaison's campaign home is their unit's page.
    response = client_for(persona).get(reverse(name, args=args), follow=persona != "anonymous")
    check(response, allowed_to(allowed)[persona])


# Writing ----------------------------------------------------------------------------


def post_comment(client, campaign, item):
    return client.post(reverse("ledger:item_comment", args=[campaign.slug, item.pk]), {"body": "请按期完成"})


def post_instruction(client, campaign, item):
    """The item page's instruction form (supervision's): a leader's 批示 on the item."""
    data = {"text": "请按期完成", "item": item.pk, "respond_by": timezone.localdate().isoformat(), "back": "item"}
    return client.post(reverse("supervision:instruction_new", args=[campaign.slug]), data)


def post_progress(client, campaign, item):
    return client.post(
        reverse("ledger:item_progress", args=[campaign.slug, item.pk]), {"percent": 40, "done": "完成需求调研"}
    )


def post_withdraw(client, campaign, item):
    return client.post(reverse("ledger:item_withdraw", args=[campaign.slug, item.pk]), {"reason": "重复"})


def post_edit(client, campaign, item):
    return client.post(
        reverse("ledger:item_edit", args=[campaign.slug, item.pk]), item_form_data(item, title="被改掉的标题")
    )


def post_create(client, campaign, item):
    return client.post(
        reverse("ledger:item_create", args=[campaign.slug]),
        item_form_data(item, code="NEW-1", title="新事项", version=""),
    )


def written(campaign, item) -> dict:
    """Everything a refused POST must leave untouched."""
    item = Item.objects.get(pk=item.pk)
    return {
        "history": HistoryEntry.objects.count(),
        "comments": Comment.objects.count(),
        "instructions": Instruction.objects.count(),
        "entries": ProgressEntry.objects.count(),
        "items": Item.objects.count(),
        "item": (item.title, item.status, item.version, item.percent),
    }


WRITES = {
    "comment": (post_comment, {"olivia", "leo", "lily"}),  # lily keeps the item's unit: she replies
    "instruction": (post_instruction, {"leo"}),
    "progress": (post_progress, {"olivia", "lily"}),
    "withdraw": (post_withdraw, {"olivia"}),
    "edit": (post_edit, {"olivia"}),
    "create": (post_create, {"olivia"}),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("write", WRITES)
def test_who_may_write_and_that_a_refused_write_leaves_nothing(client_for, campaign, items, write, persona):
    post, allowed = WRITES[write]
    item = items["oa"]
    before = written(campaign, item)

    response = post(client_for(persona), campaign, item)

    if persona in allowed:
        assert response.status_code == 302, response.content[:500]
        assert written(campaign, item) != before
    else:
        check(response, allowed_to(allowed)[persona])
        assert written(campaign, item) == before


def test_the_allowed_writes_do_what_they_say(client_for, campaign, items, people):
    oa = items["oa"]
    post_comment(client_for("olivia"), campaign, oa)
    post_instruction(client_for("leo"), campaign, oa)
    post_progress(client_for("lily"), campaign, oa)

    assert list(oa.comments.values_list("kind", "author__username")) == [(Comment.Kind.COMMENT, "olivia")]
    assert list(Instruction.objects.values_list("item", "leader__username")) == [(oa.pk, "leo")]
    entry = oa.progress_entries.get()
    assert (entry.percent, entry.author) == (40, people["lily"])

    post_withdraw(client_for("olivia"), campaign, oa)
    assert Item.objects.get(pk=oa.pk).status == Status.WITHDRAWN


def test_a_liaison_posting_progress_on_another_units_item_writes_nothing(client_for, campaign, items):
    welfare = items["welfare"]  # 人力资源部's item; lily speaks for 办公室
    response = post_progress(client_for("lily"), campaign, welfare)

    assert response.status_code == 403
    assert not ProgressEntry.objects.filter(item=welfare).exists()
    assert not history_for(welfare).exists()
    assert Item.objects.get(pk=welfare.pk).percent == 0


def test_a_liaison_of_a_unit_reports_on_its_sub_units_items(campaign, org, items, people):
    sam = make_user("sam", name="孙联络", unit=org["subsidiary"])
    grant_role(user=sam, campaign=campaign, role=Role.LIAISON, unit=org["subsidiary"])
    client = Client()
    client.force_login(sam)

    clinic = items["clinic"]  # owned by 八一骨科医院, below 医疗健康
    assert client.get(reverse("ledger:item_progress", args=[campaign.slug, clinic.pk])).status_code == 200
    assert post_progress(client, campaign, clinic).status_code == 302
    assert clinic.progress_entries.get().author == sam

    assert post_progress(client, campaign, items["oa"]).status_code == 403
    assert not items["oa"].progress_entries.exists()


def test_the_liaison_of_a_sub_unit_cannot_report_on_its_parents_items(campaign, org, people):
    hana = make_user("hana", name="韩医院", unit=org["hospital"])
    grant_role(user=hana, campaign=campaign, role=Role.LIAISON, unit=org["hospital"])
    parent_item = make_item(campaign, org["subsidiary"], code="YL-000", title="医疗健康公司统筹事项")
    client = Client()
    client.force_login(hana)
    assert post_progress(client, campaign, parent_item).status_code == 403
    assert not parent_item.progress_entries.exists()


def test_nobody_reports_progress_on_a_withdrawn_item(client_for, campaign, items, people):
    actions.withdraw_item(items["oa"], reason="取消", acting_user=people["olivia"])
    for persona in ("olivia", "lily"):
        assert post_progress(client_for(persona), campaign, items["oa"]).status_code == 403
    assert not items["oa"].progress_entries.exists()


# Across campaigns --------------------------------------------------------------------


def test_an_attachment_is_not_served_through_another_campaign(client_for, other_campaign, attachment):
    url = reverse("ledger:attachment_download", args=[other_campaign.slug, attachment.pk])
    assert client_for("outsider").get(url).status_code == 404


def test_an_item_is_not_shown_through_another_campaign(client_for, other_campaign, items):
    for name in ("ledger:item_detail", "ledger:item_edit", "ledger:item_withdraw"):
        url = reverse(name, args=[other_campaign.slug, items["oa"].pk])
        assert client_for("outsider").get(url).status_code == 404


def test_the_attachment_comes_back_as_a_download(client_for, campaign, attachment):
    response = client_for("lily").get(reverse("ledger:attachment_download", args=[campaign.slug, attachment.pk]))
    assert response.status_code == 200
    with attachment.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment;")


def test_an_unknown_campaign_is_not_found(client_for):
    assert client_for("olivia").get(reverse("ledger:item_list", args=["nope"])).status_code == 404


def test_pages_show_only_the_buttons_the_person_may_use(client_for, campaign, items):
    url = reverse("ledger:item_detail", args=[campaign.slug, items["oa"].pk])
    as_lily = client_for("lily").get(url)
    as_bob = client_for("bob").get(url)
    as_leo = client_for("leo").get(url)
    assert as_lily.context["progress_form"] is not None
    assert as_lily.context["comment_form"] is not None  # she replies on her unit's items
    assert as_bob.context["progress_form"] is None
    assert as_bob.context["comment_form"] is None
    assert as_leo.context["comment_form"] is not None
    edit_url = reverse("ledger:item_edit", args=[campaign.slug, items["oa"].pk]).encode()
    assert edit_url not in as_lily.content
    assert edit_url in client_for("olivia").get(url).content
