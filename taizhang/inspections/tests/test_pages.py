"""The inspection pages: who sees which findings, the forms (double POST, refusals), the lists and the report."""

import datetime
import io
import subprocess

import docx
import pytest
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from taizhang.inspections.models import Finding, Inspection
from taizhang.testing.factories import make_item

from .scene import build, find, inspect, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return build()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_unit_sees_only_its_own_findings(scene):
    inspection = inspect(scene)
    own = find(scene, inspection, description="办公室的问题")
    scene.team.units.add(scene.other_unit)
    other = find(scene, inspect(scene, unit=scene.other_unit), description="人力的问题")
    url = f"/c/{scene.campaign.slug}/findings/"
    page = client_for(scene.liaison).get(url).content.decode()
    assert "办公室的问题" in page and "人力的问题" not in page
    assert client_for(scene.liaison).get(f"/c/{scene.campaign.slug}/findings/{other.pk}/").status_code == 403
    assert client_for(scene.liaison).get(f"/c/{scene.campaign.slug}/findings/{own.pk}/").status_code == 200
    for user in (scene.leader, scene.office, scene.inspector):
        page = client_for(user).get(url + "?scope=all").content.decode()
        assert "办公室的问题" in page and "人力的问题" in page


def test_an_inspector_records_an_inspection_and_a_finding_once_however_often_he_posts(scene):
    client = client_for(scene.inspector)
    slug = scene.campaign.slug
    today = timezone.localdate()
    form = {
        "team": scene.team.pk,
        "unit": scene.unit.pk,
        "starts_on": today.isoformat(),
        "methods": ["ledger", "interview"],
        "items": [scene.item.pk],
        "token": "t-inspection-1",
    }
    first = client.post(f"/c/{slug}/inspections/new/", form)
    second = client.post(f"/c/{slug}/inspections/new/", form)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    inspection = Inspection.objects.get()
    assert inspection.methods == ["ledger", "interview"] and list(inspection.items.all()) == [scene.item]
    finding = {
        "item": scene.item.pk,
        "category": "lagging",
        "severity": "severe",
        "description": "进度严重滞后",
        "required": "两周内赶上序时进度",
        "deadline": (today + datetime.timedelta(days=14)).isoformat(),
        "responsible": "王明",
        "token": "t-finding-1",
    }
    for _ in range(2):
        assert client.post(f"/c/{slug}/inspections/{inspection.pk}/", finding).status_code == 302
    assert Finding.objects.count() == 1
    refused = client.post(
        f"/c/{slug}/inspections/{inspection.pk}/",
        {**finding, "token": "t-finding-2", "deadline": (today - datetime.timedelta(days=1)).isoformat()},
    )
    assert refused.status_code == 400 and "不能早于" in refused.content.decode()
    assert Finding.objects.count() == 1


