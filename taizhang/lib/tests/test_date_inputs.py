"""Every date and datetime input of every form renders an ISO value (issue 11).

An ``<input type=date>`` takes only 2026-06-17 and a ``datetime-local`` only 2026-06-17T10:30 (or with a
space); the zh-Hans display format (2026/06/17) leaves it empty, so a form opened with a date (the
acceptance form's today) came up blank. lib/formats puts ISO first for every form at once; this test
walks every form class of every app so a new one cannot bring the bug back.
"""

import datetime
import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms
from django.utils import timezone, translation

import taizhang

DAY = datetime.date(2026, 11, 23)
MOMENT = datetime.datetime(2026, 11, 23, 9, 30, tzinfo=timezone.get_current_timezone())
ISO_DAY = "2026-11-23"
ISO_MOMENT = re.compile(r"^2026-11-23[T ]09:30(:00)?$")


def _form_classes() -> list[type]:
    found = {}
    for module_info in pkgutil.walk_packages(taizhang.__path__, "taizhang."):
        name = module_info.name
        if ".tests" in name or ".migrations" in name or name.endswith(("settings", "wsgi", "asgi", "__main__")):
            continue
        if not (name.endswith(".forms") or name.endswith(".views") or name.endswith(".widgets")):
            continue
        module = importlib.import_module(name)
        for _attr, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__.startswith("taizhang."):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[key] for key in sorted(found)]


def _rendered_value(field, name: str, value) -> str | None:
    html = field.widget.render(name, value)
    match = re.search(r'value="([^"]*)"', html)
    return match.group(1) if match else None


FORMS = _form_classes()


def test_the_walk_finds_the_forms_with_dates():
    names = {cls.__name__ for cls in FORMS}
    assert {"AcceptanceForm", "ItemForm", "ItemFilterForm", "MilestoneForm"} <= names


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_date_input_renders_an_iso_value(form_class, language):
    dated = {
        name: field
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.DateField | forms.DateTimeField)
        and isinstance(field.widget, forms.DateInput | forms.DateTimeInput)
    }
    if not dated:
        pytest.skip("no date fields")
    with translation.override(language):
        for name, field in dated.items():
            if isinstance(field, forms.DateTimeField):
                assert ISO_MOMENT.match(_rendered_value(field, name, MOMENT) or ""), (form_class, name)
            else:
                assert _rendered_value(field, name, DAY) == ISO_DAY, (form_class, name)


def test_the_acceptance_form_opens_with_todays_date_in_its_date_input():
    from taizhang.acceptance.forms import AcceptanceForm

    with translation.override("zh-hans"):
        html = str(AcceptanceForm(initial={"checked_on": DAY})["checked_on"])
    assert 'type="date"' in html and f'value="{ISO_DAY}"' in html


def test_a_date_typed_the_chinese_way_is_still_read():
    from taizhang.acceptance.forms import AcceptanceForm

    with translation.override("zh-hans"):
        for written in ("2026-11-23", "2026/11/23"):
            assert AcceptanceForm().fields["checked_on"].clean(written) == DAY, written
