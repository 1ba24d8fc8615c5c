from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, Role
from kawal.accounts.models import Agency, User
from kawal.cases.models import (
    ApprovalKind,
    CaseForm,
    CaseStatus,
    IntakeChannel,
    LegalStage,
    NoteKind,
    PerpetratorRelation,
    RiskLevel,
    SharingBasis,
)
from kawal.core.forms import IdChoiceField
from kawal.people.models import NikStatus, Person, Relation, SchoolStatus, Sex
from kawal.regions.selectors import region_list


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def kelurahan_field(required: bool = False) -> IdChoiceField:
    return IdChoiceField(
        label=_("Kelurahan"),
        queryset=region_list(level="kelurahan").order_by("name"),
        required=required,
    )


class VersionedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class ChildFields(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    aliases = forms.CharField(
        label=_("Other names and nicknames"),
        required=False,
        max_length=500,
        help_text=_("Separate with commas."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    birth_date_estimated = forms.BooleanField(label=_("The date is an estimate"), required=False)
    birth_date_documented = forms.BooleanField(
        label=_("The date is from a document (birth certificate, NIK or KK)"), required=False
    )
    age_min = forms.IntegerField(
        label=_("Estimated age from"), required=False, min_value=0, max_value=17
    )
    age_max = forms.IntegerField(
        label=_("Estimated age to"), required=False, min_value=0, max_value=17
    )
    place_of_birth = forms.CharField(label=_("Place of birth"), required=False, max_length=100)
    nik_status = forms.ChoiceField(
        label=_("NIK"), choices=NikStatus.choices, initial=NikStatus.UNKNOWN
    )
    nik = forms.CharField(label=_("NIK number"), required=False, max_length=24)
    nik_missing_reason = forms.CharField(
        label=_("Why there is no NIK"), required=False, max_length=200
    )
    kk_number = forms.CharField(label=_("KK number"), required=False, max_length=24)
    religion = forms.CharField(label=_("Religion"), required=False, max_length=40)
    disability = forms.CharField(label=_("Disability"), required=False, max_length=200)
    languages = forms.CharField(label=_("Languages"), required=False, max_length=200)
    # Unknown until someone asks: a child is never assumed to be in school.
    school_status = forms.ChoiceField(
        label=_("School status"), choices=SchoolStatus.choices, initial=SchoolStatus.UNKNOWN
    )
    school_name = forms.CharField(label=_("School"), required=False, max_length=200)
    kelurahan = kelurahan_field()
    rt = forms.CharField(label=_("RT"), required=False, max_length=3)
    rw = forms.CharField(label=_("RW"), required=False, max_length=3)
    street = forms.CharField(label=_("Street address"), required=False, max_length=200)

    def child_data(self) -> dict[str, Any]:
        # Only the child's own fields: subclasses add case fields to the same form.
        data = {
            name: self.cleaned_data.get(name)
            for name in ChildFields.base_fields
            if name != "aliases"
        }
        for name in (
            "sex",
            "place_of_birth",
            "nik",
            "nik_missing_reason",
            "kk_number",
            "religion",
            "disability",
            "languages",
            "rt",
            "rw",
            "street",
            "school_name",
        ):
            data[name] = data.get(name) or ""
        # People type numbers with spaces and dots, as printed on the card.
        data["nik"] = "".join(ch for ch in str(data["nik"]) if ch.isdigit())
        data["kk_number"] = "".join(ch for ch in str(data["kk_number"]) if ch.isdigit())
        return data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("birth_date_documented"):
            if cleaned.get("birth_date_estimated"):
                self.add_error(
                    "birth_date_documented",
                    _("A date from a document is not an estimate: tick only one of the two."),
                )
            elif not cleaned.get("birth_date"):
                self.add_error("birth_date_documented", _("Enter the date from the document."))
        return cleaned

    def alias_list(self) -> list[str]:
        return [
            part.strip() for part in self.cleaned_data.get("aliases", "").split(",") if part.strip()
        ]


class OpenCaseForm(ChildFields):
    opened_on = forms.DateField(
        label=_("Opened on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for today; fill in when entering an older paper file."),
    )
    intake_channel = forms.ChoiceField(
        label=_("How the case came in"), choices=IntakeChannel.choices
    )
    forms_ = forms.MultipleChoiceField(
        label=_("Forms of exploitation or violence"),
        choices=CaseForm.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"), choices=RiskLevel.choices, initial=RiskLevel.MEDIUM
    )
    risk_rationale = forms.CharField(
        label=_("Why this risk level"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    supervisor = IdChoiceField(label=_("Supervisor"), queryset=User.objects.none(), required=False)
    sibling_case = forms.CharField(
        label=_("Case number of a sibling"),
        required=False,
        max_length=40,
        help_text=_("Links the siblings' cases as one family."),
    )
    father_name = forms.CharField(label=_("Father's name"), required=False, max_length=200)
    mother_name = forms.CharField(label=_("Mother's name"), required=False, max_length=200)
    # The candidate panel (kawal.identity.panel): what was shown and what the user chose.
    identity_check = forms.CharField(required=False, widget=forms.HiddenInput)
    identity_choice = forms.CharField(required=False, max_length=80)
    new_child_reason = forms.CharField(
        label=_("Why is this a different child?"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors()  # type: ignore[attr-defined]

    def parents(self) -> list[tuple[str, str]]:
        return [
            (relation, self.cleaned_data.get(name, "").strip())
            for relation, name in (("father", "father_name"), ("mother", "mother_name"))
            if self.cleaned_data.get(name, "").strip()
        ]

    def matching_fields(self) -> dict[str, Any]:
        """What the candidate search compares, taken from the form as typed."""
        data = self.cleaned_data
        kelurahan = data.get("kelurahan")
        parents = [name for _relation, name in self.parents()]
        return {
            "full_name": data.get("full_name", ""),
            "aliases": self.alias_list(),
            "parent_names": parents,
            "birth_date": data.get("birth_date"),
            "birth_date_estimated": bool(data.get("birth_date_estimated")),
            "birth_date_documented": bool(data.get("birth_date_documented")),
            "age_min": data.get("age_min"),
            "age_max": data.get("age_max"),
            "sex": data.get("sex") or "",
            "nik": "".join(ch for ch in str(data.get("nik") or "") if ch.isdigit()),
            "kelurahan": kelurahan.code if kelurahan is not None else "",
            "school": data.get("school_name", ""),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opened_on = cleaned.get("opened_on")
        if opened_on and opened_on > timezone.localdate():
            self.add_error("opened_on", _("The opening date is in the future."))
        if (
            cleaned.get("risk_level") == RiskLevel.HIGH
            and not cleaned.get("risk_rationale", "").strip()
        ):
            self.add_error("risk_rationale", _("Explain why the risk is high."))
        return cleaned


def supervisors() -> Any:
    return User.objects.filter(is_active=True, role=Role.SUPERVISOR).select_related("agency")


class ChildForm(ChildFields, VersionedForm):
    pass


class CaseBasicForm(VersionedForm):
    intake_channel = forms.ChoiceField(
        label=_("How the case came in"), choices=IntakeChannel.choices
    )
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    risk_rationale = forms.CharField(
        label=_("Why this risk level"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    supervisor = IdChoiceField(label=_("Supervisor"), queryset=User.objects.none(), required=False)
    sharing_basis = forms.ChoiceField(
        label=_("Basis for sharing with other agencies"), choices=SharingBasis.choices
    )
    sharing_basis_note = forms.CharField(
        label=_("Sharing basis details"), required=False, max_length=300
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors()  # type: ignore[attr-defined]


class PoliceForm(VersionedForm):
    police_report_number = forms.CharField(
        label=_("Police report (LP) number"), required=False, max_length=60
    )
    legal_stage = forms.ChoiceField(
        label=_("Legal stage"), choices=[("", "—"), *LegalStage.choices], required=False
    )
    investigator = IdChoiceField(
        label=_("Investigator"), queryset=User.objects.none(), required=False
    )
    parent_is_alleged_perpetrator = forms.BooleanField(
        label=_("A parent is the alleged perpetrator"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["investigator"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True, role=Role.INVESTIGATOR
        )


def data_class_choices(allowed: Any) -> list[tuple[str, Any]]:
    return [(value, label) for value, label in DataClass.choices if value in allowed]


class NoteForm(forms.Form):
    data_class = forms.ChoiceField(label=_("Who may read it (data class)"), choices=())
    kind = forms.ChoiceField(label=_("Kind"), choices=NoteKind.choices)
    body = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )

    def __init__(self, *args: Any, writable: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["data_class"].choices = data_class_choices(writable)  # type: ignore[attr-defined]


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150, required=False)
    data_class = forms.ChoiceField(label=_("Who may read it (data class)"), choices=())
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))

    def __init__(self, *args: Any, writable: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["data_class"].choices = data_class_choices(writable)  # type: ignore[attr-defined]


class MemberForm(forms.Form):
    user = IdChoiceField(label=_("Person"), queryset=User.objects.none(), required=False)
    agency = IdChoiceField(
        label=_("Or a whole agency"), queryset=Agency.objects.none(), required=False
    )
    case_role = forms.CharField(label=_("Role in this case"), max_length=100)
    data_classes = forms.MultipleChoiceField(
        label=_("What they may see"),
        choices=DataClass.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(is_active=True)
            .exclude(role__in=[Role.SYSTEM_ADMIN])
            .select_related("agency")
        )
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("user")) == bool(cleaned.get("agency")):
            raise forms.ValidationError(_("Choose either a person or an agency."))
        return cleaned


class ReferralForm(forms.Form):
    to_agency = IdChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    data_classes = forms.MultipleChoiceField(
        label=_("What they may see"),
        choices=DataClass.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = Agency.objects.filter(is_active=True)  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.HiddenInput
    )
    comment = forms.CharField(
        label=_("Comment / reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    @property
    def yes(self) -> bool:
        return self.cleaned_data["decision"] == "yes"


class TransitionForm(forms.Form):
    target = forms.ChoiceField(label=_("New status"), choices=CaseStatus.choices)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ApprovalRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Approval of"), choices=ApprovalKind.choices)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    assignee = IdChoiceField(label=_("Assigned to"), queryset=User.objects.none(), required=False)
    assignee_agency = IdChoiceField(
        label=_("Or an agency"), queryset=Agency.objects.none(), required=False
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput())

    def __init__(self, *args: Any, team: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = team  # type: ignore[attr-defined]
        self.fields["assignee_agency"].queryset = agencies  # type: ignore[attr-defined]


class TransferForm(forms.Form):
    new_owner = IdChoiceField(label=_("New case manager"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True, role__in=[Role.CASE_MANAGER, Role.SUPERVISOR]
        ).select_related("agency")


class RelativeForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    relation = forms.ChoiceField(label=_("Relation to the child"), choices=Relation.choices)
    is_guardian = forms.BooleanField(label=_("Legal guardian"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    nik = forms.CharField(label=_("NIK number"), required=False, max_length=24)
    kk_number = forms.CharField(label=_("KK number"), required=False, max_length=24)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30)
    occupation = forms.CharField(label=_("Occupation"), required=False, max_length=100)
    kelurahan = kelurahan_field()
    street = forms.CharField(label=_("Street address"), required=False, max_length=200)

    def person_data(self) -> dict[str, Any]:
        data = {
            name: self.cleaned_data.get(name) or ""
            for name in ("full_name", "sex", "phone", "occupation", "street")
        }
        for number in ("nik", "kk_number"):
            data[number] = "".join(ch for ch in self.cleaned_data.get(number, "") if ch.isdigit())
        data["kelurahan"] = self.cleaned_data.get("kelurahan")
        return data


class RelativeEditForm(RelativeForm, VersionedForm):
    pass


class PerpetratorForm(forms.Form):
    person = IdChoiceField(label=_("Person"), queryset=Person.objects.none())
    relationship = forms.ChoiceField(
        label=_("Relationship to the child"), choices=PerpetratorRelation.choices
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you need emergency access"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=15,
        max_length=1000,
    )


class ReviewForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome of the review"), max_length=300)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name, nickname, NIK or case number"), max_length=100, min_length=2)
