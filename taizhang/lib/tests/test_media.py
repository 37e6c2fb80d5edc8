"""Uploaded files: the server decides what a file is, stores it under its own name, and serves it sandboxed."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image

from taizhang.ledger import actions as ledger_actions
from taizhang.ledger.models import ProgressAttachment, ProgressEntry
from taizhang.lib import media
from taizhang.people.models import Demand
from taizhang.testing import files

SCRIPT = b"<html><script>window.__xss=1;fetch('/admin/')</script></html>"


def post_problem(client, campaign, photo):
    data = {"text": "路灯坏了很久没人修", "photo": photo}
    return client.post(reverse("people:demand_new", args=[campaign.slug]), data)


def served(response) -> bytes:
    return b"".join(response.streaming_content)


def assert_sandboxed(response) -> None:
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_reported_attack_a_gif_header_in_front_of_html_is_refused_and_nothing_is_stored(client, campaign):
    attack = SimpleUploadedFile("photo.html", b"GIF89a" + SCRIPT, content_type="image/gif")
    response = post_problem(client, campaign, attack)
    assert response.status_code == 400
    assert "photo" in response.context["form"].errors
    assert not Demand.objects.exists()


def test_a_real_image_with_html_riding_along_is_stored_as_the_image_it_is(client, campaign, people):
    polyglot = SimpleUploadedFile("photo.html", files.image_bytes("GIF") + SCRIPT, content_type="text/html")
    assert post_problem(client, campaign, polyglot).status_code == 302  # sent: off to its confirmation

    demand = Demand.objects.get()
    assert demand.photo.name.endswith(".gif") and "photo" not in demand.photo.name
    stored = demand.photo.read()
    assert b"<script" not in stored
    assert Image.open(io.BytesIO(stored)).format == "GIF"

    client.force_login(people["olivia"])
    response = client.get(reverse("people:demand_photo", args=[campaign.slug, demand.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response["Content-Disposition"].startswith("inline")
    assert_sandboxed(response)


def test_a_photo_loses_its_metadata_and_keeps_its_orientation():
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the phone turned: rotate 90°
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {2: (39.0, 54.0, 27.0)}  # GPS latitude
    raw = files.image_bytes("JPEG", size=(40, 20), exif=exif.tobytes())
    assert b"PhoneMaker" in raw

    checked = media.check_upload(SimpleUploadedFile("现场.jpeg", raw), max_bytes=10**6, images_only=True)

    assert checked.extension == ".jpg" and checked.name == "现场.jpeg" and checked.is_image
    assert b"PhoneMaker" not in checked.content
    image = Image.open(io.BytesIO(checked.content))
    assert not image.getexif()
    assert image.size == (20, 40)


def test_text_hidden_in_an_image_is_not_kept():
    out = io.BytesIO()
    Image.new("P", (4, 4)).save(out, format="GIF", comment=SCRIPT)
    assert SCRIPT in out.getvalue()
    checked = media.check_upload(SimpleUploadedFile("x.gif", out.getvalue()), max_bytes=10**6)
    assert checked.extension == ".gif" and b"script" not in checked.content


@pytest.mark.parametrize("side", [8_000, 20_000], ids=["over-our-budget", "over-pillows-own-limit"])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(side):
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, format="PNG")  # 64 or 400 megapixels in a few dozen KB
    assert len(out.getvalue()) < 200_000
    with pytest.raises(ValidationError) as error:
        media.check_upload(SimpleUploadedFile("bomb.png", out.getvalue()), max_bytes=10**7)
    assert error.value.messages == [_("%(name)s has too many pixels to be a photo.") % {"name": "bomb.png"}]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", SCRIPT),
        ("photo.jpg", b"\xff\xd8\xff" + SCRIPT),
        ("notes.txt", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("old.doc", b"not an office file"),
        ("page.html", SCRIPT),
    ],
    ids=["html-named-pdf", "jpeg-header-then-html", "exe-named-txt", "junk-named-doc", "html"],
)
def test_an_attachment_that_is_not_what_we_take_is_refused_and_nothing_is_written(people, items, name, content):
    with pytest.raises(ValidationError) as error:
        ledger_actions.add_progress(
            items["oa"],
            percent=10,
            done="附件",
            acting_user=people["lily"],
            attachments=[SimpleUploadedFile(name, content)],
        )
    assert name in error.value.messages[0]
    assert not ProgressEntry.objects.exists() and not ProgressAttachment.objects.exists()


def test_an_attachment_is_stored_under_the_servers_name_and_served_as_a_download_of_its_real_type(
    client, campaign, people, items
):
    uploads = [
        files.pdf("验收材料.html"),  # a PDF whatever its name says
        files.png("截图.png"),
        files.xlsx("台账.xlsx"),
        SimpleUploadedFile("说明.txt", "进展说明：已完成".encode()),
    ]
    entry = ledger_actions.add_progress(
        items["oa"], percent=10, done="附件", acting_user=people["lily"], attachments=uploads
    )
    stored = {a.name: a for a in entry.attachments.all()}
    assert set(stored) == {"验收材料.pdf", "截图.png", "台账.xlsx", "说明.txt"}
    assert stored["验收材料.pdf"].file.name.endswith(".pdf") and "验收材料" not in stored["验收材料.pdf"].file.name

    client.force_login(people["leo"])  # a leader reads every unit's files (another unit's liaison does not)
    expected = {
        "验收材料.pdf": "application/pdf",
        "截图.png": "image/png",
        "台账.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "说明.txt": "text/plain; charset=utf-8",
    }
    for name, content_type in expected.items():
        response = client.get(reverse("ledger:attachment_download", args=[campaign.slug, stored[name].pk]))
        assert response["Content-Type"] == content_type, name
        assert response["Content-Disposition"].startswith("attachment"), name  # even the image
        assert_sandboxed(response)


def _stored_before_the_gate(settings, name: str, content: bytes) -> str:
    """A file as the old code left it: on disk under the uploader's name (written past the storage)."""
    path = settings.MEDIA_ROOT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return name


