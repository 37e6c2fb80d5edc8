from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.ledger.models import ProgressEntry
from taizhang.lib.forms import StyledForm as BaseStyledForm
from taizhang.lib.forms import name_empty_choices
from taizhang.orgs.models import Unit
from taizhang.orgs.queries import use_unit_picker

from .models import ReportingPeriod, UnitReport


class StyledForm(BaseStyledForm):
    """The compact sizes of the report page's inline forms."""

    small_widgets = True


class SummaryForm(StyledForm, forms.ModelForm):
    """The monthly summary: the seed's four headings."""

    class Meta:
        model = UnitReport
        fields = UnitReport.SUMMARY_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in UnitReport.SUMMARY_FIELDS}


class ItemProgressForm(StyledForm, forms.ModelForm):
    """Progress on one item, recorded from the report page (through ledger.actions.add_progress)."""

    class Meta:
        model = ProgressEntry
        fields = ("percent", "done", "difficulties", "next_steps")
        widgets = {
            "percent": forms.NumberInput(attrs={"min": 0, "max": 100}),
            "done": forms.Textarea(attrs={"rows": 2}),
            "difficulties": forms.Textarea(attrs={"rows": 1}),
            "next_steps": forms.Textarea(attrs={"rows": 1}),
        }


class ReasonForm(StyledForm, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class BoardFilterForm(StyledForm, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportingPeriod.Kind.choices, required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    unit = forms.ModelChoiceField(label=_("Unit (with sub-units)"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_unit_picker(self.fields["unit"], Unit.objects.all())
        name_empty_choices(self, filters=True)


class ExpectedUnitForm(StyledForm, forms.Form):
    """The office asks one more unit to report."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_unit_picker(self.fields["unit"], Unit.objects.active())
