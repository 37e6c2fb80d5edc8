"""The pages: the office writes a scheme (bad input refused with a message), the assessor scores, the results
read as a ranking and a breakdown whose scores open their facts; the downloads open in real readers."""

import io
import subprocess

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from taizhang.assessment import outputs
from taizhang.assessment.models import AssessmentScheme, ItemScore, SchemeItem

from .conftest import run_scheme
from .test_scoring import build_ledger, build_scheme

pytestmark = pytest.mark.django_db


def rows_of(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_the_office_writes_a_scheme_and_bad_input_is_refused(client, scene):
    client.force_login(scene["office"])
    slug = scene["campaign"].slug
    response = client.post(
        reverse("assessment:home", args=[slug]),
        {
            "new-unit_kind": "subsidiary",
            "new-name": "子公司细则",
            "new-total": "20",
            "new-excellent_from": "18",
            "new-good_from": "16",
            "new-fair_from": "12",
            "new-excellent_quota": "20",
            "new-review_days": "7",
            "new-nominate_top": "3",
            "new-red_days": "30",
        },
    )
    scheme = AssessmentScheme.objects.get()
    assert response.url == reverse("assessment:scheme_detail", args=[slug, scheme.pk])
    client.post(reverse("assessment:section_add", args=[slug, scheme.pk]), {"sec-title": "工作落实"})
    section = scheme.sections.get()
    add = reverse("assessment:item_add", args=[slug, scheme.pk])
    base = {"item-section": section.pk, "item-title": "按期完成", "item-kind": "on_time", "item-per": "1"}
    assert client.post(add, {**base, "item-points": "15"}).status_code == 302
    page = client.post(add, {**base, "item-title": "超期", "item-points": "10"})
    assert page.status_code == 400 and "20" in page.content.decode()
    page = client.post(add, {**base, "item-title": "超期", "item-points": "5", "item-per": "9"})
    assert page.status_code == 400
    assert SchemeItem.objects.count() == 1
    item = SchemeItem.objects.get()
    assert item.standard == "每项按期完成加1分，最多15分。" or "1" in item.standard
    detail = client.get(reverse("assessment:scheme_detail", args=[slug, scheme.pk])).content.decode()
    assert "按期完成" in detail


def test_scheme_xlsx_goes_out_and_comes_back(client, scene):
    scheme, items = build_scheme(scene)
    content = outputs.scheme_xlsx(scheme)
    rows = rows_of(content)
    assert rows[1][:3] == ["序号", "考核项目", "分值"]
    client.force_login(scene["office"])
    slug = scene["campaign"].slug
    upload = SimpleUploadedFile("细则.xlsx", content)
    response = client.post(
        reverse("assessment:scheme_import", args=[slug]),
        {
            "import-unit_kind": "department",
            "import-name": "导入的细则",
            "import-file": upload,
        },
    )
    imported = AssessmentScheme.objects.get(name="导入的细则")
    assert response.url == reverse("assessment:scheme_detail", args=[slug, imported.pk])
    assert list(imported.items.order_by("section__order", "order").values_list("title", "points", "rule__kind")) == [
        (i.title, i.points, i.rule.kind) for i in items.values()
    ]
    bad = client.post(
        reverse("assessment:scheme_import", args=[slug]),
        {
            "import-unit_kind": "department",
            "import-name": "坏",
            "import-file": SimpleUploadedFile("x.xlsx", b"PK no"),
        },
    )
    assert bad.status_code == 302 and not AssessmentScheme.objects.filter(name="坏").exists()


def test_results_breakdown_facts_and_downloads(client, scene):
    scheme, items = build_scheme(scene)
    build_ledger(scene)
    run = run_scheme(scheme, scene["assessor"])
    slug = scene["campaign"].slug
    client.force_login(scene["leader"])
    page = client.get(reverse("assessment:run_detail", args=[slug, run.pk])).content.decode()
    assert "甲子公司" in page and 'id="ranking-chart"' in page and 'id="ranking"' in page
    breakdown = client.get(reverse("assessment:unit_breakdown", args=[slug, run.pk, scene["a"].pk])).content.decode()
    score = ItemScore.objects.get(unit_score__run=run, unit_score__unit=scene["a"], scheme_item=items["overdue"])
    facts_url = reverse("assessment:item_score", args=[slug, run.pk, score.pk])
    assert facts_url in breakdown
    facts = client.get(facts_url).content.decode()
    a3 = scene["campaign"].items.get(code="A3")
    assert reverse("ledger:item_detail", args=[slug, a3.pk]) in facts
    # The unit sees nothing before the review opens, then only its own breakdown.
    client.force_login(scene["liaison"])
    assert client.get(facts_url).status_code == 403
    from taizhang.assessment import actions

    actions.open_review(run, acting_user=scene["office"])
    assert client.get(facts_url).status_code == 200
    assert client.get(reverse("assessment:unit_breakdown", args=[slug, run.pk, scene["b"].pk])).status_code == 403
    assert client.get(reverse("assessment:run_detail", args=[slug, run.pk])).status_code == 403
    # Downloads, opened by real readers.
    client.force_login(scene["office"])
    document = docx.Document(io.BytesIO(client.get(reverse("assessment:circular_docx", args=[slug, run.pk])).content))
    text = "\n".join(p.text for p in document.paragraphs) + "".join(
        c.text for t in document.tables for r in t.rows for c in r.cells
    )
    assert "甲子公司" in text and "A3" in text
    pdf = client.get(reverse("assessment:circular_pdf", args=[slug, run.pk])).content
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "乙子公司" in out
    scores = rows_of(client.get(reverse("assessment:scores_xlsx", args=[slug, run.pk])).content)
    assert any(row[0] == "甲子公司" and "A3" in str(row[6]) for row in scores)
    year_end = rows_of(client.get(reverse("assessment:year_end_xlsx", args=[slug, run.pk])).content)
    assert year_end[1] == ["单位", "责任人", "责任", "考核得分", "排名", "等次", "备注"]
    sheet = client.get(reverse("assessment:unit_sheet", args=[slug, run.pk, scene["a"].pk])).content
    text = subprocess.run(["pdftotext", "-", "-"], input=sheet, capture_output=True, check=True).stdout.decode()
    assert "现场检查" in "".join(text.split())  # narrow table cells wrap the words


def test_the_year_end_layout_is_the_offices(client, scene):
    scheme, _items = build_scheme(scene)
    AssessmentScheme.objects.filter(pk=scheme.pk).update(
        export_columns="单位名称=unit\n党建考核得分=total\n乱写=nothing"
    )
    run = run_scheme(scheme, scene["assessor"])
    rows = rows_of(outputs.year_end_xlsx(run))
    assert rows[1] == ["单位名称", "党建考核得分"]
    assert {r[0] for r in rows[2:]} == {"甲子公司", "乙子公司"}


def test_the_ranking_shows_movement_since_the_last_period(client, scene):
    scheme, _items = build_scheme(scene)
    build_ledger(scene)
    run_scheme(scheme, scene["assessor"], starts="2026-01-01", ends="2026-03-31")
    run = run_scheme(scheme, scene["assessor"])
    client.force_login(scene["leader"])
    page = client.get(reverse("assessment:run_detail", args=[scene["campaign"].slug, run.pk])).content.decode()
    assert "较2026年第二季度" in page and "名次" in page, page[page.find('id="ranking"') :][:1500]
