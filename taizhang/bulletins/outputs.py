"""One source, every output: the issue's content gathered once (:func:`issue_content`), then rendered as
the app's page, the public page, PDF, .docx and the WeChat official-account article.

Images come as the app's URLs, the public site's URLs or ``data:`` URIs, chosen by the output:
the PDF and the WeChat article carry their images inside the file, so nothing is fetched from outside.
"""

import base64
import datetime
import io

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import html as lxml_html

from taizhang.lib.documents import render_docx, render_pdf

from . import figures, richtext
from .models import Bulletin, Practice

WECHAT_WIDTH = 677
ACCENT = "#b71c1c"


def photo_url(photo, *, public: bool) -> str:
    name = "bulletins:public_photo" if public else "bulletins:photo"
    return reverse(name, args=[photo.practice.campaign.slug, photo.practice_id, photo.pk])


FROZEN_FIELDS = ("title", "summary", "body", "is_model", "model_reason")


def freeze_case(practice: Practice) -> dict:
    """What an issue keeps of a case at publication."""
    return {"id": practice.pk, "unit": practice.unit.display_name, **{f: getattr(practice, f) for f in FROZEN_FIELDS}}


def case_content(practice: Practice, images: str = "app", frozen: dict | None = None) -> dict:
    """A case's words and pictures for an output (``images``: "app", "public" or "data").

    ``frozen``: the words as a published issue kept them, instead of the case's current ones.
    """
    words = frozen or freeze_case(practice)
    photos = list(practice.photos.all())
    if images == "data":
        sources = {p.pk: richtext.data_uri(p) for p in photos}
    else:
        sources = {p.pk: photo_url(p, public=images == "public") for p in photos}
    in_body = set(richtext.photo_ids(words["body"]))
    return {
        "practice": practice,
        "title": words["title"],
        "unit": words["unit"],
        "summary": words["summary"],
        "body": richtext.with_images(words["body"], sources),
        "photos": [{"src": sources[p.pk], "caption": p.caption, "photo": p} for p in photos if p.pk not in in_body],
        "is_model": words["is_model"],
        "model_reason": words["model_reason"],
    }


def issue_figures(bulletin: Bulletin, now: datetime.datetime | None = None) -> list[dict]:
    """The frozen figures of a published issue; a live preview of an issue in preparation."""
    if bulletin.is_published:
        return bulletin.frozen_figures
    return figures.compute(bulletin.campaign, bulletin.figure_kinds, bulletin.period_starts, bulletin.period_ends, now)


def _cases(bulletin: Bulletin, images: str) -> list[dict]:
    frozen = {c["id"]: c for c in bulletin.frozen_cases} if bulletin.is_published else {}
    return [case_content(e.practice, images, frozen.get(e.practice_id)) for e in bulletin.entries_in_order()]


def issue_content(bulletin: Bulletin, images: str = "app") -> dict:
    signer = bulletin.signed_by.display_name if bulletin.signed_by else ""
    return {
        "bulletin": bulletin,
        "masthead": bulletin.masthead,
        "issue": bulletin.issue_label,
        "publisher": bulletin.publisher,
        "date": bulletin.issued_on,
        "foreword": bulletin.foreword,
        "cases": _cases(bulletin, images),
        "figures": issue_figures(bulletin),
        "editor": bulletin.editor,
        "proofreaders": "、".join(bulletin.proofreaders),
        "signer": signer,
        "corrects": bulletin.corrects,
    }


def filename(bulletin: Bulletin, extension: str) -> str:
    return f"{bulletin.masthead}{bulletin.year}年第{bulletin.number}期.{extension}"


# PDF ---------------------------------------------------------------------------------------------


def bulletin_pdf(bulletin: Bulletin) -> bytes:
    return render_pdf("bulletins/documents/bulletin_pdf.html", issue_content(bulletin, images="data"))


# .docx -------------------------------------------------------------------------------------------


def _image_bytes(src: str) -> bytes | None:
    if src.startswith("data:") and ";base64," in src:
        return base64.b64decode(src.split(";base64,", 1)[1])
    return None


def _body_blocks(body: str) -> list[dict]:
    """The sanitised body as render_docx blocks: headings, paragraphs, list lines, tables, images."""
    if not body.strip():
        return []
    blocks = []
    root = lxml_html.fragment_fromstring(body, create_parent="div")
    for element in root:
        tag = element.tag
        if tag in ("h2", "h3", "h4"):
            blocks.append({"paragraph": element.text_content().strip()})
        elif tag in ("ul", "ol"):
            for n, li in enumerate(element.findall("li"), start=1):
                mark = f"{n}." if tag == "ol" else "•"
                blocks.append({"paragraph": f"{mark} {li.text_content().strip()}"})
        elif tag == "table":
            rows = [[cell.text_content().strip() for cell in tr.findall("./*")] for tr in element.iter("tr")]
            if rows:
                width = max(len(r) for r in rows)
                rows = [r + [""] * (width - len(r)) for r in rows]
                blocks.append({"table": {"headers": rows[0], "rows": rows[1:]}})
        elif tag == "img":
            data = _image_bytes(element.get("src", ""))
            if data:
                blocks.append({"image": data, "width_cm": 14})
        else:
            for img in element.iter("img"):
                data = _image_bytes(img.get("src", ""))
                if data:
                    blocks.append({"image": data, "width_cm": 14})
            text = element.text_content().strip()
            if text:
                blocks.append({"paragraph": text})
    return blocks