def test_a_file_stored_before_the_gate_is_judged_by_its_bytes_when_served(client, campaign, people, items, settings):
    entry = ledger_actions.add_progress(items["oa"], percent=10, done="旧附件", acting_user=people["lily"])
    path = _stored_before_the_gate(settings, "progress/old/photo.html", b"GIF89a" + SCRIPT)
    # Rows written before the gate existed: the file is already in storage, so save() leaves it be.
    old = ProgressAttachment.objects.create(entry=entry, file=path, name="photo.html", size=10)

    client.force_login(people["olivia"])
    response = client.get(reverse("ledger:attachment_download", args=[campaign.slug, old.pk]))
    assert response["Content-Type"] == "image/gif"  # what the bytes announce, never text/html
    assert response["Content-Disposition"].startswith("attachment")
    assert_sandboxed(response)

    path = _stored_before_the_gate(settings, "demands/old/x.html", SCRIPT)
    demand = Demand.objects.create(campaign=campaign, text="旧照片", photo=path)
    response = client.get(reverse("people:demand_photo", args=[campaign.slug, demand.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert_sandboxed(response)
    assert served(response) == SCRIPT


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [
        ("台账.html", files.xlsx_bytes(), ".zip"),
        ("台账.xlsx", files.xlsx_bytes(), ".xlsx"),
        ("名单.csv", "编号,名称\n1,甲".encode(), ".csv"),
        ("page.html", SCRIPT, ".bin"),
        ("noextension", b"\x7fELF\x02\x01", ".bin"),
    ],
)
def test_whatever_saves_a_file_the_disk_gets_a_name_the_server_chose(settings, name, content, extension):
    from django.core.files.storage import default_storage

    stored = default_storage.save(f"imports/2026/06/{name}", ContentFile(content))
    directory, base = stored.rsplit("/", 1)
    assert directory == "imports/2026/06"
    assert base.endswith(extension) and len(base) == 16 + len(extension)
    assert (settings.MEDIA_ROOT / stored).read_bytes() == content


def test_acceptance_evidence_goes_through_the_same_gate(client, campaign, people, items):
    from taizhang.acceptance import actions as acceptance_actions

    with pytest.raises(ValidationError):
        acceptance_actions.record_acceptance(
            items["oa"],
            data={"result": "passed", "checkers": "验收组"},
            attachments=[SimpleUploadedFile("evidence.pdf", SCRIPT)],
            acting_user=people["olivia"],
        )
    acceptance = acceptance_actions.record_acceptance(
        items["oa"],
        data={"result": "passed", "checkers": "验收组"},
        attachments=[files.jpeg("现场.jpg")],
        acting_user=people["olivia"],
    )
    evidence = acceptance.attachments.get()
    assert evidence.file.name.endswith(".jpg")
    client.force_login(people["olivia"])
    response = client.get(reverse("acceptance:evidence_download", args=[campaign.slug, evidence.pk]))
    assert response["Content-Type"] == "image/jpeg" and response["Content-Disposition"].startswith("attachment")
    assert_sandboxed(response)
