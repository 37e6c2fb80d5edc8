import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NoticeForm(forms.Form):
    required_by = forms.DateField(label=_("Response required by"), widget=forms.DateInput(attrs={"type": "date"}))
    contact = forms.CharField(label=_("Contact (name and phone)"), max_length=100)
    requirements = forms.CharField(label=_("Requirements"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_by"].initial = timezone.localdate() + datetime.timedelta(days=7)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class ResponseForm(forms.Form):
    response = forms.CharField(
        label=_("Response"), widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}), max_length=4000
    )
