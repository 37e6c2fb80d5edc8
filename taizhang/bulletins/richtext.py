"""The one gate for a case's rich text and photos: sanitised HTML (nh3), checked images (Pillow).

A case's body is stored only as :func:`clean` returns it: headings, paragraphs, lists, bold and
italics, tables and images of the case's own photos. Scripts, event handlers, ``style``
(CSS expressions), iframes, and links other than http(s)/mailto are dropped; an ``<img>`` whose
source is not one of our photo URLs is dropped too, so no output ever loads anything from outside.
"""

import base64
import io
import re
from html import unescape

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

TAGS = {
    "h2", "h3", "h4", "p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "u", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "img", "a", "hr",
}  # fmt: skip
ATTRIBUTES = {"img": {"src", "alt"}, "a": {"href"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
# The only image sources a body may use: a photo of a case, by the app's or the public site's URL.
PHOTO_SRC = re.compile(r"^/c/[\w-]+/(?:public/)?practices/(\d+)/photos/(\d+)/$")
MAX_BODY = 200_000

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


def _attribute(tag: str, name: str, value: str):
    if tag == "img" and name == "src":
        return value if PHOTO_SRC.match(value) else None
    return value


def clean(html: str) -> str:
    """The body as it may be stored and shown: only the allowed tags and attributes, safe links, our images."""
    html = html or ""
    if len(html) > MAX_BODY:
        raise ValidationError({"body": _("The text is too long.")})
    cleaned = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        attribute_filter=_attribute,
        strip_comments=True,
    )
    # An <img> that lost its src (an outside picture, a data: URI) is an empty box: drop it.
    return re.sub(r"<img(?![^>]*\ssrc=)[^>]*>", "", cleaned).strip()


def plain_text(html: str) -> str:
    """The words of a sanitised body (for search, similarity, feeds)."""
    # nh3 leaves the text escaped (&amp;, &lt;): the words are the characters, escaped once where shown.
    return re.sub(r"\s+", " ", unescape(nh3.clean(html or "", tags=set()))).strip()


def photo_ids(html: str) -> list[int]:
    """The photo ids a body's images point at, in order."""
    found = (PHOTO_SRC.match(src) for src in re.findall(r'src="([^"]+)"', html or ""))
    return [int(m.group(2)) for m in found if m]


def check_image(upload) -> tuple[str, int, int]:
    """(content type, width, height) of an uploaded image, or a ValidationError in the user's language.

    Size first (before reading), then Pillow must recognise it as one of the allowed formats and
    verify it. (h5 is hardening uploads project-wide; this is the simple check for case photos.)
    """
    from PIL import Image, UnidentifiedImageError

    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("The photo is larger than %(mb)s MB.") % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)})
    data = upload.read()
    upload.seek(0)
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            if kind not in IMAGE_TYPES:
                raise ValidationError(_("Only JPEG, PNG, GIF or WebP photos are accepted."))
            if width * height > MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."))
            image.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(_("This file is not a picture we can read.")) from error
    return IMAGE_TYPES[kind], width, height


def data_uri(photo) -> str:
    """A photo as a ``data:`` URI (for the PDF, the WeChat article and the .docx's source HTML)."""
    with photo.file.open("rb") as handle:
        return f"data:{photo.content_type};base64,{base64.b64encode(handle.read()).decode()}"


def with_images(html: str, sources: dict[int, str]) -> str:
    """The body with each photo URL replaced by ``sources[photo id]`` (a data: URI or a public URL)."""

    def replace(match):
        found = PHOTO_SRC.match(match.group(1))
        if found and int(found.group(2)) in sources:
            return f'src="{sources[int(found.group(2))]}"'
        return 'src=""'

    return re.sub(r'src="([^"]+)"', replace, html or "")
