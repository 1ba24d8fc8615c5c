"""Forms built from an instrument version: one question per item, in its sections."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kawal.assessments.models import Item, value_key
from kawal.assessments.services import TEXT_MAX

PREFIX = "q_"
# A row's edit counter; anything larger is a garbled form, not a stale one.
VERSION_MAX = 2**31 - 1


def field_name(code: str) -> str:
    return f"{PREFIX}{code}"


class AnswersForm(forms.Form):
    """Every item of the instrument, none required while the assessment is a draft.

    Required items are checked when signing; a draft may be saved half done.
    """

    expected_version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX
    )

    def __init__(self, *args: Any, items: list[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for number, item in enumerate(items, 1):
            field: Any
            if item.scale is not None:
                field = forms.ChoiceField(
                    label=item.text,
                    choices=[
                        (value_key(option.value), option.label)
                        for option in item.scale.options.all()
                    ],
                    widget=forms.RadioSelect,
                    required=False,
                )
            else:
                field = forms.CharField(
                    label=item.text,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    required=False,
                    max_length=TEXT_MAX,
                )
            # The template numbers questions and marks the required ones.
            field.number = number
            field.item = item
            self.fields[field_name(item.code)] = field

    def answers(self) -> dict[str, Any]:
        return {item.code: self.cleaned_data.get(field_name(item.code)) for item in self.items}

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The questions grouped by section, in order, for the template."""
        grouped: list[tuple[Any, list[forms.BoundField]]] = []
        for item in self.items:
            bound = self[field_name(item.code)]
            if not grouped or grouped[-1][0].pk != item.section_id:
                grouped.append((item.section, []))
            grouped[-1][1].append(bound)
        return grouped


def initial_answers(answers: dict[str, Any], version: int) -> dict[str, Any]:
    initial = {field_name(code): value for code, value in answers.items()}
    initial["expected_version"] = version
    return initial


class SignForm(forms.Form):
    expected_version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX
    )
    confirm = forms.BooleanField(
        label=_("I assessed this child myself and these answers are complete and correct."),
        error_messages={"required": _("Confirm the answers to sign.")},
    )


class StartForm(forms.Form):
    instrument = forms.SlugField(max_length=40)
