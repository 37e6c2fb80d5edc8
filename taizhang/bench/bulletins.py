"""Bulletin benchmarks (``python -m taizhang.bench bulletins``).

The case library with 20,000 cases: a search and a combination of filters (a page of 30 and the
count, through the same query the library page runs) against the bare SQL that finds the same page
and count; and one 10-case issue with photos and every figure block rendered as PDF (goal ≤ 3 s),
against WeasyPrint printing the same, already rendered, HTML.
"""

import datetime
import random

SLUG = "bench-bulletins"
CASES = 20_000
WORDS = [
    "职工",
    "食堂",
    "医疗",
    "義診",
    "帮扶",
    "乡村",
    "振兴",
    "服务",
    "审批",
    "流程",
    "社区",
    "退役军人",
    "托管",
    "清欠",
]


def _build():
    from django.db import transaction

    from taizhang.bulletins.models import Practice
    from taizhang.campaigns.models import Campaign, Category
    from taizhang.lib.text import search_key
    from taizhang.orgs.models import Unit

    campaign = Campaign.objects.filter(slug=SLUG).first()
    if campaign is not None and Practice.objects.filter(campaign=campaign).count() >= CASES:
        return campaign
    rng = random.Random(14)
    with transaction.atomic():
        if campaign is None:
            campaign = Campaign.objects.create(
                slug=SLUG, name="简报基准", starts_on=datetime.date(2024, 1, 1), ends_on=datetime.date(2026, 12, 31)
            )
            for order, name in enumerate(["服务基层", "关爱员工", "为军惠军", "助力乡村振兴", "支持合作伙伴"]):
                Category.objects.create(campaign=campaign, name=name, order=order)
        units = list(Unit.objects.filter(is_active=True).order_by("path")[:400])
        assert units, "the bench builds the demo first: its org tree holds the cases"
        categories = list(campaign.categories.all())
        rows = []
        for n in range(CASES):
            title = "".join(rng.sample(WORDS, 3)) + f"经验{n}"
            summary = "".join(rng.sample(WORDS, 6))
            body = f"<h2>主要做法</h2><p>{''.join(rng.sample(WORDS, 8))}</p>"
            rows.append(
                Practice(
                    campaign=campaign,
                    unit=rng.choice(units),
                    title=title,
                    summary=summary,
                    body=body,
                    status=rng.choice(["draft", "submitted", "accepted", "published", "published"]),
                    is_model=rng.random() < 0.05,
                    year=rng.choice([2024, 2025, 2026]),
                    search_text=search_key(title, summary, body),
                )
            )
        Practice.objects.bulk_create(rows, batch_size=2000)
        through = Practice.categories.through
        ids = list(Practice.objects.filter(campaign=campaign).values_list("pk", flat=True))
        through.objects.bulk_create(
            [through(practice_id=pk, category_id=rng.choice(categories).pk) for pk in ids], batch_size=5000
        )
    return campaign


def _issue(campaign):
    """A published 10-case issue with a photo in each case and every figure block."""
    from taizhang.bulletins import actions
    from taizhang.bulletins.models import Bulletin, Practice
    from taizhang.demo.bulletins import _photo
    from taizhang.orgs.actions import grant_role
    from taizhang.orgs.models import Role, User

    office = User.objects.filter(username="bench-bulletins-office").first()
    if office is None:
        office = User.objects.create_user(username="bench-bulletins-office", password=None, name="简报办")
        grant_role(user=office, campaign=campaign, role=Role.OFFICE)
    existing = Bulletin.objects.filter(campaign=campaign, status=Bulletin.Status.PUBLISHED).first()
    if existing is not None:
        return existing
    cases = []
    for n, practice in enumerate(Practice.objects.filter(campaign=campaign, status="draft").order_by("pk")[:10]):
        actions.add_photo(practice, upload=_photo(n), caption="现场", acting_user=office)
        actions.submit_practice(practice, acting_user=office)
        cases.append(actions.accept_practice(practice, acting_user=office))
    bulletin = actions.create_bulletin(
        campaign,
        data={"editor": "王编辑", "proofreaders": ["李校对", "赵校对"], "figure_kinds": list(Bulletin.Figure.values)},
        acting_user=office,
    )
    actions.set_cases(bulletin, practice_ids=[c.pk for c in cases], acting_user=office)
    actions.sign_off(bulletin, acting_user=office)
    return actions.publish_bulletin(bulletin, acting_user=office)


