"""The monthly digest and the quarterly pack, read back with python-docx and pdftotext, against the ledger."""

import datetime
import io
import shutil
import subprocess

import docx
import pytest
from django.utils import timezone, translation
from docx.oxml.ns import qn

from taizhang.ledger.models import Item, Light, Status
from taizhang.lib import documents
from taizhang.reporting import actions, digest
from taizhang.reporting.models import ReportingPeriod


@pytest.fixture
def month(people, items, org, campaign, periods):
    """Last month: one item completed in it, one red, one yellow; two units' summaries."""
    period = periods["past_month"]
    for user, unit, words in (
        (people["lily"], org["office_dept"], ("OA上线", "周调度", "人手紧张", "建议增加编制")),
        (people["bob"], org["hr"], ("福利平台试运行", "", "资金到位慢", "建议集团统筹资金")),
    ):
        report = actions.start_report(period, unit, acting_user=user)
        actions.save_summary(
            report,
            data=dict(zip(("results", "practices", "problems", "suggestions"), words, strict=True)),
            acting_user=user,
        )
        actions.submit_report(report, acting_user=user)
    # Lights set by hand after the reports (a report relights its unit's items by the rules).
    Item.objects.filter(campaign=campaign).update(light=Light.GREEN, light_code="", light_n=0)
    Item.objects.filter(pk=items["oa"].pk).update(
        status=Status.COMPLETED, percent=100, completed_on=period.starts_on + datetime.timedelta(days=3)
    )
    Item.objects.filter(pk=items["dating"].pk).update(light=Light.RED, percent=20, owner="赵六")
    Item.objects.filter(pk=items["welfare"].pk).update(light=Light.YELLOW, percent=40)
    Item.objects.filter(pk=items["clinic"].pk).update(percent=60)
    return period


def _docx_text(content: bytes) -> tuple[docx.document.Document, str]:
    document = docx.Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    return document, text


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_monthly_digest_docx_has_the_ledgers_figures_numbered_sections_and_chinese_fonts(month, org, items):
    data = digest.monthly_digest(month)
    assert data["totals"]["total"] == 5 and data["totals"]["done_this_month"] == 1
    assert data["totals"]["red"] == 1 and data["totals"]["yellow"] == 1
    assert round(data["totals"]["average"], 1) == round((100 + 0 + 40 + 20 + 60) / 5, 1)
    document, text = _docx_text(digest.monthly_digest_docx(data))
    assert month.name in document.paragraphs[0].text
    headings = [
        p.text for p in document.paragraphs if p.text[:2] in ("一、", "二、", "三、", "四、", "五、", "六、", "七、")
    ]
    assert len(headings) == 7
    assert "人力资源部：建议集团统筹资金" in text and "集团办公室：人手紧张" in text
    unit_table = document.tables[0]
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in unit_table.rows[1:]}
    # Departments are first-level units; the hospital rolls up into its subsidiary.
    assert rows["集团办公室"][1:4] == ["2", "1", "1"]
    assert rows["人力资源部"][1] == "2" and rows["人力资源部"][5:7] == ["1", "1"]
    assert rows["融通医疗健康公司"][1] == "1" and rows["融通医疗健康公司"][4] == "60.0%"
    lagging = document.tables[2]
    assert [row.cells[0].text for row in lagging.rows[1:]] == ["HQ-004", "HQ-003"]
    assert document.inline_shapes, "the chart is embedded as a picture"
    body_run = next(p for p in document.paragraphs if "建议集团统筹资金" in p.text).runs[0]
    assert body_run._element.rPr.rFonts.get(qn("w:eastAsia")) == documents.BODY_FONT
    heading_run = next(p for p in document.paragraphs if p.text.startswith("一、")).runs[0]
    assert heading_run._element.rPr.rFonts.get(qn("w:eastAsia")) == documents.HEADING_FONT


