from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Campaign, threshold_order_errors


class CampaignRulesForm(forms.ModelForm):
    """The campaign's rules; ``fingerprint`` guards against overwriting someone else's change."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Campaign
        # Every rule the office edits is one the history keeps: one list serves both.
        fields = list(Campaign.RULE_FIELDS)

    def __init__(self, *args, read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fingerprint"].initial = self.instance.rules_fingerprint()
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)
            field.disabled = read_only

    def clean(self):
        data = super().clean()
        for name, message in threshold_order_errors(data).items():
            if name not in self.errors:
                self.add_error(name, message)
        return data

    def rules_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in Campaign.RULE_FIELDS}

    def fieldsets(self) -> list[tuple[str, str, list]]:
        """The fields in three groups (title, help line, bound fields), in the page's order."""
        groups = [
            (
                _("Reporting rhythm"),
                _("When weekly and monthly reports are due (Beijing time). Periods not yet due follow a change."),
                Campaign.RHYTHM_FIELDS,
            ),
            (
                _("Warning lights"),
                _(
                    "When an item lights blue, yellow or red. Zero switches off a light for missed reports. Every item is relit after a change."
                ),
                Campaign.LIGHT_FIELDS,
            ),
            (
                _("Closing"),
                _("What an item from the public's demands needs before it can be closed."),
                Campaign.CLOSING_FIELDS,
            ),
        ]
        return [(title, help_line, [self[name] for name in names]) for title, help_line, names in groups]
