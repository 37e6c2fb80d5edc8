from django import forms
from django.utils.translation import gettext_lazy as _

from .ledger_import import FIELD_LABELS


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (xlsx or csv)"))


def field_choices():
    return [("", _("(ignore this column)"))] + [(name, label) for name, label in FIELD_LABELS.items()]


class MappingForm(forms.Form):
    """One choice per column of the header; names the preset to save, if any."""

    save_preset = forms.CharField(label=_("Save this mapping as a preset named"), max_length=100, required=False)
    generate_codes = forms.BooleanField(
        label=_("Generate codes for new items that have none (a prefix per responsible unit: HQ-001 …)"),
        help_text=_("Off: a sheet without a code column (编号) cannot be written until its codes are chosen."),
        required=False,
    )

    def __init__(self, *args, headers: dict[int, str], initial_columns: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        for col, header in sorted(headers.items()):
            self.fields[f"col_{col}"] = forms.ChoiceField(
                label=header, choices=field_choices(), required=False, initial=initial_columns.get(col, "")
            )

    def column_fields(self):
        return [self[f"col_{col}"] for col in sorted(self.headers)]

    def clean(self):
        data = super().clean()
        seen = {}
        for col in sorted(self.headers):
            name = data.get(f"col_{col}")
            if not name:
                continue
            if name in seen:
                self.add_error(
                    f"col_{col}",
                    _("“%(field)s” is already the column “%(other)s”.")
                    % {"field": FIELD_LABELS[name], "other": self.headers[seen[name]]},
                )
            seen[name] = col
        if "title" not in seen:
            raise forms.ValidationError(_("Choose the column that holds the item titles."))
        if "owner_unit" not in seen:
            raise forms.ValidationError(_("Choose the column that holds the responsible units."))
        return data

    def mapping(self) -> dict[str, str]:
        return {
            str(col): self.cleaned_data[f"col_{col}"]
            for col in sorted(self.headers)
            if self.cleaned_data.get(f"col_{col}")
        }
