"""Forms of the parent programme and community sessions, made for a phone."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kawal.accounts.models import Agency, User
from kawal.cases.forms import kelurahan_field
from kawal.core.forms import IdChoiceField, IdMultipleChoiceField
from kawal.families.models import (
    ATTENDANCE_FIELDS,
    CommunitySession,
    ProgrammeParent,
    RtConfirmation,
    SessionFormat,
    SessionKind,
    SessionStatus,
    SupportKind,
    SupportOutcome,
    UndertakingState,
)
from kawal.families.selectors import staff_label
from kawal.families.services import SUPPORT_AGENCY_KINDS
from kawal.people.models import Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _date(label: Any, *, required: bool = True, today: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE,
        input_formats=["%Y-%m-%d"],
        initial=timezone.localdate if today else None,
    )


class LabelledChoiceField(IdChoiceField):
    """A choice of rows shown with labels the selector already built (names, relations)."""

    def __init__(self, *args: Any, labels: dict[int, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.labels = labels or {}

    def label_from_instance(self, obj: Any) -> str:
        return self.labels.get(obj.pk, str(obj))


class LabelledMultipleChoiceField(IdMultipleChoiceField):
    def __init__(self, *args: Any, labels: dict[int, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.labels = labels or {}

    def label_from_instance(self, obj: Any) -> str:
        return self.labels.get(obj.pk, str(obj))


def _agency_label(user: User) -> str:
    return f"{user} ({user.agency})" if user.agency_id else str(user)


def _users(
    queryset_ids: Iterable[User], label: Callable[[User], str] = staff_label
) -> tuple[Any, dict[int, str]]:
    """Users to choose from. In the parent programme they are named by role title, never
    by office: an office could tell where the child is or that the police are involved."""
    users = list(queryset_ids)
    return (
        User.objects.filter(pk__in=[user.pk for user in users]).select_related("agency"),
        {user.pk: label(user) for user in users},
    )


# Static guidance on every free-text field of the programme. The text is not compared
# with the child's places: any such check answers "is this the child's school?" to
# whoever types a guess (see docs/families.md).
NO_WHEREABOUTS = _("Do not write where the child lives or stays now, or which school they go to.")


def _guidance(*parts: Any) -> Any:
    return format_lazy("{} " * len(parts) + "{}", *parts, NO_WHEREABOUTS)


class VersionedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


# --- The programme -------------------------------------------------------------------


class ProgrammeForm(forms.Form):
    facilitator = LabelledChoiceField(
        label=_("Facilitator for the parents"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "The psychologist or social worker who works with the parents; it may be "
            "someone else than the child's psychologist. They must be on the case team."
        ),
    )
    started_on = _date(_("Started on"))
    planned_sessions = forms.IntegerField(label=_("Sessions planned"), min_value=1, max_value=60)
    goals = forms.CharField(
        label=_("Goals of the programme"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_guidance(_("About the parents and their home.")),
    )
    parents = LabelledMultipleChoiceField(
        label=_("Parents or carers taking part"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        facilitators: Iterable[User] = (),
        relatives: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["facilitator"]
        field.queryset, field.labels = _users(facilitators)  # type: ignore[attr-defined]
        if relatives is None:
            # The viewer may not read the family's names: parents are added by someone who may.
            del self.fields["parents"]
        else:
            relatives = list(relatives)
            parents = self.fields["parents"]
            parents.queryset = Person.objects.filter(  # type: ignore[attr-defined]
                pk__in=[link.relative_id for link in relatives]
            )
            parents.labels = {  # type: ignore[attr-defined]
                link.relative_id: f"{link.relative.full_name} ({link.get_relation_display()})"
                for link in relatives
            }


class ProgrammeEditForm(VersionedForm):
    facilitator = ProgrammeForm.base_fields["facilitator"]
    planned_sessions = ProgrammeForm.base_fields["planned_sessions"]
    goals = ProgrammeForm.base_fields["goals"]

    def __init__(self, *args: Any, facilitators: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["facilitator"]
        field.queryset, field.labels = _users(facilitators)  # type: ignore[attr-defined]


class ProgrammeCloseForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why the programme ends"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=NO_WHEREABOUTS,
    )


class ParentAddForm(forms.Form):
    person = LabelledChoiceField(label=_("Parent or carer"), queryset=Person.objects.none())

    def __init__(self, *args: Any, relatives: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        relatives = list(relatives)
        field = self.fields["person"]
        field.queryset = Person.objects.filter(  # type: ignore[attr-defined]
            pk__in=[link.relative_id for link in relatives]
        )
        field.labels = {  # type: ignore[attr-defined]
            link.relative_id: f"{link.relative.full_name} ({link.get_relation_display()})"
            for link in relatives
        }


def _parents_field(parents: Iterable[tuple[ProgrammeParent, str]], label: Any) -> Any:
    parents = list(parents)
    field = LabelledMultipleChoiceField(
        label=label,
        queryset=ProgrammeParent.objects.filter(pk__in=[parent.pk for parent, _l in parents]),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    field.labels = {parent.pk: text for parent, text in parents}
    return field


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices)
    format = forms.ChoiceField(label=_("Format"), choices=SessionFormat.choices)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=SessionStatus.choices,
        initial=SessionStatus.HELD,
        help_text=_("Plan a session ahead, then mark it held with who came."),
    )
    held_on = _date(_("Date"))
    facilitator = LabelledChoiceField(
        label=_("Facilitator"), queryset=User.objects.none(), required=False
    )
    topic = forms.CharField(label=_("Topic"), max_length=200, help_text=NO_WHEREABOUTS)
    summary = forms.CharField(
        label=_("What was covered"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NO_WHEREABOUTS,
    )
    clinical_note = forms.CharField(
        label=_("Clinical note (clinicians only)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NO_WHEREABOUTS,
    )
    attended = forms.Field(required=False)

    def __init__(
        self,
        *args: Any,
        parents: Iterable[tuple[ProgrammeParent, str]] = (),
        facilitators: Iterable[User] | None = None,
        clinical: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attended"] = _parents_field(parents, _("Who came (when held)"))
        if facilitators is None:
            del self.fields["facilitator"]
        else:
            field = self.fields["facilitator"]
            field.queryset, field.labels = _users(facilitators)  # type: ignore[attr-defined]
        if not clinical:
            del self.fields["clinical_note"]


class SessionEditForm(VersionedForm):
    status = SessionForm.base_fields["status"]
    held_on = _date(_("Date"), today=False)
    topic = SessionForm.base_fields["topic"]
    summary = SessionForm.base_fields["summary"]
    clinical_note = SessionForm.base_fields["clinical_note"]
    attended = forms.Field(required=False)

    def __init__(
        self,
        *args: Any,
        parents: Iterable[tuple[ProgrammeParent, str]] = (),
        clinical: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attended"] = _parents_field(parents, _("Who came (when held)"))
        if not clinical:
            del self.fields["clinical_note"]


class VisitForm(forms.Form):
    visited_on = _date(_("Date of the visit"))
    visitors = LabelledMultipleChoiceField(
        label=_("Who went"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_visitors = forms.CharField(
        label=_("Others who went"),
        required=False,
        max_length=200,
        help_text=_guidance(_("e.g. the Bhabinkamtibmas or a Puskesmas nurse.")),
    )
    findings = forms.CharField(
        label=_("What was found"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_guidance(_("The home and the parents.")),
    )
    found_safe = forms.TypedChoiceField(
        label=_("Was the home found safe for the child?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    confirming_agency = IdChoiceField(
        label=_("Ask the RT head to confirm the visit"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("Do not ask"),
        help_text=_(
            "The RT head sees only a parent's name, the date and which offices went, "
            "and confirms from their phone."
        ),
    )

    def __init__(
        self, *args: Any, visitors: Iterable[User] = (), agencies: Any = None, **kwargs: Any
    ) -> None:
        """``agencies`` None: the viewer may not read the family's identity, and which
        RT the family lives in is part of it, so the question is not asked."""
        super().__init__(*args, **kwargs)
        field = self.fields["visitors"]
        field.queryset, field.labels = _users(visitors)  # type: ignore[attr-defined]
        if agencies is None:
            del self.fields["confirming_agency"]
            return
        self.fields["confirming_agency"].queryset = agencies  # type: ignore[attr-defined]
        if len(agencies) == 1:
            self.initial.setdefault("confirming_agency", agencies[0].pk)


class RtConfirmForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            (
                RtConfirmation.CONFIRMED,
                _("Yes, the visit took place and the family lives in my RT"),
            ),
            (
                RtConfirmation.CONCERNS,
                _("Yes, the visit took place, and I have concerns about the home"),
            ),
            (RtConfirmation.NOT_CONFIRMED, _("No, I cannot confirm this visit")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_guidance(_("Needed when you have concerns or cannot confirm.")),
    )


class UndertakingForm(forms.Form):
    text = forms.CharField(
        label=_("What the parents undertake"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=NO_WHEREABOUTS,
    )
    signed_on = _date(_("Signed on"))
    signed_by = forms.Field(required=False)
    scan = forms.FileField(
        label=_("Photo or scan of the signed paper"),
        help_text=_("JPEG, PNG or PDF. Location data is removed from photos."),
    )

    def __init__(
        self, *args: Any, parents: Iterable[tuple[ProgrammeParent, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = _parents_field(parents, _("Signed by"))
        field.required = True
        self.fields["signed_by"] = field


class UndertakingStateForm(VersionedForm):
    state = forms.ChoiceField(
        label=_("The undertaking was"),
        choices=[(UndertakingState.KEPT, _("Kept")), (UndertakingState.BROKEN, _("Broken"))],
        widget=forms.RadioSelect,
    )
    on = _date(_("On"))
    note = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=NO_WHEREABOUTS,
    )


class SupportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of support"), choices=SupportKind.choices)
    to_agency = IdChoiceField(
        label=_("Referred to"), queryset=Agency.objects.none(), required=False
    )
    to_other = forms.CharField(
        label=_("Or another office or programme"),
        required=False,
        max_length=200,
        help_text=NO_WHEREABOUTS,
    )
    referred_on = _date(_("Referred on"))
    reason = forms.CharField(
        label=_("Why"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NO_WHEREABOUTS,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.filter(is_active=True, kind__in=SUPPORT_AGENCY_KINDS)
        self.fields["to_agency"].queryset = agencies.order_by("name")  # type: ignore[attr-defined]
        social = agencies.filter(kind="dinas_sosial").first()
        if social is not None:
            self.initial.setdefault("to_agency", social.pk)


class SupportOutcomeForm(VersionedForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(v, label) for v, label in SupportOutcome.choices if v != "pending"],
    )
    outcome_on = _date(_("Outcome on"))
    note = forms.CharField(
        label=_("Outcome details"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=NO_WHEREABOUTS,
    )


# --- Community sessions --------------------------------------------------------------


class CommunitySessionForm(forms.Form):
    kelurahan = kelurahan_field(required=True)
    rt = forms.CharField(
        label=_("RT (if held in one RT)"),
        required=False,
        max_length=3,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    held_on = _date(_("Date"))
    topic = forms.CharField(label=_("Topic"), max_length=200)
    venue = forms.CharField(
        label=_("Venue"),
        required=False,
        max_length=200,
        help_text=_("A public place, e.g. the kelurahan hall or a mosque."),
    )
    facilitators = LabelledMultipleChoiceField(
        label=_("Facilitators"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_facilitators = forms.CharField(
        label=_("Other facilitators and partners"), required=False, max_length=300
    )
    girls = forms.IntegerField(label=_("Girls (under 18)"), min_value=0, max_value=10_000)
    boys = forms.IntegerField(label=_("Boys (under 18)"), min_value=0, max_value=10_000)
    women = forms.IntegerField(label=_("Women (18-59)"), min_value=0, max_value=10_000)
    men = forms.IntegerField(label=_("Men (18-59)"), min_value=0, max_value=10_000)
    older_women = forms.IntegerField(label=_("Women (60 and over)"), min_value=0, max_value=10_000)
    older_men = forms.IntegerField(label=_("Men (60 and over)"), min_value=0, max_value=10_000)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, facilitators: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["facilitators"]
        # A community session is about no child: the facilitators' offices may show.
        field.queryset, field.labels = _users(facilitators, _agency_label)  # type: ignore[attr-defined]
        for name in ATTENDANCE_FIELDS:
            self.fields[name].initial = 0
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def counts(self) -> dict[str, int]:
        return {name: self.cleaned_data.get(name) or 0 for name in ATTENDANCE_FIELDS}

    @staticmethod
    def initial_from(session: CommunitySession) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(session, name)
            for name in (
                "kelurahan",
                "rt",
                "held_on",
                "topic",
                "venue",
                "other_facilitators",
                "notes",
                *ATTENDANCE_FIELDS,
            )
        }
        initial["facilitators"] = list(session.facilitators.values_list("pk", flat=True))
        initial["expected_version"] = session.version
        return initial


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    file = forms.FileField(label=_("File"), required=False, help_text=_("PDF, JPEG or PNG."))


class FamilyForm(forms.Form):
    family_name = forms.CharField(
        label=_("Family (head of household)"),
        max_length=200,
        help_text=_("As the neighbours know them."),
    )
    rt = forms.CharField(
        label=_("RT"),
        required=False,
        max_length=3,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    concern = forms.CharField(
        label=_("Why the family is at risk"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    person = LabelledChoiceField(
        label=_("Person on file (if known)"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("Only people on cases you work on, in this kelurahan, are listed."),
    )

    def __init__(
        self, *args: Any, people: Iterable[tuple[Person, str, Any]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        people = list(people)
        field = self.fields["person"]
        field.queryset = Person.objects.filter(  # type: ignore[attr-defined]
            pk__in=[person.pk for person, _label, _case in people]
        )
        field.labels = {person.pk: label for person, label, _case in people}  # type: ignore[attr-defined]
