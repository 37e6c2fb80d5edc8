import io
import re
import subprocess

import pytest
from django.urls import reverse

from taizhang.bulletins import actions, outputs

from .conftest import png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue_with_photo(campaign, people, make_case):
    practice = make_case("职工食堂延时服务", summary="延长供餐时间")
    photo = actions.add_photo(
        practice, upload=png_upload(width=1200, height=800), caption="供餐现场", acting_user=people["lily"]
    )
    src = reverse("bulletins:photo", args=[campaign.slug, practice.pk, photo.pk])
    actions.update_practice(
        practice,
        data={
            "title": practice.title,
            "summary": "延长供餐时间",
            "body": f"<h2>主要做法</h2><p><strong>一是</strong>延时。</p><ul><li>早餐</li></ul>"
            f'<table><tr><th>项目</th><th>人数</th></tr><tr><td>就餐</td><td>800</td></tr></table><img src="{src}">',
        },
        acting_user=people["lily"],
    )
    actions.submit_practice(practice, acting_user=people["lily"])
    actions.accept_practice(practice, acting_user=people["olivia"])
    actions.mark_model(practice, is_model=True, reason="全集团推广", acting_user=people["olivia"])
    bulletin = actions.create_bulletin(
        campaign,
        data={"editor": "王编辑", "proofreaders": ["李校对", "赵校对"], "figure_kinds": ["completion", "lights"]},
        acting_user=people["olivia"],
    )
    actions.set_cases(bulletin, practice_ids=[practice.pk], acting_user=people["olivia"])
    actions.sign_off(bulletin, acting_user=people["olivia"])
    return actions.publish_bulletin(bulletin, acting_user=people["olivia"])


def test_pdf_is_a4_with_the_cjk_title_and_page_numbers(issue_with_photo, tmp_path):
    data = outputs.bulletin_pdf(issue_with_photo)
    path = tmp_path / "issue.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "信息简报" in text and "职工食堂延时服务" in text and f"{issue_with_photo.year}年第1期" in text
    assert re.search(r"—\s*1\s*—", text) and re.search(r"—\s*2\s*—", text)  # page numbers
    assert "李校对、赵校对" in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) > 2  # the photo is in the file


def test_docx_opens_with_python_docx_and_holds_the_case_figures_and_photo(issue_with_photo):
    from docx import Document

    document = Document(io.BytesIO(outputs.bulletin_docx(issue_with_photo)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "信息简报" in text and "职工食堂延时服务" in text and "主要做法" in text and "• 早餐" in text
    assert "编辑：王编辑" in text and "校对：李校对、赵校对" in text and "签发：欧阳办" in text
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "就餐" in cells and "完成率" in cells
    assert document.inline_shapes, "the photo is embedded"


def test_wechat_html_has_inline_styles_only_and_embeds_its_images(issue_with_photo):
    article = outputs.bulletin_wechat(issue_with_photo)
    assert "<script" not in article.lower()
    assert "<style" not in article.lower() and "<link" not in article.lower()
    assert "class=" not in article
    assert not re.search(r"""(?:src|href)=["'](?!data:)""", article), "only data: sources, no links out"
    assert not re.search(r"https?://", article)
    assert "data:image/png;base64," in article
    widths = [int(w) for w in re.findall(r"max-width:(\d+)px", article)]
    assert widths and max(widths) <= 677
    assert 'style="' in article.split("主要做法")[0].rsplit("<h2", 1)[1]  # the body's heading carries its own style
    assert "特色样板" in article


def test_downloads_from_the_issue_page(issue_with_photo, login, people, campaign):
    client = login(people["bob"])
    for fmt, kind in (("pdf", "application/pdf"), ("docx", "wordprocessingml"), ("wechat", "text/html")):
        response = client.get(reverse("bulletins:bulletin_download", args=[campaign.slug, issue_with_photo.pk, fmt]))
        assert response.status_code == 200 and kind in response["Content-Type"]
        assert "attachment" in response["Content-Disposition"]
    assert (
        client.get(reverse("bulletins:bulletin_download", args=[campaign.slug, issue_with_photo.pk, "exe"])).status_code
        == 404
    )


def test_the_pages_show_the_photo_from_our_url(issue_with_photo, login, people, campaign):
    page = login(people["olivia"]).get(reverse("bulletins:bulletin_detail", args=[campaign.slug, issue_with_photo.pk]))
    html = page.content.decode()
    photo = issue_with_photo.entries.get().practice.photos.get()
    assert reverse("bulletins:photo", args=[campaign.slug, photo.practice_id, photo.pk]) in html
    response = login(people["bob"]).get(reverse("bulletins:photo", args=[campaign.slug, photo.practice_id, photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
