"""The start page and the campaign home: headline counts that match the ledger, and a deployable project."""

import datetime
import io
import os
import secrets
import string
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from taizhang.campaigns.views import headline_counts
from taizhang.ledger import actions
from taizhang.ledger.actions import refresh_lights
from taizhang.ledger.models import Item, Light, Status
from taizhang.orgs.actions import grant_role
from taizhang.orgs.models import ContactPoint, Role
from taizhang.testing.factories import make_campaign, make_user


@pytest.fixture
def season(campaign, items, people):
    """HQ-001 done on time · HQ-002 withdrawn · HQ-003 40% and 35 points behind (red) · HQ-004 overdue (red) ·
    YL-001 not started for 90 days (yellow)."""
    actions.add_progress(items["oa"], percent=100, done="系统上线", acting_user=people["lily"])
    actions.add_progress(items["welfare"], percent=40, done="完成招标", acting_user=people["bob"])
    actions.withdraw_item(items["flow"], reason="并入HQ-001", acting_user=people["olivia"])
    refresh_lights(campaign)
    return items


def campaign_home(client, campaign):
    response = client.get(reverse("campaigns:campaign_home", args=[campaign.slug]))
    assert response.status_code == 200
    return response


def test_headline_counts_leave_out_withdrawn_items_and_match_the_ledger(season, campaign, login, people):
    counts = campaign_home(login(people["olivia"]), campaign).context["counts"]

    assert counts["total"] == 4
    assert counts["done"] == 1
    assert counts["completion_rate"] == 25.0
    assert counts["on_time_rate"] == 100.0
    assert (counts["light_red"], counts["light_yellow"], counts["light_green"], counts["light_blue"]) == (2, 1, 1, 0)
    assert {value: n for value, _label, n in counts["statuses"]} == {
        Status.NOT_STARTED: 2,
        Status.IN_PROGRESS: 1,
        Status.COMPLETED: 1,
        Status.CLOSED: 0,
    }
    assert Light.NONE not in [value for value, _label, _n in counts["lights"]]
    assert sum(n for _v, _l, n in counts["lights"]) == counts["total"]

    # The same numbers straight from the table.
    live = Item.objects.filter(campaign=campaign).exclude(status=Status.WITHDRAWN)
    assert counts["total"] == live.count()
    for value, _label, n in counts["lights"]:
        assert n == live.filter(light=value).count()


def test_an_item_completed_after_its_deadline_is_done_but_not_on_time(season, campaign, people, items):
    actions.add_progress(items["dating"], percent=100, done="活动已办", acting_user=people["bob"])
    counts = headline_counts(campaign)
    assert (counts["done"], counts["completion_rate"], counts["on_time_rate"]) == (2, 50.0, 50.0)


def test_an_empty_campaign_shows_zeros_not_an_error(campaign, login, people):
    counts = campaign_home(login(people["olivia"]), campaign).context["counts"]
    assert (counts["total"], counts["completion_rate"], counts["on_time_rate"]) == (0, 0, 0)


def test_the_home_rolls_up_units_with_their_sub_units(season, campaign, login, people, org):
    rows = {r["unit"].pk: r for r in campaign_home(login(people["leo"]), campaign).context["unit_rows"]}
    assert set(rows) == {org["office_dept"].pk, org["hr"].pk, org["subsidiary"].pk}
    assert (rows[org["office_dept"].pk]["total"], rows[org["office_dept"].pk]["rate"]) == (1, 100.0)
    assert (rows[org["hr"].pk]["total"], rows[org["hr"].pk]["red"]) == (2, 2)
    assert (rows[org["subsidiary"].pk]["total"], rows[org["subsidiary"].pk]["yellow"]) == (1, 1)


def test_the_home_lists_red_items_and_a_liaison_lands_on_their_units_home(season, campaign, login, people):
    response = campaign_home(login(people["leo"]), campaign)
    assert [i.code for i in response.context["red_items"]] == ["HQ-004", "HQ-003"]
    assert response.context["my_items"] is None
    landing = login(people["bob"]).get(reverse("campaigns:campaign_home", args=[campaign.slug]))
    assert landing["Location"] == reverse("dashboards:unit_home", args=[campaign.slug])


def test_the_category_breakdown_counts_each_category(season, campaign, login, people):
    rows = list(campaign_home(login(people["olivia"]), campaign).context["by_category"])
    assert [(r["category__name"], r["total"], r["done"], r["red"]) for r in rows] == [("服务基层", 4, 1, 2)]


# The start page ------------------------------------------------------------------------


def test_the_start_page_goes_straight_into_the_only_campaign(campaign, login, people):
    response = login(people["lily"]).get(reverse("campaigns:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:campaign_home", args=[campaign.slug])


def test_the_start_page_lists_the_campaigns_of_a_person_with_several(campaign, login, people):
    other = make_campaign(
        "2020", name="2020年“我为群众办实事”", starts_on=datetime.date(2020, 3, 1), ends_on=datetime.date(2020, 12, 31)
    )
    grant_role(user=people["olivia"], campaign=other, role=Role.OFFICE)
    response = login(people["olivia"]).get(reverse("campaigns:home"))
    assert response.status_code == 200
    assert [c.slug for c in response.context["campaigns"]] == ["2021", "2020"]  # newest first


def test_an_outsider_sees_no_campaign(campaign, login, people):
    response = login(people["charlie"]).get(reverse("campaigns:home"))
    assert response.status_code == 200
    assert response.context["campaigns"] == []
    assert campaign.name not in response.content.decode()
    assert reverse("campaigns:campaign_home", args=[campaign.slug]) not in response.content.decode()


def test_a_superuser_sees_every_campaign(campaign, login):
    make_campaign("2022")
    root = make_user("root")
    root.is_superuser = True
    root.save()
    response = login(root).get(reverse("campaigns:home"))
    assert len(response.context["campaigns"]) == 2


def test_anonymous_visitors_are_sent_to_log_in(campaign, client):
    for url in (reverse("campaigns:home"), reverse("campaigns:campaign_home", args=[campaign.slug])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")


# The project as deployed ----------------------------------------------------------------


def production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env.update(
        DEBUG="0",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        ALLOWED_HOSTS="example.org",
        **extra,
    )
    return env


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_in_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_the_models_and_migrations_agree():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"makemigrations found changes without a migration (exit {exit_.code}):\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()


def test_a_leader_sees_the_figures_of_the_contact_points(season, campaign, login, people, org):
    ContactPoint.objects.create(campaign=campaign, leader=people["leo"], unit=org["subsidiary"])
    response = login(people["leo"]).get(reverse("campaigns:campaign_home", args=[campaign.slug]))
    rows = response.context["contact_rows"]
    assert [row["unit"] for row in rows] == [org["subsidiary"]]
    # The subsidiary's figures include its hospital's items.
    expected = Item.objects.filter(campaign=campaign, owner_unit__path__startswith=org["subsidiary"].path).exclude(
        status=Status.WITHDRAWN
    )
    assert rows[0]["total"] == expected.count() > 0
    assert 'id="contact-points"' in response.content.decode()


def test_someone_without_contact_points_sees_no_such_card(season, campaign, login, people):
    response = login(people["olivia"]).get(reverse("campaigns:campaign_home", args=[campaign.slug]))
    assert response.context["contact_rows"] == []
    assert 'id="contact-points"' not in response.content.decode()


def test_favicon_is_served(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.ico")
    with open(finders.find("favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO header
