import datetime

import pytest
from django.test import TestCase
from django.utils import timezone

from taizhang.assessment import actions
from taizhang.assessment.models import ScoringRun
from taizhang.orgs.actions import grant_role
from taizhang.orgs.models import Role
from taizhang.testing.factories import make_campaign, make_unit, make_user


@pytest.fixture
def scene(db):
    """A campaign of 2026, a group with two subsidiaries (A, B), and the people: office, two assessors,
    a head assessor, A's liaison and a leader."""
    campaign = make_campaign(
        "2026", name="2026年“我为群众办实事”", starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31)
    )
    group = make_unit("测试集团", kind="group")
    a = make_unit("甲子公司", parent=group, kind="subsidiary")
    b = make_unit("乙子公司", parent=group, kind="subsidiary")
    people = {
        "office": make_user("olivia", name="欧阳办"),
        "assessor": make_user("amy", name="艾考核"),
        "assessor2": make_user("alan", name="安考核"),
        "liaison": make_user("lily", name="李联络", unit=a),
        "other": make_user("bob", name="包联络", unit=b),
        "leader": make_user("leo", name="刘领导"),
    }
    grant_role(user=people["office"], campaign=campaign, role=Role.OFFICE)
    grant_role(user=people["assessor"], campaign=campaign, role=Role.ASSESSOR)
    grant_role(user=people["assessor2"], campaign=campaign, role=Role.ASSESSOR)
    grant_role(user=people["liaison"], campaign=campaign, role=Role.LIAISON, unit=a)
    grant_role(user=people["other"], campaign=campaign, role=Role.LIAISON, unit=b)
    grant_role(user=people["leader"], campaign=campaign, role=Role.LEADER)
    return {"campaign": campaign, "group": group, "a": a, "b": b, **people}


def at(day: str, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour)))


def run_scheme(scheme, user, starts="2026-04-01", ends="2026-06-30") -> ScoringRun:
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = actions.start_run(
            scheme,
            label="2026年第二季度",
            starts_on=datetime.date.fromisoformat(starts),
            ends_on=datetime.date.fromisoformat(ends),
            acting_user=user,
        )
    run.refresh_from_db()
    return run