def _docx_image(data: bytes) -> bytes:
    """python-docx reads PNG/JPEG/GIF; a WebP photo is converted to PNG."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if image.format in ("PNG", "JPEG", "GIF"):
            return data
        out = io.BytesIO()
        image.convert("RGB").save(out, "PNG")
        return out.getvalue()


def bulletin_docx(bulletin: Bulletin) -> bytes:
    content = issue_content(bulletin, images="data")
    blocks = []
    if content["foreword"]:
        blocks.append({"paragraph": content["foreword"]})
    for case in content["cases"]:
        blocks.append({"heading": case["title"]})
        blocks.append({"paragraph": f"（{case['unit']}）" + (f" {_('Model project')}" if case["is_model"] else "")})
        if case["summary"]:
            blocks.append({"paragraph": case["summary"]})
        blocks.extend(_body_blocks(case["body"]))
        for photo in case["photos"]:
            data = _image_bytes(photo["src"])
            if data:
                blocks.append({"image": data, "width_cm": 14, "caption": photo["caption"]})
    if content["figures"]:
        blocks.append({"heading": _("Figures")})
        for block in content["figures"]:
            blocks.append({"heading": block["title"], "level": 2})
            blocks.append(
                {
                    "table": {
                        "headers": [_("Figure"), _("Value")],
                        "rows": [[r["label"], r["value"]] for r in block["rows"]],
                    }
                }
            )
    for block in blocks:
        if "image" in block:
            block["image"] = _docx_image(block["image"])
    footer = [_("Editor: %(names)s") % {"names": content["editor"]}]
    footer.append(_("Proofreaders: %(names)s") % {"names": content["proofreaders"]})
    if content["signer"]:
        footer.append(_("Signed off by: %(name)s") % {"name": content["signer"]})
    return render_docx(
        {
            "title": content["masthead"],
            "subtitle": f"{content['issue']}    {content['publisher']}    {content['date']:%Y年%-m月%-d日}",
            "blocks": blocks,
            "signature": footer,
        }
    )


# WeChat ------------------------------------------------------------------------------------------

# Inline styles only: the official account's editor drops classes, stylesheets and scripts.
WECHAT_STYLES = {
    "h2": f"font-size:18px;font-weight:bold;color:{ACCENT};margin:20px 0 8px;",
    "h3": "font-size:16px;font-weight:bold;color:#333;margin:16px 0 6px;",
    "h4": "font-size:15px;font-weight:bold;color:#333;margin:12px 0 6px;",
    "p": "font-size:15px;line-height:1.8;color:#333;margin:0 0 10px;text-indent:2em;",
    "ul": "font-size:15px;line-height:1.8;color:#333;margin:0 0 10px;padding-left:2em;",
    "ol": "font-size:15px;line-height:1.8;color:#333;margin:0 0 10px;padding-left:2em;",
    "li": "margin:0 0 4px;",
    "table": "width:100%;border-collapse:collapse;font-size:14px;margin:8px 0 12px;",
    "th": "border:1px solid #999;padding:4px 6px;background-color:#f3f3f3;font-weight:bold;",
    "td": "border:1px solid #999;padding:4px 6px;",
    "img": "display:block;width:100%;max-width:100%;height:auto;margin:10px auto;",
    "blockquote": "margin:8px 0;padding:6px 12px;border-left:4px solid #ccc;color:#555;",
    "a": f"color:{ACCENT};text-decoration:underline;",
    "strong": "font-weight:bold;",
    "b": "font-weight:bold;",
}


def _inline_styles(fragment: str) -> str:
    if not fragment.strip():
        return ""
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for element in root.iter():
        if element is root or not isinstance(element.tag, str):
            continue
        element.attrib.pop("class", None)
        if element.tag == "a":  # a pasted article keeps the words, not a link out of the platform
            element.attrib.pop("href", None)
            element.attrib.pop("rel", None)
        style = WECHAT_STYLES.get(element.tag)
        if style:
            element.set("style", style)
    return (root.text or "") + "".join(lxml_html.tostring(child, encoding="unicode") for child in root)


def bulletin_wechat(bulletin: Bulletin) -> str:
    """A standalone HTML article: inline styles, images as data: URIs, no scripts, ≤ 677 px wide."""
    content = issue_content(bulletin, images="data")
    for case in content["cases"]:
        case["body"] = _inline_styles(case["body"])
    return render_to_string(
        "bulletins/documents/wechat.html",
        {**content, "width": WECHAT_WIDTH, "accent": ACCENT, "styles": WECHAT_STYLES, "now": timezone.now()},
    )
