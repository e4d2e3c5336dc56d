"""Forms of the quiz's phone pages; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class JoinForm(forms.Form):
    mobile = forms.CharField(label=_("mobile number"), max_length=20)
    code = forms.CharField(
        label=_("code"), max_length=6, required=False, help_text=_("The code sent to your mobile.")
    )
    union = forms.TypedChoiceField(label=_("union"), coerce=int, help_text=_("The union you play for."))

    def __init__(self, *args, unions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unions = {u.pk: u for u in unions}
        self.fields["union"].choices = [(u.pk, u.name) for u in unions]
        self.fields["mobile"].widget.attrs.update(inputmode="tel", autocomplete="tel")
        self.fields["code"].widget.attrs.update(inputmode="numeric", autocomplete="one-time-code")


class UnionForm(forms.Form):
    union = forms.TypedChoiceField(
        label=_("union"), coerce=int, help_text=_("The union you play for from next month.")
    )

    def __init__(self, *args, unions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unions = {u.pk: u for u in unions}
        self.fields["union"].choices = [(u.pk, u.name) for u in unions]


class AttemptForm(forms.Form):
    """One field per drawn question (``q<question id>``): radios or checkboxes of the shown options."""

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            choices = [(o.index, f"{o.letter}. {o.text}") for o in q.options]
            label = f"{q.position}. {q.text}"
            if q.kind == "multiple":
                field = forms.TypedMultipleChoiceField(
                    label=label,
                    choices=choices,
                    coerce=int,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
            else:
                field = forms.TypedChoiceField(
                    label=label,
                    choices=choices,
                    coerce=int,
                    required=False,
                    widget=forms.RadioSelect,
                    empty_value=None,
                )
            field.help_text = q.kind_label
            self.fields[f"q{q.question_id}"] = field

    def answers(self) -> dict[int, list[int]]:
        answers = {}
        for q in self.questions:
            value = self.cleaned_data.get(f"q{q.question_id}")
            if value is None or value == []:
                continue
            answers[q.question_id] = value if isinstance(value, list) else [value]
        return answers
