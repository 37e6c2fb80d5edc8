"""The item list at 100,000 items: a page of 50 for combinations of filters, against its bare queries.

``python -m taizhang.bench itemlist`` runs these alone on the dashboards' large campaign (generated once per
bench database); ``dashboards`` runs them too. The baseline is what the page cannot avoid: the count, the
page's ids and the page's rows with the columns the rows show.
"""

import datetime

from django.test import Client
from django.utils import timezone

from taizhang.ledger.listing import list_rows
from taizhang.ledger.models import Item
from taizhang.ledger.queries import filtered_items
from taizhang.orgs.models import Role, RoleGrant, Unit, User


def run(report, median_ms) -> None:
    from taizhang.bench.dashboards import _analyze, _campaign

    today = timezone.localdate()
    campaign = _campaign(today)
    _analyze()
    office = User.objects.get(username="office")
    RoleGrant.objects.get_or_create(user=office, campaign=campaign, role=Role.OFFICE, defaults={"unit": None})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(office)
    measure(report, median_ms, campaign, client, today)


def measure(report, median_ms, campaign, client: Client, today: datetime.date) -> None:
    # The item list: a page of 50 for combinations of filters.
    unit = Unit.objects.filter(name="基准区域公司07").first()
    sub = Unit.objects.filter(parent=unit).order_by("id").first()
    category = campaign.categories.order_by("order").first()
    phase = campaign.phases.order_by("order").last()
    combos = {
        "none": {},
        "q": {"q": "义诊"},
        "unit": {"unit": unit.pk},
        "sub-unit": {"unit": sub.pk},
        "light": {"light": "red"},
        "status open, sort light": {"status": "open", "sort": "-light"},
        "category+phase+status": {"category": category.pk, "phase": phase.pk, "status": "in_progress"},
        "unit+light+sort due": {"unit": unit.pk, "light": "yellow", "sort": "due"},
        "due range+owner": {"due_from": f"{today.year}-06-01", "due_to": f"{today.year}-06-30", "owner": "王明"},
        "q+unit+light": {"q": "食堂", "unit": unit.pk, "light": "red"},
        "everything": {
            "q": "职工",
            "unit": unit.pk,
            "category": category.pk,
            "phase": phase.pk,
            "status": "open",
            "light": "red",
            "due_from": f"{today.year}-01-01",
            "due_to": f"{today.year}-12-31",
            "owner": "张",
            "sort": "-percent",
        },
        "last page": {"page": "2000"},
    }
    list_url = f"/c/{campaign.slug}/items/"
    from taizhang.ledger.forms import ItemFilterForm

    for name, params in combos.items():
        form = ItemFilterForm(params, campaign=campaign)
        form.is_valid()
        page = int(params.get("page", 1))

        def bare(data=form.cleaned_data, page=page) -> None:
            # What the page cannot avoid: the count, the page's ids, the page's rows.
            qs = filtered_items(campaign, data)
            count = qs.count()
            page = max(1, min(page, (count + 49) // 50))
            ids = list(qs.values_list("pk", flat=True)[(page - 1) * 50 : page * 50])
            list(list_rows(Item.objects.filter(pk__in=ids), data.get("q", "")))

        response = client.get(list_url, params)
        assert response.status_code == 200
        report(
            f"item list 100k, page of 50 [{name}] ({len(response.content) / 1024:.0f} KB)",
            median_ms(lambda p=params: client.get(list_url, p), repeat=5),
            median_ms(bare, repeat=5),
        )
