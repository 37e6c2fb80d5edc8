"""The office imports a ledger through the pages: upload, columns, preview, confirm, progress."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from taizhang.ledger.models import Item
from taizhang.sheets.models import ImportJob, ImportPreset

from .ledgers import messy_ledger, simple_ledger
from .test_bad_files import fake_ole


def upload(client, campaign, data: bytes, name="台账.xlsx"):
    return client.post(reverse("sheets:import_start", args=[campaign.slug]), {"file": SimpleUploadedFile(name, data)})


def test_office_imports_a_messy_ledger_after_seeing_the_preview(org, campaign, people, login):
    client = login(people["olivia"])
    response = upload(client, campaign, messy_ledger())
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sheets:import_mapping", args=[campaign.slug, job.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    form = page.context["form"]
    guessed = {
        form.headers[int(name[4:])]: form.fields[name].initial for name in form.fields if name.startswith("col_")
    }
    assert guessed["项目名称"] == "title"
    assert guessed["牵头单位"] == "owner_unit"
    assert guessed["配合单位"] == "partner_units"
    data = {name: form.fields[name].initial or "" for name in form.fields if name.startswith("col_")}
    data["save_preset"] = "集团清单"
    response = client.post(page.request["PATH_INFO"], data)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == ImportJob.State.PREVIEW
    assert job.result["created"] == 4
    assert not Item.objects.exists()  # nothing written before the confirmation
    preview = client.get(response["Location"])
    assert "优化OA系统" in preview.content.decode()
    response = client.post(reverse("sheets:import_confirm", args=[campaign.slug, job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE, job.message
    assert Item.objects.filter(campaign=campaign).count() == 4
    assert ImportPreset.objects.get(name="集团清单").mapping["项目名称"] == "title"


def test_mapping_can_be_fixed_by_hand(org, campaign, people, login):
    client = login(people["olivia"])
    data = simple_ledger(
        [["A-1", "好事", "办公室", "6月底前", "王五"]], headers=("编号", "实事名称", "牵头单位", "完成时间", "经办")
    )
    upload(client, campaign, data)
    job = ImportJob.objects.get()
    url = reverse("sheets:import_mapping", args=[campaign.slug, job.pk])
    client.post(url, {"col_0": "code", "col_1": "title", "col_2": "owner_unit", "col_3": "due", "col_4": "owner"})
    client.post(reverse("sheets:import_confirm", args=[campaign.slug, job.pk]))
    assert Item.objects.get(code="A-1").owner == "王五"


def test_mapping_without_title_column_is_refused(org, campaign, people, login):
    client = login(people["olivia"])
    upload(client, campaign, simple_ledger([["A-1", "好事", "办公室", "", ""]]))
    job = ImportJob.objects.get()
    response = client.post(reverse("sheets:import_mapping", args=[campaign.slug, job.pk]), {"col_0": "code"})
    assert response.status_code == 400


def test_ledger_with_errors_cannot_be_confirmed(org, campaign, people, login):
    client = login(people["olivia"])
    upload(client, campaign, simple_ledger([["A-1", "好事", "宣传部", "", ""]]))
    job = ImportJob.objects.get()
    client.post(
        reverse("sheets:import_mapping", args=[campaign.slug, job.pk]),
        {"col_0": "code", "col_1": "title", "col_2": "owner_unit"},
    )
    job.refresh_from_db()
    assert job.result["error_count"] == 1
    client.post(reverse("sheets:import_confirm", args=[campaign.slug, job.pk]))
    job.refresh_from_db()
    assert job.state == ImportJob.State.PREVIEW
    assert not Item.objects.exists()


def test_bad_file_is_refused_on_upload(org, campaign, people, login):
    client = login(people["olivia"])
    response = upload(client, campaign, fake_ole("WordDocument"))
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_progress_fragment_polls_while_running(org, campaign, people, login):
    client = login(people["olivia"])
    upload(client, campaign, simple_ledger([["A-1", "好事", "办公室", "", ""]]))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.WRITING)
    response = client.get(reverse("sheets:import_job", args=[campaign.slug, job.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in response.content.decode()
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.DONE)
    response = client.get(reverse("sheets:import_job", args=[campaign.slug, job.pk]), HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"


def test_only_the_office_imports(org, campaign, people, login):
    for name in ("lily", "leo"):
        client = login(people[name])
        assert client.get(reverse("sheets:import_start", args=[campaign.slug])).status_code == 403
        assert upload(client, campaign, simple_ledger([["A-1", "好事", "办公室", "", ""]])).status_code == 403
    assert not ImportJob.objects.exists()


def test_another_campaigns_job_is_not_found(org, campaign, people, login):
    from taizhang.testing.factories import make_campaign

    other = make_campaign(slug="other")
    from taizhang.orgs.actions import grant_role

    grant_role(user=people["olivia"], campaign=other, role="office")
    client = login(people["olivia"])
    upload(client, campaign, simple_ledger([["A-1", "好事", "办公室", "", ""]]))
    job = ImportJob.objects.get()
    assert client.get(reverse("sheets:import_job", args=["other", job.pk])).status_code == 404


def test_a_saved_preset_is_used_for_the_next_file_of_the_same_shape(org, campaign, people, login):
    client = login(people["olivia"])
    headers = ("编号", "实事名称", "牵头单位", "完成时间", "经办")
    upload(client, campaign, simple_ledger([["A-1", "好事", "办公室", "", "王五"]], headers=headers))
    job = ImportJob.objects.get()
    client.post(
        reverse("sheets:import_mapping", args=[campaign.slug, job.pk]),
        {"col_0": "code", "col_1": "title", "col_2": "owner_unit", "col_4": "owner", "save_preset": "经办表"},
    )
    upload(client, campaign, simple_ledger([["A-2", "另一件事", "人力", "", "赵六"]], headers=headers))
    second = ImportJob.objects.order_by("-id").first()
    page = client.get(reverse("sheets:import_mapping", args=[campaign.slug, second.pk]))
    assert page.context["preset"].name == "经办表"
    assert page.context["form"].fields["col_4"].initial == "owner"
    assert page.context["form"].fields["col_3"].initial == ""  # the preset left 完成时间 out


def test_codes_are_made_only_when_the_office_asks_on_the_mapping_page(org, campaign, people, login):
    client = login(people["olivia"])
    upload(client, campaign, simple_ledger([["好事", "办公室"]], headers=("实事名称", "牵头单位")))
    job = ImportJob.objects.get()
    url = reverse("sheets:import_mapping", args=[campaign.slug, job.pk])
    client.post(url, {"col_0": "title", "col_1": "owner_unit"})
    job.refresh_from_db()
    assert (job.result["codes_needed"], job.result["codes_missing"]) == (1, 1)
    assert job.result["rows"][0]["code"] == ""
    refused = client.post(reverse("sheets:import_confirm", args=[campaign.slug, job.pk]), follow=True)
    assert "New items have no code" in refused.content.decode() or "没有编号" in refused.content.decode()
    assert not Item.objects.exists()  # nothing invented, nothing written
    client.post(url, {"col_0": "title", "col_1": "owner_unit", "generate_codes": "on"})
    job.refresh_from_db()
    assert job.result["codes_missing"] == 0 and job.result["rows"][0]["code"] == "IMP-001"
    assert job.result["rows"][0]["generated_code"]
    client.post(reverse("sheets:import_confirm", args=[campaign.slug, job.pk]))
    assert Item.objects.get(campaign=campaign).code == "IMP-001"
