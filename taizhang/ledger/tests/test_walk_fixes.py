"""What the walk through every role found on the ledger's pages (issue 11), each kept from coming back."""

import re

from django.urls import reverse
from django.utils import translation


def test_the_item_form_names_its_empty_choices_and_draws_the_model_box_as_a_checkbox(campaign, people, login):
    """The new-item form showed "---------" in 类别, 阶段 and 重点任务, and 特色样板 as a wide empty text box."""
    with translation.override("zh-hans"):
        html = login(people["olivia"]).get(reverse("ledger:item_create", args=[campaign.slug])).content.decode()
    assert "---------" not in html
    assert "请选择" in html
    checkbox = re.search(r'<input type="checkbox" name="is_model"[^>]*>', html)
    assert checkbox and "form-check-input" in checkbox.group(0) and "form-control" not in checkbox.group(0)
    reason = re.search(r'<textarea name="model_reason"[^>]*>', html)
    assert reason and 'rows="2"' in reason.group(0)
