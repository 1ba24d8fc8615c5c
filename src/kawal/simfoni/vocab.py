"""The two sides of the SIMFONI-PPA mapping: our local values and SIMFONI's categories.

SIMFONI-PPA's categories are written here as the operator types them into
SIMFONI (Indonesian, SIMFONI's own words, never translated). Our local values
are what the case records hold; some axes read more than one kind of record,
so their values carry a prefix that says which (``seen:`` an activity from a
sighting or an outreach find, ``form:`` a form of exploitation, ``level:`` a
school level, ``status:`` the school status recorded at intake).

``DEFAULTS`` is what a fresh database starts with (seeded by the migration
``0002_seed_mapping``, which keeps its own frozen copy); the configuration
console changes the rows afterwards.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kawal.cases.models import FORM_TO_SIMFONI, CaseForm, PerpetratorRelation, SimfoniForm
from kawal.outreach.models import Activity
from kawal.people.models import SchoolStatus
from kawal.schooling.models import Level


class Axis(models.TextChoices):
    FORM = "form", _("Form of violence")
    PLACE = "place", _("Place (Kategori Lokasi)")
    RELATION = "relation", _("Perpetrator's relationship to the child")
    SERVICE = "service", _("Service given")
    AGE = "age", _("Victim's age band")
    EDUCATION = "education", _("Education")
    DISABILITY = "disability", _("Disability")


SIMFONI_FORM_NAMES: dict[str, str] = {
    SimfoniForm.FISIK: "Fisik",
    SimfoniForm.PSIKIS: "Psikis",
    SimfoniForm.SEKSUAL: "Seksual",
    SimfoniForm.EKSPLOITASI: "Eksploitasi",
    SimfoniForm.TRAFFICKING: "Trafficking",
    SimfoniForm.PENELANTARAN: "Penelantaran",
    SimfoniForm.LAINNYA: "Lainnya",
}

# SIMFONI-PPA's categories per axis, in SIMFONI's order (domain-rules §1).
SIMFONI_VALUES: dict[str, tuple[str, ...]] = {
    Axis.FORM: tuple(SIMFONI_FORM_NAMES[form] for form in SimfoniForm.values),
    Axis.PLACE: (
        "Rumah Tangga",
        "Tempat Kerja",
        "Sekolah",
        "Fasilitas Umum",
        "Lembaga Pendidikan Kilat",
        "Lainnya",
    ),
    Axis.RELATION: (
        "Orang Tua",
        "Keluarga/Saudara",
        "Suami/Istri",
        "Pacar/Teman",
        "Guru",
        "Majikan",
        "Rekan Kerja",
        "Tetangga",
        "Lainnya",
        "NA",
    ),
    Axis.SERVICE: (
        "Pengaduan",
        "Kesehatan",
        "Bantuan Hukum",
        "Penegakan Hukum",
        "Rehabilitasi Sosial",
        "Reintegrasi Sosial",
        "Pemulangan",
        "Pendampingan Tokoh Agama",
    ),
    Axis.AGE: ("0-5", "6-12", "13-17", "18-24", "25-44", "45-59", "60+"),
    # [U] the SIMFONI dashboard's education breakdown; check against the live form.
    Axis.EDUCATION: (
        "Belum Sekolah",
        "Tidak Sekolah",
        "TK/PAUD",
        "SD",
        "SLTP",
        "SLTA",
        "Perguruan Tinggi",
        "NA",
    ),
    Axis.DISABILITY: ("Ya", "Tidak"),
}


class Service(models.TextChoices):
    """The local records a SIMFONI service is derived from (docs/simfoni.md)."""

    INTAKE = "intake", _("Case opened (complaint or report taken)")
    ASSESSMENT = "psychological_assessment", _("Signed psychological assessment")
    OBSERVATION = "daily_observation", _("Daily psychological observation")
    HEALTH_CHECK = "health_check", _("Health check at the shelter")
    POLICE_REPORT = "police_report", _("Police report (LP) recorded")
    LEGAL_PROCESS = "legal_process", _("Legal process stage recorded")
    SHELTER_STAY = "shelter_stay", _("Stay in the UPTD PPA shelter")
    PLACEMENT = "placement", _("Placement in alternative care")
    PARENT_PROGRAMME = "parent_programme", _("Parents' programme")
    REUNIFICATION = "reunification", _("Returned to the family")
    AFTER_CARE = "after_care", _("After-care follow-up")
    SCHOOL = "school_enrolment", _("Re-enrolled in school")
    RETURN_REGION = "return_other_region", _("Returned home to another region")


NO_PERPETRATOR = "none_recorded"
DESCRIBED = "described"
NOT_DESCRIBED = "not_described"
AGES = range(26)


def local_values(axis: str) -> list[tuple[str, str]]:
    """The local values of an axis with their labels in the active language."""
    if axis == Axis.FORM:
        return [(value, str(label)) for value, label in CaseForm.choices]
    if axis == Axis.PLACE:
        seen = [
            (f"seen:{value}", gettext("Seen or found: %(activity)s") % {"activity": label})
            for value, label in Activity.choices
        ]
        forms = [
            (f"form:{value}", gettext("Nobody saw where; form: %(form)s") % {"form": label})
            for value, label in CaseForm.choices
        ]
        return seen + forms
    if axis == Axis.RELATION:
        return [(value, str(label)) for value, label in PerpetratorRelation.choices] + [
            (NO_PERPETRATOR, gettext("No alleged perpetrator recorded"))
        ]
    if axis == Axis.SERVICE:
        return [(value, str(label)) for value, label in Service.choices]
    if axis == Axis.AGE:
        return [(str(age), gettext("%(age)s years") % {"age": age}) for age in AGES]
    if axis == Axis.EDUCATION:
        levels = [
            (f"level:{value}", gettext("Enrolled: %(level)s") % {"level": label})
            for value, label in Level.choices
        ]
        statuses = [
            (f"status:{value}", gettext("At intake: %(status)s") % {"status": label})
            for value, label in SchoolStatus.choices
        ]
        return levels + statuses
    if axis == Axis.DISABILITY:
        return [
            (DESCRIBED, gettext("A disability is described")),
            (NOT_DESCRIBED, gettext("No disability described")),
        ]
    return []


def local_label(axis: str, value: str) -> str:
    return dict(local_values(axis)).get(value, value)


def _age_band(age: int) -> str:
    if age <= 5:
        return "0-5"
    if age <= 12:
        return "6-12"
    return "13-17"


_PLACE_OF_FORM = {
    CaseForm.FORCED_SELLING: "Fasilitas Umum",
    CaseForm.FORCED_BEGGING: "Fasilitas Umum",
    CaseForm.BEGGING_WITH_PARENT: "Fasilitas Umum",
    CaseForm.CHILD_LABOUR: "Tempat Kerja",
    CaseForm.NEGLECT: "Rumah Tangga",
    CaseForm.SEXUAL_EXPLOITATION: "Lainnya",
    CaseForm.TRAFFICKED: "Lainnya",
    CaseForm.PHYSICAL_VIOLENCE: "Lainnya",
    CaseForm.PSYCHOLOGICAL_VIOLENCE: "Lainnya",
    CaseForm.OTHER: "Lainnya",
}

_EDUCATION = {
    Level.SD: "SD",
    Level.MI: "SD",
    Level.PAKET_A: "SD",
    Level.SMP: "SLTP",
    Level.MTS: "SLTP",
    Level.PAKET_B: "SLTP",
    Level.SMA: "SLTA",
    Level.SMK: "SLTA",
    Level.MA: "SLTA",
    Level.PAKET_C: "SLTA",
}

_STATUS = {
    SchoolStatus.IN_SCHOOL: "NA",
    SchoolStatus.DROPPED_OUT: "NA",
    SchoolStatus.NEVER_ENROLLED: "Tidak Sekolah",
    SchoolStatus.NOT_SCHOOL_AGE: "Belum Sekolah",
    SchoolStatus.UNKNOWN: "NA",
}

_RELATION = {
    PerpetratorRelation.ORANG_TUA: "Orang Tua",
    PerpetratorRelation.KELUARGA: "Keluarga/Saudara",
    PerpetratorRelation.SUAMI_ISTRI: "Suami/Istri",
    PerpetratorRelation.PACAR_TEMAN: "Pacar/Teman",
    PerpetratorRelation.GURU: "Guru",
    PerpetratorRelation.MAJIKAN: "Majikan",
    PerpetratorRelation.REKAN_KERJA: "Rekan Kerja",
    PerpetratorRelation.TETANGGA: "Tetangga",
    PerpetratorRelation.LAINNYA: "Lainnya",
    # Not known: SIMFONI's "NA" is the data-quality gap the ministry counts;
    # left empty so the case is listed to be completed. The console may map it.
    PerpetratorRelation.NA: "",
    NO_PERPETRATOR: "",
}

_SERVICE = {
    Service.INTAKE: "Pengaduan",
    Service.ASSESSMENT: "Kesehatan",
    Service.OBSERVATION: "Kesehatan",
    Service.HEALTH_CHECK: "Kesehatan",
    Service.POLICE_REPORT: "Penegakan Hukum",
    Service.LEGAL_PROCESS: "Penegakan Hukum",
    Service.SHELTER_STAY: "Rehabilitasi Sosial",
    Service.PLACEMENT: "Rehabilitasi Sosial",
    Service.PARENT_PROGRAMME: "Reintegrasi Sosial",
    Service.REUNIFICATION: "Reintegrasi Sosial",
    Service.AFTER_CARE: "Reintegrasi Sosial",
    Service.SCHOOL: "Reintegrasi Sosial",
    Service.RETURN_REGION: "Pemulangan",
}


def default_rows() -> list[tuple[str, str, str]]:
    """(axis, local value, SIMFONI value) a fresh database starts with."""
    rows: list[tuple[str, str, str]] = []
    rows += [(Axis.FORM, form, SIMFONI_FORM_NAMES[FORM_TO_SIMFONI[form]]) for form in CaseForm]
    rows += [(Axis.PLACE, f"seen:{activity}", "Fasilitas Umum") for activity in Activity]
    rows += [(Axis.PLACE, f"form:{form}", place) for form, place in _PLACE_OF_FORM.items()]
    rows += [(Axis.RELATION, value, simfoni) for value, simfoni in _RELATION.items()]
    rows += [(Axis.SERVICE, value, simfoni) for value, simfoni in _SERVICE.items()]
    rows += [(Axis.AGE, str(age), _age_band(age)) for age in range(18)]
    rows += [(Axis.EDUCATION, f"level:{level}", value) for level, value in _EDUCATION.items()]
    rows += [(Axis.EDUCATION, f"status:{status}", value) for status, value in _STATUS.items()]
    # The case form's disability field is optional free text: empty reads as
    # "none noted". A city that wants every child asked can empty this row.
    rows += [(Axis.DISABILITY, DESCRIBED, "Ya"), (Axis.DISABILITY, NOT_DESCRIBED, "Tidak")]
    return [(str(axis), str(local), simfoni) for axis, local, simfoni in rows]
