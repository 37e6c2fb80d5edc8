"""Uploaded files in, stored files out: the one gate for what people upload, the one way it is served back.

In: the kind of a file is what the server finds in its bytes, never what its name says. Images are opened
with Pillow, held to a pixel budget before decoding (a decompression bomb is refused, not allocated) and
re-encoded without their metadata (EXIF, GPS, comments), so whatever rode along in the original is gone.
Other files are accepted only when their bytes are one of the document kinds we know (PDF, Office, zip,
plain text). The stored name is random with the detected kind's extension.

Out: :func:`file_response` is the only way a view hands a stored file back. Its Content-Type comes from
the bytes on disk (so a file stored before this gate existed is judged afresh), only images may be shown
inline, everything else is a download, and every file response carries ``nosniff`` and a sandboxing CSP:
even a file a browser chose to render could run no script and reach nothing.
"""

import contextlib
import io
import os
import posixpath
import re
import secrets
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .downloads import content_disposition

# A 48-megapixel phone photo fits; a 1-KB PNG that claims 100,000 × 100,000 does not.
IMAGE_MAX_PIXELS = 50_000_000
FILE_CSP = "sandbox; default-src 'none'"

IMAGE_FORMATS = {  # Pillow format: (extension, content type)
    "JPEG": (".jpg", "image/jpeg"),
    "PNG": (".png", "image/png"),
    "GIF": (".gif", "image/gif"),
    "WEBP": (".webp", "image/webp"),
}
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".zip": "application/zip",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
}
# Extensions a person may give a file of each detected kind (``photo.jpeg`` keeps its name).
SAME_KIND = {".jpg": {".jpg", ".jpeg"}, ".txt": {".txt", ".text"}}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML_PARTS = {"word/document.xml": ".docx", "xl/workbook.xml": ".xlsx", "ppt/presentation.xml": ".pptx"}
_TEXT_CLAIMS = {".txt", ".text", ".csv"}
# What Windows refuses in a file name, and control characters: a download is saved under a plain name.
_UNSAFE_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


@dataclass(frozen=True)
class Checked:
    """An upload that passed the gate: the bytes to store, and the name and type the server gave them."""

    content: bytes
    extension: str
    content_type: str
    name: str  # the person's name for it, with the detected extension
    is_image: bool

    def stored_file(self) -> ContentFile:
        """The file to assign to a FileField: a random name with the detected extension."""
        return ContentFile(self.content, name=secrets.token_hex(8) + self.extension)


def _extension(name: str) -> str:
    base = os.path.basename(name or "")
    return ("." + base.rsplit(".", 1)[-1].lower()) if "." in base else ""


def _display_name(original: str, extension: str) -> str:
    base = os.path.basename(original or "").strip() or "file"
    stem, claimed = (base.rsplit(".", 1)[0], _extension(base)) if "." in base else (base, "")
    if claimed in SAME_KIND.get(extension, {extension}):
        return base[:200]
    return stem[: 200 - len(extension)] + extension


def _sniff_image(data: bytes) -> str | None:
    """The Pillow format the first bytes announce, if they announce one we take."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _reencode(data: bytes, name: str) -> tuple[bytes, str]:
    """Decode the image within the pixel budget and write it again, without metadata; (bytes, format)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    refused = ValidationError(_("%(name)s is not an image we can read.") % {"name": name})
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in IMAGE_FORMATS:
                raise refused
            width, height = image.size
            if width * height > IMAGE_MAX_PIXELS:
                raise ValidationError(_("%(name)s has too many pixels to be a photo.") % {"name": name})
            fmt = image.format
            image.seek(0)  # an animation keeps its first frame
            image.load()
            # The phone's orientation tag is applied to the pixels before the tags are dropped.
            image = ImageOps.exif_transpose(image)
            # Nothing rides along: no EXIF, ICC, XMP, text chunks or comments; a palette keeps its transparency.
            image.info = {k: v for k, v in image.info.items() if k == "transparency"}
            out = io.BytesIO()
            if fmt == "JPEG":
                if image.mode not in ("RGB", "L", "CMYK"):
                    image = image.convert("RGB")
                image.save(out, format="JPEG", quality=90)
            elif fmt == "GIF":
                image.save(out, format="GIF")
            elif fmt == "WEBP":
                if image.mode not in ("RGB", "RGBA"):
                    image = image.convert("RGBA")
                image.save(out, format="WEBP", quality=90)
            else:
                if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
                    image = image.convert("RGBA")
                image.save(out, format="PNG")
            return out.getvalue(), fmt
    except ValidationError:
        raise
    except Image.DecompressionBombError as error:
        raise ValidationError(_("%(name)s has too many pixels to be a photo.") % {"name": name}) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise refused from error