def test_monthly_digest_ends_with_the_ledger_chain_anchor(month):
    from taizhang.audit import chain
    from taizhang.audit.anchors import write_anchor

    write_anchor()
    _seq, head = chain.head_of(month.campaign)
    data = digest.monthly_digest(month)
    assert head in data["anchor"]
    _document, text = _docx_text(digest.monthly_digest_docx(data))
    assert text.rstrip().endswith(head)


def test_monthly_digest_pdf_reads_back_with_the_same_figures(month, tmp_path):
    data = digest.monthly_digest(month)
    text = _pdf_text(digest.monthly_digest_pdf(data), tmp_path)
    assert "人力资源部：建议集团统筹资金" in text.replace(" ", "")
    assert "HQ-004" in text and "融通医疗健康公司" in text
    assert "44.0%" in text  # average progress over the five items
    office_row = next(line.split() for line in text.splitlines() if line.strip().startswith("集团办公室 "))
    assert office_row[:5] == ["集团办公室", "2", "1", "1", "50.0%"]


def test_quarterly_pack_ranks_units_and_lists_red_items_with_days_overdue(month, campaign, tmp_path):
    quarter = ReportingPeriod.objects.filter(
        campaign=campaign, kind="quarterly", starts_on__lte=month.starts_on, ends_on__gte=month.ends_on
    ).get()
    data = digest.quarterly_pack(quarter)
    red = data["red_items"]
    # 12 days when the items were made; a day more if the fixture moved the clock into an open week.
    overdue = (timezone.localdate() - red[0]["item"].due).days
    assert [r["item"].code for r in red] == ["HQ-004"] and red[0]["days_overdue"] == overdue >= 12
    assert {r["unit"].name for r in data["ranking"]} >= {"集团办公室", "人力资源部"}
    document, text = _docx_text(digest.quarterly_pack_docx(data))
    red_table = document.tables[1]
    assert [c.text for c in red_table.rows[1].cells] == [
        "HQ-004",
        "解决单身员工婚恋问题",
        "人力资源部",
        "赵六",
        str(overdue),
    ]
    assert "资金到位慢" in text
    pdf = _pdf_text(digest.quarterly_pack_pdf(data), tmp_path)
    assert "HQ-004" in pdf and "赵六" in pdf


def test_pdf_rendering_fetches_nothing_from_the_network():
    with pytest.raises(documents.RefusedFetch):
        documents.local_only_fetcher("http://example.com/logo.png")
    assert documents.local_only_fetcher(documents.svg_data_url(documents.bar_chart_svg(["甲"], [1])))


def test_bar_charts_render_as_svg_and_png():
    svg = documents.bar_chart_svg(["服务基层", "关爱员工"], [50, 75.5], title="平均进度", unit="%")
    assert svg.startswith("<svg") and "服务基层" in svg and "75.5%" in svg
    png = documents.bar_chart_png(["服务基层", "关爱员工"], [50, 75.5], title="平均进度", unit="%")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_cjk_section_numbers():
    assert [documents.cjk_number(n) for n in (1, 9, 10, 11, 20, 21)] == ["一", "九", "十", "十一", "二十", "二十一"]
    assert timezone.now()


def test_office_requests_a_digest_watches_progress_and_downloads_the_word_file(
    login, month, people, campaign, django_capture_on_commit_callbacks
):
    from taizhang.reporting.models import GeneratedDocument

    client = login(people["olivia"])
    assert client.get(f"/c/{campaign.slug}/reports/documents/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/c/{campaign.slug}/reports/documents/",
            {"period": month.pk, "kind": "monthly_digest", "format": "docx"},
        )
    document = GeneratedDocument.objects.get()
    assert response["Location"] == f"/c/{campaign.slug}/reports/documents/{document.pk}/"
    assert document.status == GeneratedDocument.Status.DONE and document.progress == 100
    partial = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert 'data-status="done"' in partial and "hx-trigger" not in partial
    download = client.get(f"/c/{campaign.slug}/reports/documents/{document.pk}/download/")
    content = b"".join(download.streaming_content)
    _word, text = _docx_text(content)
    assert "建议集团统筹资金" in text


