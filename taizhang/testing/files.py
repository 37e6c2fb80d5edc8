"""Small real files for tests: uploads now have to be what they say (taizhang.lib.media reads the bytes)."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (8, 6), color=(200, 30, 30), **save) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt, **save)
    return out.getvalue()


def jpeg(name: str = "photo.jpg", **options) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG", **options), content_type="image/jpeg")


def png(name: str = "photo.png", **options) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG", **options), content_type="image/png")


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "report.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def xlsx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


def xlsx(name: str = "sheet.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes())
