from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.lib.forms import StyledForm

from .models import RESOURCES, ApiToken


class PersonalTokenForm(StyledForm, forms.Form):
    name = forms.CharField(label=_("name"), max_length=100, help_text=_("The program that will use it."))
    scope = forms.ChoiceField(label=_("scope"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    expires_on = forms.DateField(
        label=_("expires on"), widget=forms.DateInput(attrs={"type": "date"}), help_text=_("At most a year from today.")
    )


class IntegrationTokenForm(PersonalTokenForm):
    resources = forms.MultipleChoiceField(
        label=_("resources"), choices=RESOURCES, widget=forms.CheckboxSelectMultiple, initial=["items", "progress"]
    )
    rate_limit = forms.IntegerField(label=_("requests per minute"), min_value=1, max_value=6000, initial=120)
