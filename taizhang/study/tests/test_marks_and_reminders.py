"""特色样板 marks, attendance from a sheet, and reminders before an activity and when its record is missing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from taizhang.history.recording import history_for
from taizhang.lib.xlsx import write_table
from taizhang.notices.models import Message
from taizhang.study import actions
from taizhang.study.models import Activity, Attendance
from taizhang.study.reminders import send_activity_reminders

from .test_study import _activity, access, roster  # noqa: F401  (fixtures shared with the study tests)


def test_the_office_marks_a_held_activity_a_model_with_its_reason(campaign, org, access, people, roster):  # noqa: F811
    activity = _activity(campaign, org, access, people)
    with pytest.raises(ValidationError):  # planned, not held yet
        actions.mark_model(
            activity, is_model=True, reason="形式新颖", access=access["olivia"], acting_user=people["olivia"]
        )
    actions.record_attendance(
        activity, marks={roster["张三"].pk: ("present", "")}, access=access["lily"], acting_user=people["lily"]
    )
    with pytest.raises(PermissionDenied):
        actions.mark_model(activity, is_model=True, reason="x", access=access["lily"], acting_user=people["lily"])
    with pytest.raises(ValidationError):
        actions.mark_model(activity, is_model=True, reason=" ", access=access["olivia"], acting_user=people["olivia"])
    marked = actions.mark_model(
        activity, is_model=True, reason="形式新颖，效果好", access=access["olivia"], acting_user=people["olivia"]
    )
    assert marked.is_model and marked.model_reason == "形式新颖，效果好"
    assert any(c["field"] == "is_model" for h in history_for(marked) for c in h.changes)


def _sheet(rows) -> SimpleUploadedFile:
    content = write_table(
        sheet_name="签到", title="签到表", headers=["姓名", "手机", "出席情况", "请假原因"], widths=[10] * 4, rows=rows
    )
    return SimpleUploadedFile("attendance.xlsx", content)


def test_attendance_from_a_sheet_all_or_nothing(campaign, org, access, people, roster, login):  # noqa: F811
    activity = _activity(campaign, org, access, people)
    client = login(people["lily"])
    url = f"/c/{campaign.slug}/study/activities/{activity.pk}/attendance/upload/"
    bad = client.post(url, {"file": _sheet([["张三", "13800000001", "出席", ""], ["王五", "13800000003", "出席", ""]])})
    assert bad.status_code == 400 and "王五" in bad.content.decode()  # 人力资源部: not this activity's units
    assert not Attendance.objects.exists()
    good = client.post(
        url, {"file": _sheet([["张三", "13800000001", "出席", ""], ["李四", "13800000002", "请假", "出差"]])}
    )
    assert good.status_code == 302
    assert dict(Attendance.objects.values_list("member__name", "status")) == {"张三": "present", "李四": "leave"}
    assert Activity.objects.get(pk=activity.pk).state == Activity.State.HELD
    assert login(people["bob"]).get(url).status_code == 403


def test_reminders_before_an_activity_and_for_a_missing_record_come_once(campaign, org, access, people):  # noqa: F811
    now = timezone.now()
    soon = _activity(campaign, org, access, people, starts=now + datetime.timedelta(hours=5), title="明天的党课")
    past = _activity(campaign, org, access, people, starts=now - datetime.timedelta(days=2), title="上周的主题党日")
    _activity(campaign, org, access, people, starts=now + datetime.timedelta(days=5), title="下周的读书班")
    assert send_activity_reminders(campaign, now=now) == 2
    assert send_activity_reminders(campaign, now=now) == 0  # exactly once
    subjects = sorted(Message.objects.filter(recipient=people["lily"]).values_list("subject", flat=True))
    assert len(subjects) == 2 and any(soon.title in s for s in subjects) and any(past.title in s for s in subjects)