def test_a_queued_document_page_polls_and_others_cannot_request(login, month, people, campaign):
    from taizhang.reporting.models import GeneratedDocument

    document = GeneratedDocument.objects.create(
        campaign=campaign, period=month, kind="monthly_digest", format="pdf", requested_by=people["olivia"]
    )
    page = login(people["olivia"]).get(f"/c/{campaign.slug}/reports/documents/{document.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert (
        login(people["olivia"]).get(f"/c/{campaign.slug}/reports/documents/{document.pk}/download/").status_code == 404
    )
    bob = login(people["bob"])
    assert bob.get(f"/c/{campaign.slug}/reports/documents/").status_code == 403
    assert (
        bob.post(
            f"/c/{campaign.slug}/reports/documents/", {"period": month.pk, "kind": "monthly_digest", "format": "pdf"}
        ).status_code
        == 403
    )
    wrong = login(people["olivia"]).post(
        f"/c/{campaign.slug}/reports/documents/", {"period": month.pk, "kind": "quarterly_pack", "format": "pdf"}
    )
    assert wrong.status_code == 302 and GeneratedDocument.objects.count() == 1


def test_a_document_is_generated_once_even_if_two_workers_get_the_job(month, people, campaign):
    from taizhang.reporting.documents import generate
    from taizhang.reporting.models import GeneratedDocument

    document = GeneratedDocument.objects.create(
        campaign=campaign, period=month, kind="monthly_digest", format="docx", requested_by=people["olivia"]
    )
    assert generate(document.pk) is True
    assert generate(document.pk) is False


def test_the_ranking_chart_shows_every_unit_or_the_best_and_the_worst_never_only_the_top():
    from types import SimpleNamespace

    def ranking(n):
        return [{"unit": SimpleNamespace(name=f"单位{i:02d}"), "on_time_rate": 100 - i} for i in range(1, n + 1)]

    labels, values, _title = digest.ranking_chart(ranking(18))
    assert len(labels) == 18 and labels[-1] == "18. 单位18" and values[-1] == 82
    labels, values, _title = digest.ranking_chart(ranking(40))
    assert labels[:2] == ["1. 单位01", "2. 单位02"] and labels[-1] == "40. 单位40"
    assert len(labels) == 2 * digest.CHART_ENDS
    with translation.override("zh-hans"):
        assert "40" in digest.ranking_chart(ranking(40))[2]


def test_the_monthly_digest_counts_items_by_aspect_of_the_plan_and_by_scope(month, campaign, items, tmp_path):
    from taizhang.campaigns.models import KeyTask

    aspect = KeyTask.objects.create(campaign=campaign, code="一", name="强化理论武装")
    task = KeyTask.objects.create(campaign=campaign, parent=aspect, code="1", name="专题学习")
    Item.objects.filter(pk__in=[items["oa"].pk, items["dating"].pk]).update(key_task=task)
    Item.objects.filter(pk=items["clinic"].pk).update(scope="outside")
    data = digest.monthly_digest(month)
    assert [(name, row["total"], row["red"]) for name, row in data["aspects"]] == [("一 强化理论武装", 2, 1)]
    assert sorted((name, row["total"]) for name, row in data["scopes"])[0][1] in (1, 4)
    document, _text = _docx_text(digest.monthly_digest_docx(data))
    cells = {row.cells[0].text: row.cells[1].text for table in document.tables for row in table.rows[1:]}
    assert cells["一 强化理论武装"] == "2"
    pdf = digest.monthly_digest_pdf(data)
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):  # the reader the other document tests use; absent on some machines
        assert "一 强化理论武装" in _pdf_text(pdf, tmp_path)
