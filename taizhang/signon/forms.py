from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.forms import _picker_urls
from taizhang.lib.forms import StyledForm
from taizhang.lib.widgets import PickerField
from taizhang.orgs.models import Role, Unit


class GroupRuleForm(StyledForm, forms.Form):
    group = forms.CharField(
        label=_("directory group"),
        max_length=400,
        help_text=_("The group's name (cn) or its full DN, or an OIDC group."),
    )
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)
    unit = PickerField(
        Unit.objects.filter(is_active=True),
        label=_("unit"),
        required=False,
        help_text=_("For a liaison: the unit they speak for; empty, the unit their directory entry names."),
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        _picker_urls(self, campaign.slug)

    def clean_group(self):
        return " ".join(self.cleaned_data["group"].split())


class CodeForm(StyledForm, forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError(_("The code is six digits."))
        return token
