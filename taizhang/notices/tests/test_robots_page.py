"""Group robots kept on a page by the office: added (the secret never shown or recorded), deactivated, in history."""

from taizhang.history.models import HistoryEntry
from taizhang.notices.models import GroupRobot


def test_the_office_adds_and_deactivates_a_units_robot(people, login, campaign, org):
    assert login(people["lily"]).get(f"/c/{campaign.slug}/notices/robots/").status_code == 403
    client = login(people["olivia"])
    response = client.post(
        f"/c/{campaign.slug}/notices/robots/",
        {
            "unit": org["hr"].pk,
            "kind": "dingtalk",
            "webhook_url": "https://oapi.dingtalk.invalid/robot",
            "secret": "SECabc",
        },
    )
    assert response.status_code == 302
    robot = GroupRobot.objects.get(unit=org["hr"])
    page = client.get(f"/c/{campaign.slug}/notices/robots/").content.decode()
    assert "SECabc" not in page and "oapi.dingtalk.invalid" not in page
    assert "SECabc" not in str(list(HistoryEntry.objects.values_list("note", "changes")))
    client.post(f"/c/{campaign.slug}/notices/robots/{robot.pk}/active/", {"active": "0"})
    robot.refresh_from_db()
    assert not robot.is_active
    assert HistoryEntry.objects.filter(object_id=robot.pk, action=HistoryEntry.Action.DEACTIVATE).exists()
    bad = client.post(
        f"/c/{campaign.slug}/notices/robots/", {"unit": org["hr"].pk, "kind": "wecom", "webhook_url": "ftp://x"}
    )
    assert bad.status_code == 400
