"""The scene the inspection tests share: a campaign, two units with liaisons, a team of two inspectors, an item."""

import datetime
import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from taizhang.inspections import actions
from taizhang.inspections.models import Method
from taizhang.orgs.actions import grant_role
from taizhang.orgs.models import Role
from taizhang.testing.factories import make_campaign, make_item, make_unit, make_user


@dataclass
class Scene:
    campaign: object
    unit: object
    other_unit: object
    item: object
    office: object
    liaison: object
    other_liaison: object
    inspector: object
    outsider: object  # an inspector of the campaign, not on the team
    leader: object
    team: object


def png(size=(8, 8)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "blue").save(buffer, "PNG")
    return buffer.getvalue()


def photo(name="photo.png"):
    return SimpleUploadedFile(name, png(), content_type="image/png")


def build() -> Scene:
    today = timezone.localdate()
    campaign = make_campaign(
        starts_on=today - datetime.timedelta(days=60), ends_on=today + datetime.timedelta(days=200)
    )
    group = make_unit("集团", kind="group")
    unit = make_unit("集团办公室", parent=group, short_name="办公室")
    other_unit = make_unit("人力资源部", parent=group)
    people = {
        name: make_user(name, name=label)
        for name, label in [
            ("olivia", "欧阳办"),
            ("lily", "李联络"),
            ("bob", "包联络"),
            ("ivan", "尹督查"),
            ("otto", "欧督查"),
            ("leo", "刘领导"),
        ]
    }
    grant_role(user=people["olivia"], campaign=campaign, role=Role.OFFICE)
    grant_role(user=people["lily"], campaign=campaign, role=Role.LIAISON, unit=unit)
    grant_role(user=people["bob"], campaign=campaign, role=Role.LIAISON, unit=other_unit)
    grant_role(user=people["ivan"], campaign=campaign, role=Role.INSPECTOR)
    grant_role(user=people["otto"], campaign=campaign, role=Role.INSPECTOR)
    grant_role(user=people["leo"], campaign=campaign, role=Role.LEADER)
    item = make_item(
        campaign, unit, code="BGS-01", title="优化OA系统", due=today + datetime.timedelta(days=60), starts_on=today
    )
    team = actions.create_team(
        campaign,
        data={"name": "第一督导组", "leader": people["ivan"], "members": [people["ivan"]], "units": [unit]},
        acting_user=people["olivia"],
    )
    return Scene(
        campaign=campaign,
        unit=unit,
        other_unit=other_unit,
        item=item,
        office=people["olivia"],
        liaison=people["lily"],
        other_liaison=people["bob"],
        inspector=people["ivan"],
        outsider=people["otto"],
        leader=people["leo"],
        team=team,
    )


def inspect(scene: Scene, **extra):
    today = timezone.localdate()
    data = {"unit": scene.unit, "starts_on": today, "ends_on": today, "methods": [Method.LEDGER, Method.SITE]}
    data.update(extra)
    return actions.record_inspection(scene.team, data=data, token="", acting_user=scene.inspector)


def find(scene: Scene, inspection, *, item=None, days=7, **extra):
    data = {
        "item": item,
        "category": "lagging",
        "severity": "major",
        "description": "进度滞后于序时进度",
        "required": "制定赶进度计划并落实",
        "deadline": inspection.starts_on + datetime.timedelta(days=days),
        "responsible": "王明",
    }
    data.update(extra)
    return actions.add_finding(inspection, data=data, acting_user=scene.inspector)