def test_the_page_proposes_red_items_first(scene):
    red = make_item(scene.campaign, scene.unit, code="BGS-09", title="红灯事项", light="red")
    response = client_for(scene.inspector).post(
        f"/c/{scene.campaign.slug}/inspections/new/", {"unit": scene.unit.pk, "propose": "1", "team": scene.team.pk}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("BGS-09") < page.index("BGS-01")
    assert f'value="{red.pk}" checked' in page
    assert not Inspection.objects.exists()


def test_the_unit_answers_with_a_photo_and_a_bad_file_is_refused_with_a_message(scene):
    finding = find(scene, inspect(scene))
    client = client_for(scene.liaison)
    url = f"/c/{scene.campaign.slug}/findings/{finding.pk}/answer/"
    bad = io.BytesIO(b"MZ\x90\x00not a document")
    bad.name = "evidence.docx"
    refused = client.post(url, {"measures": "已整改", "done": "1", "version": finding.version, "evidence": bad})
    assert refused.status_code == 400
    finding.refresh_from_db()
    assert finding.state == Finding.State.OPEN
    answered = client.post(url, {"measures": "已整改", "done": "1", "version": finding.version, "evidence": photo()})
    assert answered.status_code == 302
    finding.refresh_from_db()
    assert finding.state == Finding.State.ANSWERED
    again = client.post(url, {"measures": "已整改", "done": "1", "version": finding.version - 1})
    assert again.status_code == 400 and finding.rectifications.count() == 1


def test_the_three_lists_as_xlsx_and_docx(scene):
    find(scene, inspect(scene), item=scene.item, description="台账记录不全", responsible="王明")
    client = client_for(scene.office)
    slug = scene.campaign.slug
    response = client.get(f"/c/{slug}/findings/lists/tasks.xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert "整改" in rows[1][3] and rows[2][1] == "集团办公室" and rows[2][2] == "台账记录不全"
    response = client.get(f"/c/{slug}/findings/lists/responsibility.docx")
    document = docx.Document(io.BytesIO(response.content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "王明" in cells and "责任清单" in "".join(p.text for p in document.paragraphs)
    assert client.get(f"/c/{slug}/findings/lists/nothing.xlsx").status_code == 404
    page = client.get(f"/c/{slug}/findings/lists/?list=problems").content.decode()
    assert "台账记录不全" in page


def test_the_inspection_report_as_docx_and_pdf_with_the_ledgers_figures(scene, tmp_path):
    find(scene, inspect(scene), item=scene.item, category="formalism")
    client = client_for(scene.leader)
    slug = scene.campaign.slug
    response = client.get(f"/c/{slug}/inspections/teams/{scene.team.pk}/report.docx")
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "督导检查情况报告" in text and "第一督导组" in text and "1" in text
    assert "集团办公室" in cells
    response = client.get(f"/c/{slug}/inspections/teams/{scene.team.pk}/report.pdf")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    pdf = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "第一督导组" in pdf and "集团办公室" in pdf


def test_a_finding_on_the_unit_shows_on_the_unit_page_and_the_board(scene):
    find(scene, inspect(scene), description="单位整体责任不落实")
    page = client_for(scene.office).get(f"/units/{scene.unit.pk}/").content.decode()
    assert "单位整体责任不落实" in page
    board = client_for(scene.office).get(f"/c/{scene.campaign.slug}/dashboard/").content.decode()
    assert "单位整体责任不落实" in board
    assert "单位整体责任不落实" not in client_for(scene.other_liaison).get(f"/units/{scene.unit.pk}/").content.decode()


def test_a_leaders_contact_point_page_shows_its_units_open_findings_with_state_and_light(scene):
    from lxml import html

    from taizhang.ledger.lights import refresh_lights
    from taizhang.orgs.models import ContactPoint

    point = ContactPoint.objects.create(campaign=scene.campaign, leader=scene.leader, unit=scene.unit)
    earlier = timezone.localdate() - datetime.timedelta(days=10)
    inspection = inspect(scene, starts_on=earlier, ends_on=earlier)
    late = find(scene, inspection, item=scene.item, days=5, description="台账记录不全")  # 5 days overdue
    refresh_lights(scene.campaign)  # the item turns red, through the one light loader
    find(scene, inspection, description="联系点整体推进慢")
    closed = find(scene, inspection, description="已销号的问题")
    Finding.objects.filter(pk=closed.pk).update(state=Finding.State.VERIFIED)
    scene.team.units.add(scene.other_unit)
    find(scene, inspect(scene, unit=scene.other_unit), description="别的单位的问题")

    response = client_for(scene.leader).get(f"/c/{scene.campaign.slug}/contact-points/{point.pk}/")
    assert response.status_code == 200
    tree = html.fromstring(response.content.decode())
    rows = tree.xpath('//table[@id="point-findings"]/tbody/tr')
    assert rows[0].get("data-finding") == str(late.pk)  # the nearest deadline first
    text = " ".join(row.text_content() for row in rows)
    assert "台账记录不全" in text and "联系点整体推进慢" in text
    assert "已销号的问题" not in text and "别的单位的问题" not in text
    first = rows[0]
    assert first.xpath('.//span[contains(@class, "light-red")]')  # the item's light
    assert first.xpath('.//span[contains(@class, "text-bg-danger")]')  # overdue
    assert first.xpath('.//span[contains(@class, "tz-state-open")]')  # its state
    assert tree.get_element_by_id("point-findings-heading").text_content().strip().startswith("2")
    # The unit's liaison reads the same panel; another unit's liaison is refused the page.
    assert client_for(scene.liaison).get(f"/c/{scene.campaign.slug}/contact-points/{point.pk}/").status_code == 200
    assert (
        client_for(scene.other_liaison).get(f"/c/{scene.campaign.slug}/contact-points/{point.pk}/").status_code == 403
    )
