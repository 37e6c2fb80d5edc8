"""500 members scan the door's QR code within a minute, some twice: each is signed in exactly once."""

import datetime
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection
from django.utils import timezone

from taizhang.orgs.models import Unit
from taizhang.study import actions
from taizhang.study.models import Activity, ActivityKind, Attendance, Member
from taizhang.testing.factories import make_campaign

MEMBERS = 500


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the SQLite test database is in memory with a shared cache, which refuses a second writer "
    "(SQLITE_LOCKED) instead of waiting; concurrency is proven on PostgreSQL",
)
def test_five_hundred_members_sign_in_at_once_none_lost_none_doubled(live_server):
    campaign = make_campaign(slug="qr")
    unit = Unit.objects.create(name="并发签到单位", path="888888.", kind=Unit.Kind.DEPARTMENT)
    Member.objects.bulk_create(
        [Member(unit=unit, name=f"成员{n:03d}", phone=f"139{n:08d}") for n in range(MEMBERS)], batch_size=500
    )
    start = timezone.now() - datetime.timedelta(minutes=10)
    activity = Activity.objects.create(
        campaign=campaign,
        kind=ActivityKind.objects.create(campaign=campaign, name="主题党日"),
        title="签到压力测试",
        unit=unit,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    url = f"{live_server.url}/study/sign-in/{activity.sign_in_token}/"

    def scan(n: int) -> int:
        with requests.Session() as session:
            page = session.get(url, timeout=30)
            token = page.cookies.get("csrftoken")
            answer = session.post(
                url,
                data={"csrfmiddlewaretoken": token, "name": f"成员{n:03d}", "phone": f"139{n:08d}"},
                headers={"Referer": url},
                timeout=30,
            )
            return answer.status_code

    # Every member once, and one in five a second time at the same moment (a double tap).
    work = list(range(MEMBERS)) + list(range(0, MEMBERS, 5))
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(scan, work))
    elapsed = time.monotonic() - began
    assert elapsed < 60, f"{MEMBERS} sign-ins took {elapsed:.1f} s"
    assert all(status in (200, 400) for status in statuses), sorted(set(statuses))
    assert statuses.count(200) == MEMBERS  # the second tap is told it signed in already (400)
    assert Attendance.objects.filter(activity=activity).count() == MEMBERS
    assert Attendance.objects.filter(activity=activity, status="present", via="qr").count() == MEMBERS
    assert actions.expected_members(activity).count() == MEMBERS
