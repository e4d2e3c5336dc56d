"""The form a staff member asks for a report with (the admin's add page)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from union_portal.organisations.models import Organisation

from .areas import areas_readable_by
from .models import PeriodKind, period_of


class ReportRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("Your own organisation or one below it; the report covers everything below it too."),
    )
    period_kind = forms.ChoiceField(
        label=_("kind of period"),
        choices=PeriodKind.choices,
        initial=PeriodKind.MONTH,
        widget=forms.RadioSelect,
    )
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(
        label=_("month"), coerce=int, required=False, choices=[(m, m) for m in range(1, 13)]
    )
    quarter = forms.TypedChoiceField(
        label=_("quarter"), coerce=int, required=False, choices=[(q, q) for q in range(1, 5)]
    )
    start = forms.DateField(label=_("from"), required=False, help_text=_("Custom dates only."))
    end = forms.DateField(label=_("to"), required=False, help_text=_("Custom dates only."))
    areas = forms.MultipleChoiceField(label=_("areas"), widget=forms.CheckboxSelectMultiple)

    #: the service's field names → this form's
    service_field_names = {"period_kind": "period_kind", "end": "end", "areas": "areas"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.visible_to(user).order_by("path")
        self.fields["organisation"].initial = user.organisation_id
        self.fields["areas"].choices = areas_readable_by(user)
        self.fields["areas"].initial = [area for area, _title in self.fields["areas"].choices]
        today = timezone.localdate()
        last_month = today.replace(day=1) - timezone.timedelta(days=1)
        self.fields["year"].initial = last_month.year
        self.fields["month"].initial = last_month.month
        self.fields["quarter"].initial = (last_month.month - 1) // 3 + 1

    def clean(self):
        cleaned = super().clean()
        kind, year = cleaned.get("period_kind"), cleaned.get("year")
        if kind is None:
            return cleaned
        if kind == PeriodKind.CUSTOM:
            start, end = cleaned.get("start"), cleaned.get("end")
            if not start or not end:
                self.add_error("start" if not start else "end", _("Custom dates need a start and an end."))
                return cleaned
            if end < start:
                self.add_error("end", _("A period cannot end before it starts."))
                return cleaned
            cleaned["period"] = period_of(kind, year=start.year, start=start, end=end)
            return cleaned
        if year is None:
            return cleaned
        number = {PeriodKind.MONTH: cleaned.get("month"), PeriodKind.QUARTER: cleaned.get("quarter")}.get(
            kind, 1
        )
        if not number:
            self.add_error("month" if kind == PeriodKind.MONTH else "quarter", _("Choose one."))
            return cleaned
        cleaned["period"] = period_of(kind, year=year, number=number)
        return cleaned
