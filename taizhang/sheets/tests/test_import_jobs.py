"""Ledger import jobs: claimed once, a dead worker's job fails with the reason and is retried, NUL is refused."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.ledger.models import Item
from taizhang.sheets import tasks
from taizhang.sheets.models import ImportJob

from .ledgers import messy_ledger
from .test_web_import import upload


def _job_in_preview(client, campaign) -> ImportJob:
    upload(client, campaign, messy_ledger())
    job = ImportJob.objects.get()
    page = client.get(reverse("sheets:import_mapping", args=[campaign.slug, job.pk]))
    form = page.context["form"]
    data = {name: form.fields[name].initial or "" for name in form.fields if name.startswith("col_")}
    client.post(page.request["PATH_INFO"], data)
    job.refresh_from_db()
    assert job.state == ImportJob.State.PREVIEW, job.message
    return job


def test_a_double_confirm_queues_one_import(org, campaign, people, login, monkeypatch):
    client = login(people["olivia"])
    job = _job_in_preview(client, campaign)
    queued = []
    write = tasks.write_import

    def counting(job_id):
        queued.append(job_id)
        return write(job_id)

    monkeypatch.setattr(tasks, "write_import", counting)
    url = reverse("sheets:import_confirm", args=[campaign.slug, job.pk])
    client.post(url)
    second = client.post(url, follow=True)
    assert queued == [job.pk]
    assert _("This import is already being written or was written.") in [str(m) for m in second.context["messages"]]
    assert Item.objects.filter(campaign=campaign).count() == 4


def test_a_job_whose_worker_died_is_marked_failed_with_the_reason(org, campaign, people, login):
    client = login(people["olivia"])
    job = _job_in_preview(client, campaign)
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.WRITING, heartbeat_at=now - datetime.timedelta(minutes=29)
    )
    assert tasks.fail_stuck_jobs(now=now) == 0  # still within its time
    assert tasks.fail_stuck_jobs(now=now + datetime.timedelta(minutes=2)) == 1
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED
    assert "后台任务中断" in job.message and "未写入任何内容" in job.message
    page = client.get(reverse("sheets:import_job", args=[campaign.slug, job.pk]))
    assert b'id="retry-form"' in page.content and "后台任务中断" in page.content.decode()


def test_analysis_silent_for_ten_minutes_fails_but_a_preview_waits_for_the_office(org, campaign, people, login):
    client = login(people["olivia"])
    job = _job_in_preview(client, campaign)
    old = timezone.now() - datetime.timedelta(hours=5)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=old)
    assert tasks.fail_stuck_jobs() == 0  # a preview is the office's to confirm, however long it takes
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.ANALYSING, heartbeat_at=None)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=11))
    assert tasks.check_stuck_imports.call_local() == 1
    assert ImportJob.objects.get(pk=job.pk).state == ImportJob.State.FAILED


def test_the_office_retries_a_failed_import_from_the_page(org, campaign, people, login):
    client = login(people["olivia"])
    job = _job_in_preview(client, campaign)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.FAILED, message="worker died", heartbeat_at=timezone.now()
    )
    retry = reverse("sheets:import_retry", args=[campaign.slug, job.pk])
    assert client.post(retry).status_code == 302
    job.refresh_from_db()
    assert job.state == ImportJob.State.PREVIEW and job.message == "" and job.result["created"] == 4
    again = client.post(retry, follow=True)  # nothing to retry any more
    assert _("Only a failed import can be retried.") in [str(m) for m in again.context["messages"]]
    client.post(reverse("sheets:import_confirm", args=[campaign.slug, job.pk]))
    assert ImportJob.objects.get(pk=job.pk).state == ImportJob.State.DONE
    assert Item.objects.filter(campaign=campaign).count() == 4
    assert login(people["lily"]).post(retry).status_code in (403, 404)


def test_a_late_write_of_a_job_already_marked_failed_is_rolled_back(org, campaign, people, login):
    client = login(people["olivia"])
    job = _job_in_preview(client, campaign)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.FAILED, message="taken for dead")
    tasks.write_job(job.pk)
    assert not Item.objects.exists()
    assert ImportJob.objects.get(pk=job.pk).state == ImportJob.State.FAILED


def _csv_with_nul() -> bytes:
    rows = ["编号,实事名称,牵头单位,完成时限"] + [f"A-{n},实事{n},集团办公室,6月底前" for n in range(300)]
    rows.append("A-999,坏\x00数据,集团办公室,6月底前")  # past the first 4 KB the reader sniffs
    return "\n".join(rows).encode()


def test_a_csv_with_a_nul_byte_is_refused_at_upload_with_a_clear_message(org, campaign, people, login):
    response = upload(login(people["olivia"]), campaign, _csv_with_nul(), name="台账.csv")
    assert response.status_code == 400
    assert "空字符" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_job_whose_file_holds_a_nul_fails_instead_of_staying_analysing(org, campaign, people):
    job = ImportJob.objects.create(
        campaign=campaign,
        file=SimpleUploadedFile("台账.csv", _csv_with_nul()),
        filename="台账.csv",
        state=ImportJob.State.ANALYSING,
        mapping={"0": "code", "1": "title", "2": "owner_unit"},
        created_by=people["olivia"],
    )
    tasks.analyse_job(job.pk)
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED and "空字符" in job.message
