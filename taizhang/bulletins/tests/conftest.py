import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from taizhang.bulletins import actions


def png_bytes(width: int = 40, height: int = 30, colour=(200, 30, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def png_upload(name: str = "photo.png", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(**kwargs), content_type="image/png")


@pytest.fixture
def make_case(campaign, org, people):
    """A case of the office department, written by its liaison lily, taken as far as ``status``."""

    def _make(title="食堂延时服务暖人心", *, unit=None, status="draft", body="<p>职工食堂延长供餐时间。</p>", **extra):
        author = people["lily"] if unit is None else people["olivia"]
        practice = actions.create_practice(
            campaign,
            data={
                "title": title,
                "unit": unit or org["office_dept"],
                "summary": extra.pop("summary", ""),
                "body": body,
                **extra,
            },
            acting_user=author,
        )
        if status == "draft":
            return practice
        practice = actions.submit_practice(practice, acting_user=author)
        if status == "submitted":
            return practice
        practice = actions.accept_practice(practice, acting_user=people["olivia"])
        if status == "accepted":
            return practice
        return actions.publish_practice(practice, acting_user=people["olivia"])

    return _make


@pytest.fixture
def make_issue(campaign, people, make_case):
    """An issue with one accepted case and the completion figures, taken as far as ``status``."""

    def _make(status="draft", cases=None, figure_kinds=("completion",)):
        bulletin = actions.create_bulletin(
            campaign,
            data={"editor": "王编辑", "proofreaders": ["李校对", "赵校对"], "figure_kinds": list(figure_kinds)},
            acting_user=people["olivia"],
        )
        cases = [make_case(status="accepted")] if cases is None else cases
        actions.set_cases(bulletin, practice_ids=[c.pk for c in cases], acting_user=people["olivia"])
        if status == "draft":
            return bulletin
        bulletin = actions.sign_off(bulletin, acting_user=people["olivia"])
        if status == "signed":
            return bulletin
        return actions.publish_bulletin(bulletin, acting_user=people["olivia"])

    return _make
