"""Survey exports (xlsx, csv) become problems: every row checked, then all or nothing."""

import datetime
import io

import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from taizhang.people.models import Channel, Demand


def xlsx(rows) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("问卷")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_format)
            else:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def upload(client, campaign, name, content, channel=Channel.SURVEY):
    return client.post(
        reverse("people:demand_upload", args=[campaign.slug]),
        {"file": SimpleUploadedFile(name, content), "channel": channel},
    )


HEADER = ["诉求内容", "类别", "涉及单位", "姓名", "联系电话", "日期", "地点"]


def test_an_xlsx_survey_becomes_problems(login, people, campaign, org):
    content = xlsx(
        [
            HEADER,
            ["食堂晚餐太早结束", "关爱员工", "人力", "张三", "13900000001", datetime.date(2026, 5, 6), "食堂"],
            ["醫院停車位不足", "服务基层", "八一骨科医院", "", "", "", ""],
        ]
    )
    response = upload(login(people["olivia"]), campaign, "survey.xlsx", content)
    assert response.status_code == 302
    first, second = Demand.objects.order_by("id")
    assert first.channel == Channel.SURVEY and first.unit == org["hr"] and first.phone == "13900000001"
    assert first.collected_on == datetime.date(2026, 5, 6) and first.category.name == "关爱员工"
    assert second.unit == org["hospital"] and second.name == ""


def test_a_gbk_csv_from_a_hearing_is_read(login, people, campaign):
    content = "问题,类别\n宿舍热水不稳定,关爱员工\n".encode("gbk")
    response = upload(login(people["olivia"]), campaign, "hearing.csv", content, channel=Channel.HEARING)
    assert response.status_code == 302
    assert Demand.objects.get().channel == Channel.HEARING


def test_one_bad_row_refuses_the_whole_file_with_every_reason(login, people, campaign):
    content = xlsx(
        [
            HEADER,
            ["食堂晚餐太早结束", "关爱员工", "", "", "", "", ""],
            ["", "关爱员工", "", "", "", "", ""],
            ["停车难", "不存在的类别", "火星分公司", "", "", "不是日期", ""],
        ]
    )
    response = upload(login(people["olivia"]), campaign, "survey.xlsx", content)
    assert response.status_code == 400
    errors = response.context["errors"]
    assert len(errors) == 4
    assert (
        any("3" in e for e in errors)
        and any("不存在的类别" in e for e in errors)
        and any("火星分公司" in e for e in errors)
    )
    assert not Demand.objects.exists()


def test_files_that_are_not_surveys_are_refused(login, people, campaign):
    client = login(people["olivia"])
    assert upload(client, campaign, "x.xlsx", b"PK\x03\x04broken").status_code == 400
    assert upload(client, campaign, "x.csv", "姓名,电话\n张三,1\n".encode()).status_code == 400
    assert upload(client, campaign, "x.csv", b"").status_code == 400
    assert not Demand.objects.exists()


def test_only_the_office_uploads(login, people, campaign):
    client = login(people["leo"])
    assert upload(client, campaign, "x.csv", "问题\n宿舍热水不稳定\n".encode()).status_code == 403