def run(report, median_ms) -> None:
    from django.db import connection
    from django.template.loader import render_to_string

    from taizhang.bench import paired_median_ms
    from taizhang.bulletins import outputs, queries
    from taizhang.bulletins.models import Practice
    from taizhang.lib.documents import PDF_FONTS, local_only_fetcher
    from taizhang.orgs.access import Access
    from taizhang.orgs.models import Role, Unit

    campaign = _build()
    if connection.vendor == "postgresql":
        # A database in use has its planner statistics; one just filled by a bulk insert has none until
        # autovacuum comes round, and plans as if the table were empty (both sides of every ratio alike).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE bulletins_practice, bulletins_practice_categories, orgs_unit")
    print(f"# bulletins: {Practice.objects.filter(campaign=campaign).count()} cases", flush=True)
    office = Access(user=None, campaign=campaign, roles={Role.OFFICE})
    category = campaign.categories.order_by("order").first()
    unit = Unit.objects.filter(depth=1).order_by("path").first() or Unit.objects.order_by("path").first()

    def ours(**filters):
        def run_once():
            page = queries.LibraryPaginator(queries.library(campaign, office, **filters), 30).get_page(1)
            return page.paginator.count, [(p.pk, p.title, p.unit_display_name) for p in page]

        return run_once

    # The columns a row of the list shows (queries.LIST_FIELDS), as the page loads them.
    page_sql = (
        "SELECT p.id, p.title, p.status, p.year, p.is_model, p.model_reason, p.read_count, u.name, u.short_name "
        "FROM bulletins_practice p JOIN orgs_unit u ON u.id = p.unit_id WHERE p.id IN ({ids})"
    )

    def bare(where: str, params: list):
        """The same work in plain SQL: the ids in order (count from them, as the pager does), then the page's rows."""

        def run_once():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT p.id FROM bulletins_practice p WHERE p.campaign_id = %s {where} "
                    "ORDER BY p.created_at DESC, p.id DESC LIMIT 1000",
                    [campaign.pk, *params],
                )
                ids = [row[0] for row in cursor.fetchall()]
                count = len(ids)
                if count == 1000:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM bulletins_practice p WHERE p.campaign_id = %s {where}",
                        [campaign.pk, *params],
                    )
                    count = cursor.fetchone()[0]
                if ids[:30]:
                    cursor.execute(page_sql.format(ids=", ".join(["%s"] * len(ids[:30]))), ids[:30])
                    cursor.fetchall()
                return count

        return run_once

    unit_clause = "AND p.unit_id IN (SELECT id FROM orgs_unit WHERE path LIKE %s)"
    category_clause = "AND p.id IN (SELECT practice_id FROM bulletins_practice_categories WHERE category_id = %s)"
    cases = [
        ("search 医疗", {"q": "醫療"}, "AND p.search_text LIKE %s", ["%医疗%"]),
        (
            "search + unit subtree + category + year",
            {"q": "服务", "unit": unit, "category": category, "year": 2025},
            f"AND p.search_text LIKE %s {unit_clause} {category_clause} AND p.year = %s",
            ["%服务%", f"{unit.path}%", category.pk, 2025],
        ),
        (
            "filter 样板 + status published",
            {"model": True, "status": "published"},
            "AND p.is_model AND p.status = %s",
            ["published"],
        ),
        ("no filter (newest first)", {}, "", []),
    ]
    for label, filters, where, params in cases:
        ours_run, bare_run = ours(**filters), bare(where, params)
        assert ours_run()[0] == bare_run(), f"the library and the bare SQL disagree on {label}"
        report(f"case library ({CASES} cases), {label}: page of 30 and count", *paired_median_ms(ours_run, bare_run))

    bulletin = _issue(campaign)
    markup = render_to_string(
        "bulletins/documents/bulletin_pdf.html", {"pdf_fonts": PDF_FONTS, **outputs.issue_content(bulletin, "data")}
    )

    def weasyprint_only():
        from weasyprint import HTML

        HTML(string=markup, base_url="file:///nonexistent/", url_fetcher=local_only_fetcher).write_pdf()

    report(
        "bulletin PDF, 10 cases with photos and every figure (goal ≤ 3000 ms), against WeasyPrint on the same HTML",
        median_ms(lambda: outputs.bulletin_pdf(bulletin), repeat=3),
        median_ms(weasyprint_only, repeat=3),
    )
