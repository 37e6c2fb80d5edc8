"""Small factories for tests: real rows in the real database, built through the actions."""

import datetime
import itertools

from django.utils import timezone

from taizhang.campaigns.models import Campaign, Category, Phase
from taizhang.ledger.models import Item
from taizhang.orgs import actions as org_actions
from taizhang.orgs.models import Unit, User

_counter = itertools.count(1)


def make_unit(name: str, *, parent: Unit | None = None, kind: str = Unit.Kind.DEPARTMENT, **extra) -> Unit:
    return org_actions.create_unit(
        data={"name": name, "parent": parent, "kind": kind, **extra},
        acting_user=org_actions.system_actor("test", "factories"),
    )


def make_user(username: str, *, name: str = "", unit: Unit | None = None, password: str = "pw-for-tests-1") -> User:
    user = User.objects.create_user(username=username, password=password, name=name or username, unit=unit)
    return user


def make_campaign(slug: str = "2021", **extra) -> Campaign:
    defaults = {
        "name": "2021年“我为群众办实事”",
        "starts_on": datetime.date(2021, 3, 1),
        "ends_on": datetime.date(2021, 12, 31),
    }
    defaults.update(extra)
    campaign = Campaign.objects.create(slug=slug, **defaults)
    for order, name in enumerate(["服务基层", "关爱员工", "为军惠军", "助力乡村振兴", "支持合作伙伴"]):
        Category.objects.create(campaign=campaign, name=name, order=order)
    for order, name in enumerate(["筹划部署", "组织实施", "检查验收"]):
        Phase.objects.create(campaign=campaign, name=name, order=order)
    return campaign


def make_item(
    campaign: Campaign, owner_unit: Unit, *, code: str | None = None, title: str | None = None, **extra
) -> Item:
    """An item written straight to the table (tests of actions create theirs through the actions).

    It entered the list when the campaign began (its not-started clock runs from then), unless
    ``created_at`` says otherwise.
    """
    n = next(_counter)
    listed = extra.pop("created_at", None) or datetime.datetime.combine(
        campaign.starts_on, datetime.time(9), tzinfo=timezone.get_current_timezone()
    )
    item = Item(
        campaign=campaign,
        owner_unit=owner_unit,
        code=code or f"T-{n:04d}",
        title=title or f"测试事项{n}",
        category=extra.pop("category", campaign.categories.first()),
        **extra,
    )
    item.refresh_search_text()
    item.save()
    Item.objects.filter(pk=item.pk).update(created_at=listed)
    item.created_at = listed
    return item