def _document_extension(data: bytes, claimed: str) -> str | None:
    """The document kind the bytes are, or None. Text has no signature: it must say so and decode."""
    if data.startswith(b"%PDF-"):
        return ".pdf"
    if data.startswith(_OLE2):
        # The old Office formats share one container; which of them it is, its name says.
        return claimed if claimed in {".doc", ".xls", ".ppt"} else None
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" in names:
            for part, extension in _OOXML_PARTS.items():
                if part in names:
                    return extension
        return ".zip"
    if claimed in _TEXT_CLAIMS and b"\x00" not in data:
        for encoding in ("utf-8", "gb18030"):
            try:
                data.decode(encoding)
            except UnicodeDecodeError:
                continue
            return claimed if claimed == ".csv" else ".txt"
    return None


def check_upload(upload, *, max_bytes: int, images_only: bool = False, accept: set[str] | None = None) -> Checked:
    """Read an upload through the gate, or raise ValidationError saying why (in the user's language).

    ``accept`` narrows the kinds taken (extensions of the detected kinds); images are always re-encoded.
    The result is kept on the upload, so an action that validates first and stores later reads it once.
    """
    cached = getattr(upload, "_taizhang_checked", None)
    if cached is not None:
        return cached
    name = os.path.basename(getattr(upload, "name", "") or "") or _("the file")
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("%(name)s is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(max_bytes)}
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    upload.seek(0)
    if len(data) > max_bytes:
        raise ValidationError(
            _("%(name)s is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(max_bytes)}
        )
    not_accepted = ValidationError(_("%(name)s: this kind of file is not accepted.") % {"name": name})
    if _sniff_image(data):
        content, fmt = _reencode(data, name)
        extension, content_type = IMAGE_FORMATS[fmt]
        is_image = True
    elif images_only:
        raise ValidationError(_("%(name)s must be a JPEG, PNG, GIF or WebP image.") % {"name": name})
    else:
        extension = _document_extension(data, _extension(name))
        if extension is None:
            raise not_accepted
        content, content_type, is_image = data, DOCUMENT_TYPES[extension], False
    if accept is not None and extension not in accept:
        raise not_accepted
    checked = Checked(content, extension, content_type, _display_name(name, extension), is_image)
    with contextlib.suppress(AttributeError):
        upload._taizhang_checked = checked
    return checked


def detected_type(head: bytes, stored_name: str) -> tuple[str, str, bool]:
    """(content type, extension, is an image) of a stored file, from its first bytes; unknown is opaque."""
    fmt = _sniff_image(head)
    if fmt:
        extension, content_type = IMAGE_FORMATS[fmt]
        return content_type, extension, True
    claimed = _extension(stored_name)
    if head.startswith(b"%PDF-"):
        extension = ".pdf"
    elif head.startswith(_OLE2) and claimed in {".doc", ".xls", ".ppt"}:
        extension = claimed
    elif head.startswith(b"PK\x03\x04"):
        extension = claimed if claimed in {".docx", ".xlsx", ".pptx"} else ".zip"
    elif claimed in _TEXT_CLAIMS and b"\x00" not in head:
        extension = ".csv" if claimed == ".csv" else ".txt"
    else:
        return "application/octet-stream", "", False
    return DOCUMENT_TYPES[extension], extension, False


def file_response(fieldfile, *, filename: str, inline_images: bool = False, fallback: str = "") -> FileResponse:
    """Serve a stored file: the type from its bytes, inline only for an image a view shows, sandboxed always.

    The caller has already checked that the person may see it.
    """
    handle = fieldfile.open("rb")
    head = handle.read(64)
    handle.seek(0)
    content_type, extension, is_image = detected_type(head, fieldfile.name)
    download = _display_name(filename, extension) if extension else os.path.basename(filename or "") or "file"
    download = _UNSAFE_IN_NAMES.sub("_", download)
    as_attachment = not (inline_images and is_image)
    # A readable (Chinese) name with an ASCII fallback beside it, as every download has (lib/downloads).
    disposition = content_disposition(download, fallback=fallback, inline=not as_attachment)
    if settings.MEDIA_X_ACCEL_PREFIX:
        # nginx sends the bytes from its internal location; it keeps these headers from our response.
        handle.close()
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_X_ACCEL_PREFIX.rstrip("/") + "/" + quote(fieldfile.name)
    else:
        response = FileResponse(handle, as_attachment=as_attachment, filename=download, content_type=content_type)
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


class MediaStorage(FileSystemStorage):
    """MEDIA on disk, where every file saved gets a name the server chose: random, with the kind its bytes are.

    The backstop under the gate: whatever code path saves a file (an attachment, a photo, an uploaded
    spreadsheet, a generated document), no name or extension a person typed reaches the disk. Readers
    that need the original name keep it in a column of their own (``ImportJob.filename``).
    """

    def save(self, name, content, max_length=None):
        name = name or getattr(content, "name", "") or "file"
        content.seek(0)
        head = content.read(64)
        content.seek(0)
        if isinstance(head, str):
            head = head.encode("utf-8", "replace")
        _content_type, extension, _is_image = detected_type(head, name)
        safe = posixpath.join(posixpath.dirname(name.replace("\\", "/")), secrets.token_hex(8) + (extension or ".bin"))
        return super().save(safe, content, max_length=max_length)
