from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from taizhang.lib.forms import StyledForm

from .models import Unit
from .queries import use_unit_picker


class UnitForm(forms.ModelForm):
    parent = forms.ModelChoiceField(label=_("parent unit"), queryset=Unit.objects.none(), required=False)
    aliases = forms.CharField(
        label=_("aliases"),
        required=False,
        max_length=1000,
        help_text=_("Other ways people write the name, separated by 、 or ;"),
    )

    class Meta:
        model = Unit
        fields = ["name", "short_name", "aliases", "kind", "parent", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Unit.objects.filter(is_active=True)
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.path)
            self.initial["aliases"] = "、".join(self.instance.aliases)
        use_unit_picker(self.fields["parent"], parents)
        for field in self.fields.values():
            widget = field.widget
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")

    def clean_aliases(self):
        from .actions import clean_aliases

        return clean_aliases(self.cleaned_data.get("aliases", ""))

    def unit_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class DeactivateForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.TextInput(attrs={"class": "form-control"}))


class FirstPasswordForm(StyledForm, SetPasswordForm):
    """A person's own first password, typed twice, checked by the password rules (set by the action)."""

    def save(self, commit=True):  # the action sets it, once the link is claimed
        raise NotImplementedError("use accounts.use_sign_in_link")
