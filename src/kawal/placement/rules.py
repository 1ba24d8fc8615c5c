"""The placement rules of domain-rules §3, one small named function each.

Each rule reads the facts of a proposed placement (``Facts``) and its
configurable data (``RuleSetting``: parameters and legal basis in Indonesian
and English) and returns a ``RuleResult``: pass, fail (a hard rule: nobody may
place the child) or needs_override (a soft rule: the case's supervisor may
place the child anyway with a written reason). ``evaluate`` runs them all in
a fixed order; ``snapshot`` freezes the results, legal texts included, in both
languages, for the decision to keep.

The rules never raise on missing data: what cannot be checked fails (hard) or
asks for an override (soft), with a message saying what to record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from kawal.assessments.models import BIOPSYCHOSOCIAL_CODE, SAFETY_RISK_CODE, Instrument
from kawal.assessments.selectors import signed_assessments
from kawal.cases.models import Case, CaseStatus
from kawal.cases.policy import cases_visible_to
from kawal.core.i18n import in_language
from kawal.institutions.models import Institution, InstitutionKind, InstitutionStatus, Religion
from kawal.people.models import Person, PersonRelation
from kawal.placement.models import Placement, RuleSetting

PASS = "pass"  # noqa: S105 (an outcome, not a password)
FAIL = "fail"
NEEDS_OVERRIDE = "needs_override"


# --- Configurable data and its defaults ----------------------------------------------

# The seed of the RuleSetting table (migration 0003 holds a frozen copy) and the
# fallback should a row be missing.
DEFAULTS: dict[str, dict[str, Any]] = {
    "religion": {
        "hard": True,
        "title_id": "Agama anak dan lembaga",
        "title_en": "The child's religion and the institution's",
        "parameters": {},
        "legal_basis_id": (
            "UU 23/2002 Pasal 37 ayat (3): dalam hal lembaga yang mengasuh berlandaskan "
            "agama, anak yang diasuh harus yang seagama dengan agama yang menjadi landasan "
            "lembaga tersebut. Ayat (4): bila lembaga tidak berlandaskan agama, pengasuhan "
            "wajib memperhatikan agama yang dianut anak."
        ),
        "legal_basis_en": (
            "Law 23/2002 Article 37(3): where the caring institution is religion-based, the "
            "child must share the religion the institution is founded on. Article 37(4): "
            "where it is not, the care must respect the child's religion."
        ),
    },
    "registration": {
        "hard": True,
        "title_id": "Tanda daftar LKS / NSP pesantren berlaku",
        "title_en": "Valid LKS registration / pesantren NSP",
        "parameters": {"exempt_kinds": ["foster_family", "kinship_carer"]},
        "legal_basis_id": (
            "Permensos 5/2024 tentang Lembaga Kesejahteraan Sosial: setiap LKS wajib memiliki "
            "tanda daftar yang berlaku. PMA 30/2020: pesantren wajib memiliki izin terdaftar "
            "(Piagam Statistik Pesantren dengan NSP)."
        ),
        "legal_basis_en": (
            "Social Affairs Regulation 5/2024 on social welfare institutions: every LKS must "
            "hold a valid registration (tanda daftar). Religious Affairs Regulation 30/2020: "
            "every pesantren must be registered (Piagam Statistik Pesantren with an NSP)."
        ),
    },
    "suspended": {
        "hard": True,
        "title_id": "Lembaga tidak dibekukan",
        "title_en": "Institution not suspended",
        "parameters": {},
        "legal_basis_id": (
            "Permensos 5/2024 (pembinaan dan pengawasan LKS); SNPA (Permensos 30/HUK/2011): "
            "Dinas Sosial berwenang atas keputusan penempatan anak."
        ),
        "legal_basis_en": (
            "Social Affairs Regulation 5/2024 (supervision of LKS); SNPA (Social Affairs "
            "Regulation 30/HUK/2011): Dinas Sosial decides on placements."
        ),
    },
    "capacity": {
        "hard": True,
        "title_id": "Kapasitas lembaga",
        "title_en": "Room at the institution",
        "parameters": {"capacity_margin": 0},
        "legal_basis_id": (
            "SNPA (Permensos 30/HUK/2011): penerimaan anak sesuai kapasitas yang terdaftar "
            "agar standar pengasuhan terpenuhi."
        ),
        "legal_basis_en": (
            "SNPA (Social Affairs Regulation 30/HUK/2011): children are admitted within the "
            "registered capacity so that the care standards can be met."
        ),
    },
    "sex": {
        "hard": True,
        "title_id": "Jenis kelamin yang diterima",
        "title_en": "Sexes the institution takes",
        "parameters": {},
        "legal_basis_id": (
            "SNPA (Permensos 30/HUK/2011); PMA 30/2020: lembaga (pesantren putra/putri) "
            "menerima anak sesuai kriteria yang terdaftar."
        ),
        "legal_basis_en": (
            "SNPA (Social Affairs Regulation 30/HUK/2011); Religious Affairs Regulation "
            "30/2020: an institution (a boys' or girls' pesantren) takes children by its "
            "registered criteria."
        ),
    },
    "age": {
        "hard": True,
        "title_id": "Rentang usia lembaga",
        "title_en": "The institution's age range",
        "parameters": {},
        "legal_basis_id": (
            "SNPA (Permensos 30/HUK/2011): lembaga menerima anak sesuai rentang usia yang "
            "terdaftar."
        ),
        "legal_basis_en": (
            "SNPA (Social Affairs Regulation 30/HUK/2011): an institution takes children "
            "within its registered age range."
        ),
    },
    "assessment": {
        "hard": True,
        "title_id": "Asesmen selesai sebelum keputusan",
        "title_en": "Assessments completed before the decision",
        "parameters": {"instruments": [BIOPSYCHOSOCIAL_CODE, SAFETY_RISK_CODE]},
        "legal_basis_id": (
            "SNPA (Permensos 30/HUK/2011): keputusan penempatan didasarkan pada asesmen awal "
            "bersama anak dan keluarga; Permen PPPA 2/2022."
        ),
        "legal_basis_en": (
            "SNPA (Social Affairs Regulation 30/HUK/2011): a placement decision rests on an "
            "initial assessment made with the child and family; PPPA Ministerial "
            "Regulation 2/2022."
        ),
    },
    "last_resort": {
        "hard": True,
        "title_id": "Pengasuhan berbasis keluarga telah dipertimbangkan",
        "title_en": "Family-based care considered first",
        "parameters": {
            "residential_kinds": ["lksa", "pesantren", "government_panti"],
            "min_reason_length": 15,
        },
        "legal_basis_id": (
            "UU 35/2014 Pasal 14: pemisahan anak dari orang tua merupakan pertimbangan "
            "terakhir; PP 44/2017 tentang Pelaksanaan Pengasuhan Anak; SNPA: pengasuhan "
            "dalam lembaga adalah upaya terakhir setelah orang tua, kerabat dan orang tua asuh."
        ),
        "legal_basis_en": (
            "Law 35/2014 Article 14: separating a child from the parents is the last resort; "
            "Government Regulation 44/2017 on child care; SNPA: residential care comes only "
            "after parents, relatives and foster carers."
        ),
    },
    "siblings": {
        "hard": False,
        "title_id": "Saudara kandung tidak dipisahkan",
        "title_en": "Siblings kept together",
        "parameters": {},
        "legal_basis_id": (
            "SNPA (Permensos 30/HUK/2011) dan prinsip kepentingan terbaik anak: saudara "
            "kandung diasuh bersama kecuali ada alasan yang dicatat."
        ),
        "legal_basis_en": (
            "SNPA (Social Affairs Regulation 30/HUK/2011) and the child's best interest: "
            "siblings are cared for together unless a recorded reason says otherwise."
        ),
    },
    "school_distance": {
        "hard": False,
        "title_id": "Jarak ke sekolah",
        "title_en": "Distance to school",
        "parameters": {"max_km": 10},
        "legal_basis_id": (
            "UU 35/2014 Pasal 9: setiap anak berhak memperoleh pendidikan; SNPA: "
            "kesinambungan pendidikan anak selama pengasuhan."
        ),
        "legal_basis_en": (
            "Law 35/2014 Article 9: every child has the right to education; SNPA: continuity "
            "of the child's schooling while in care."
        ),
    },
    "contact_plan": {
        "hard": False,
        "title_id": "Rencana kontak dengan orang tua",
        "title_en": "Contact plan with the parents",
        "parameters": {},
        "legal_basis_id": (
            "UU 35/2014 Pasal 14 ayat (2): anak yang dipisahkan tetap berhak bertemu dan "
            "berhubungan pribadi secara tetap dengan kedua orang tuanya; pembatasan hanya "
            "demi keselamatan anak atau berdasarkan putusan pengadilan."
        ),
        "legal_basis_en": (
            "Law 35/2014 Article 14(2): a separated child keeps the right to meet and stay in "
            "personal contact with both parents; restrictions only for the child's safety or "
            "by court order."
        ),
    },
}

HARD_CODES = frozenset(code for code, data in DEFAULTS.items() if data["hard"])


@dataclass(frozen=True)
class Setting:
    code: str
    hard: bool
    title_id: str
    title_en: str
    parameters: Mapping[str, Any]
    legal_basis_id: str
    legal_basis_en: str
    active: bool = True

    def legal_basis(self) -> str:
        return self.legal_basis_en if _lang() == "en" else self.legal_basis_id

    def title(self) -> str:
        return self.title_en if _lang() == "en" else self.title_id


def _lang() -> str:
    return (get_language() or "id")[:2]


def current_settings() -> dict[str, Setting]:
    """Every rule's setting as configured now (defaults where a row is missing); one query."""
    rows = {row.code: row for row in RuleSetting.objects.all()}
    result: dict[str, Setting] = {}
    for code, default in DEFAULTS.items():
        row = rows.get(code)
        parameters = dict(default["parameters"])
        if row is not None and isinstance(row.parameters, dict):
            parameters.update(row.parameters)
        result[code] = Setting(
            code=code,
            hard=bool(default["hard"]),
            title_id=row.title_id if row else default["title_id"],
            title_en=row.title_en if row else default["title_en"],
            parameters=parameters,
            legal_basis_id=row.legal_basis_id if row else default["legal_basis_id"],
            legal_basis_en=row.legal_basis_en if row else default["legal_basis_en"],
            # A hard rule always runs, whatever the console says.
            active=True if default["hard"] or row is None else row.active,
        )
    return result


# --- Results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleResult:
    """One rule's verdict. ``message`` renders in the active language."""

    code: str
    outcome: str
    hard: bool
    template: str | Promise
    params: Mapping[str, Any]
    setting: Setting
    # Where to fix what the message asks for (a page of the case), if anywhere.
    fix_url: str = ""
    fix_label: str | Promise = ""

    def needing(self, url_name: str, case: Case, label: str | Promise) -> RuleResult:
        """This result with a link to the page where the user records what is missing."""
        return replace(self, fix_url=reverse(url_name, args=[case.uuid]), fix_label=label)

    @property
    def message(self) -> str:
        return _render(self.template, self.params)

    @property
    def legal_basis(self) -> str:
        return self.setting.legal_basis()

    @property
    def title(self) -> str:
        return self.setting.title()

    @property
    def reference(self) -> str:
        return legal_reference(self.legal_basis)

    @property
    def parameters(self) -> Mapping[str, Any]:
        return self.setting.parameters

    @property
    def passed(self) -> bool:
        return self.outcome == PASS

    def as_json(self) -> dict[str, Any]:
        with override("id"):
            message_id = self.message
        with override("en"):
            message_en = self.message
        fix: dict[str, Any] = {}
        if self.fix_url:
            with override("id"):
                fix_label_id = str(self.fix_label)
            with override("en"):
                fix_label_en = str(self.fix_label)
            fix = {
                "fix_url": self.fix_url,
                "fix_label_id": fix_label_id,
                "fix_label_en": fix_label_en,
            }
        return {
            "code": self.code,
            "outcome": self.outcome,
            "hard": self.hard,
            "title_id": self.setting.title_id,
            "title_en": self.setting.title_en,
            "message_id": message_id,
            "message_en": message_en,
            "legal_basis_id": self.setting.legal_basis_id,
            "legal_basis_en": self.setting.legal_basis_en,
            "parameters": dict(self.setting.parameters),
            **fix,
        }


class _Shown:
    """A value formatted when the message renders, in the language active then
    (``as_json`` renders each message in Indonesian and in English)."""

    def __init__(self, render: Callable[[], str]) -> None:
        self._render = render

    def __str__(self) -> str:
        return self._render()


def _day(value: date) -> _Shown:
    return _Shown(lambda: date_format(value, "SHORT_DATE_FORMAT"))


def _number(value: float, decimals: int) -> _Shown:
    return _Shown(lambda: number_format(value, decimals))


def _instrument_names(codes: list[str]) -> _Shown:
    """The instruments' names in the active language (the code if none is on file)."""
    names: dict[str, tuple[str, str]] = {}
    for code, name_id, name_en in (
        Instrument.objects.filter(code__in=codes)
        .order_by("code", "-version_number")
        .values_list("code", "name_id", "name_en")
    ):
        names.setdefault(code, (name_id, name_en))
    return _Shown(
        lambda: ", ".join(in_language(*names[code]) if code in names else code for code in codes)
    )


def legal_reference(text: str) -> str:
    """The short citation at the head of a legal text ("UU 23/2002 Pasal 37 ayat (3)"),
    for summaries; the full text stays with each rule."""
    head = " ".join(str(text or "").split(":", 1)[0].split())
    return head if len(head) <= 80 else head[:79].rstrip() + "…"


def _render(template: str | Promise, params: Mapping[str, Any]) -> str:
    values = {
        key: str(value) if isinstance(value, Promise) else value for key, value in params.items()
    }
    return str(template) % values if values else str(template)


# --- Facts ---------------------------------------------------------------------------


@dataclass
class Facts:
    """What the rules look at: the child, the case, the institution and the form."""

    case: Case
    child: Person
    institution: Institution
    decided_on: date
    starts_on: date
    last_resort_parents: str = ""
    last_resort_kinship: str = ""
    last_resort_foster: str = ""
    school_distance_tenths_km: int | None = None
    contact_frequency: str = ""
    contact_supervision: str = ""
    contact_restriction: str = ""
    religion_respect: str = ""
    # The child's own placement being replaced (a transfer): not counted against them.
    transfer_from: Placement | None = None
    # Who decides: the sibling rule counts only what this user may see, so the
    # preview tells nothing about cases hidden from them (docs/cases.md).
    viewer: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


# --- Religion --------------------------------------------------------------------------

# Tolerant spellings of what people write in the religion field of a KTP/KK.
RELIGION_WORDS: dict[str, str] = {
    "islam": Religion.ISLAM,
    "muslim": Religion.ISLAM,
    "moslem": Religion.ISLAM,
    "muslimah": Religion.ISLAM,
    "kristen": Religion.PROTESTANT,
    "protestan": Religion.PROTESTANT,
    "protestant": Religion.PROTESTANT,
    "kristen protestan": Religion.PROTESTANT,
    "christian": Religion.PROTESTANT,
    "katolik": Religion.CATHOLIC,
    "katholik": Religion.CATHOLIC,
    "catholic": Religion.CATHOLIC,
    "kristen katolik": Religion.CATHOLIC,
    "hindu": Religion.HINDU,
    "buddha": Religion.BUDDHIST,
    "budha": Religion.BUDDHIST,
    "buddhis": Religion.BUDDHIST,
    "buddhist": Religion.BUDDHIST,
    "khonghucu": Religion.CONFUCIAN,
    "konghucu": Religion.CONFUCIAN,
    "kong hu cu": Religion.CONFUCIAN,
    "khong hu cu": Religion.CONFUCIAN,
    "confucian": Religion.CONFUCIAN,
    "kepercayaan": Religion.BELIEF,
    "penghayat kepercayaan": Religion.BELIEF,
    "kepercayaan terhadap tuhan yang maha esa": Religion.BELIEF,
}


def normalise_religion(text: str | None) -> str:
    """The ``Religion`` value of free text, or "" when it cannot be told."""
    if not text:
        return ""
    words = " ".join("".join(ch if ch.isalpha() else " " for ch in text.lower()).split())
    if not words:
        return ""
    if words in Religion.values:
        return words
    if words in RELIGION_WORDS:
        return RELIGION_WORDS[words]
    # "Agama: Islam", "islam (mualaf)": one known word decides, two different ones do not.
    found = {RELIGION_WORDS[word] for word in words.split() if word in RELIGION_WORDS}
    if "katolik" in words.split() or "katholik" in words.split():
        found.discard(Religion.PROTESTANT)
    return found.pop() if len(found) == 1 else ""


def institution_religion(institution: Institution) -> str:
    """A pesantren is Islamic even when the registry leaves the field empty."""
    if institution.religion:
        return institution.religion
    if institution.kind == InstitutionKind.PESANTREN:
        return Religion.ISLAM
    return ""


def _religion_label(value: str) -> Any:
    try:
        return Religion(value).label
    except ValueError:
        return value


def _result(
    facts: Facts, setting: Setting, outcome: str, template: str | Promise, **params: Any
) -> RuleResult:
    return RuleResult(setting.code, outcome, setting.hard, template, params, setting)


def rule_religion(facts: Facts, setting: Setting) -> RuleResult:
    founded_on = institution_religion(facts.institution)
    if not founded_on:
        if " ".join(facts.religion_respect.split()):
            return _result(
                facts,
                setting,
                PASS,
                _(
                    "The institution is not religion-based: how it respects the child's "
                    "religion is recorded (Article 37(4))."
                ),
            )
        return _result(
            facts,
            setting,
            PASS,
            _(
                "The institution is not religion-based: record how it respects the child's "
                "religion (Article 37(4))."
            ),
        )
    child = normalise_religion(facts.child.religion)
    if not child:
        return _result(
            facts,
            setting,
            FAIL,
            _(
                "The institution is founded on %(religion)s and the child's religion is not "
                "recorded or not recognised: record it before placing the child here."
            ),
            religion=_religion_label(founded_on),
        ).needing("cases:child_edit", facts.case, _("Record the child's religion"))
    if child != founded_on:
        return _result(
            facts,
            setting,
            FAIL,
            _(
                "The institution is founded on %(religion)s and the child's religion is "
                "%(child)s: a religion-based institution may only care for children of its "
                "religion."
            ),
            religion=_religion_label(founded_on),
            child=_religion_label(child),
        )
    return _result(
        facts,
        setting,
        PASS,
        _("The child and the institution share the same religion (%(religion)s)."),
        religion=_religion_label(founded_on),
    )


def rule_registration(facts: Facts, setting: Setting) -> RuleResult:
    institution = facts.institution
    if institution.kind in set(setting.parameters.get("exempt_kinds", [])):
        return _result(facts, setting, PASS, _("Family-based care needs no registration."))
    on = facts.starts_on
    if institution.kind == InstitutionKind.PESANTREN:
        if institution.nsp_number.strip():
            return _result(
                facts,
                setting,
                PASS,
                _("The pesantren's NSP is recorded (%(nsp)s)."),
                nsp=institution.nsp_number,
            )
        return _result(
            facts, setting, FAIL, _("The pesantren has no NSP (Piagam Statistik) on record.")
        )
    if not institution.registration_number or institution.registration_end is None:
        return _result(
            facts,
            setting,
            FAIL,
            _("The institution has no LKS registration (tanda daftar) on record."),
        )
    if institution.registration_valid_on(on):
        return _result(
            facts,
            setting,
            PASS,
            _("The LKS registration %(number)s is valid until %(end)s."),
            number=institution.registration_number,
            end=_day(institution.registration_end),
        )
    if institution.registration_end < on:
        return _result(
            facts,
            setting,
            FAIL,
            _("The LKS registration %(number)s expired on %(end)s."),
            number=institution.registration_number,
            end=_day(institution.registration_end),
        )
    return _result(
        facts,
        setting,
        FAIL,
        _("The LKS registration %(number)s is not valid on %(day)s."),
        number=institution.registration_number,
        day=_day(on),
    )


def rule_suspended(facts: Facts, setting: Setting) -> RuleResult:
    if facts.institution.status == InstitutionStatus.SUSPENDED:
        return _result(
            facts,
            setting,
            FAIL,
            _("The institution is suspended: %(reason)s"),
            reason=facts.institution.suspended_reason or "—",
        )
    return _result(facts, setting, PASS, _("The institution is active."))


def _active_count(institution: Institution, transfer_from: Placement | None) -> int:
    placements = Placement.objects.active().filter(institution=institution)
    if transfer_from is not None:
        placements = placements.exclude(pk=transfer_from.pk)
    return placements.count()


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def rule_capacity(facts: Facts, setting: Setting) -> RuleResult:
    margin = max(_int(setting.parameters.get("capacity_margin")), 0)
    capacity = facts.institution.capacity
    placed = _active_count(facts.institution, facts.transfer_from)
    usable = capacity - margin
    if placed + 1 > usable:
        return _result(
            facts,
            setting,
            FAIL,
            _(
                "No room: %(placed)s children are placed and the institution takes "
                "%(capacity)s (%(margin)s kept free)."
            ),
            placed=placed,
            capacity=capacity,
            margin=margin,
        )
    return _result(
        facts,
        setting,
        PASS,
        _("Room available: %(placed)s of %(usable)s places taken before this child."),
        placed=placed,
        usable=usable,
    )


def rule_sex(facts: Facts, setting: Setting) -> RuleResult:
    takes = facts.institution.accepts_sex
    if not takes:
        return _result(facts, setting, PASS, _("The institution takes girls and boys."))
    if not facts.child.sex:
        return _result(
            facts,
            setting,
            FAIL,
            _("The institution takes only one sex and the child's sex is not recorded."),
        ).needing("cases:child_edit", facts.case, _("Record the child's sex"))
    if facts.child.sex != takes:
        return _result(
            facts,
            setting,
            FAIL,
            _("The institution takes girls only.")
            if takes == "F"
            else _("The institution takes boys only."),
        )
    return _result(facts, setting, PASS, _("The institution takes children of this sex."))


def child_age_range(child: Person, on: date) -> tuple[int | None, int | None]:
    """The child's age on a day: exact from a birth date, else the estimated range."""
    if child.birth_date is not None:
        age = child.age_on(on)
        return age, age
    if child.age_min is not None:
        high = child.age_max if child.age_max is not None else child.age_min
        return child.age_min, max(high, child.age_min)
    return None, None


def rule_age(facts: Facts, setting: Setting) -> RuleResult:
    institution = facts.institution
    low, high = child_age_range(facts.child, facts.starts_on)
    youngest, oldest = institution.age_min, institution.age_max
    if low is None or high is None:
        return _result(
            facts,
            setting,
            FAIL,
            _("The child's age is not recorded: record a birth date or an estimated age."),
        ).needing("cases:child_edit", facts.case, _("Record the child's age"))
    age = str(low) if low == high else f"{low}-{high}"
    # An estimated age fits when part of its range lies in the institution's.
    if high < youngest or low > oldest:
        return _result(
            facts,
            setting,
            FAIL,
            _("The institution takes ages %(youngest)s-%(oldest)s and the child is %(age)s."),
            youngest=youngest,
            oldest=oldest,
            age=age,
        )
    if low != high and (low < youngest or high > oldest):
        return _result(
            facts,
            setting,
            PASS,
            _(
                "The child's estimated age %(age)s overlaps the institution's ages "
                "%(youngest)s-%(oldest)s; confirm the age when possible."
            ),
            youngest=youngest,
            oldest=oldest,
            age=age,
        )
    return _result(
        facts,
        setting,
        PASS,
        _("The child (%(age)s) is within the institution's ages %(youngest)s-%(oldest)s."),
        youngest=youngest,
        oldest=oldest,
        age=age,
    )


def rule_assessment(facts: Facts, setting: Setting) -> RuleResult:
    codes = [str(code) for code in setting.parameters.get("instruments", []) if code]
    # Any current (not superseded) signature on or before the decision day counts.
    signed_by_then = {
        summary.instrument_code
        for summary in signed_assessments(facts.case)
        if timezone.localdate(summary.signed_at) <= facts.decided_on
    }
    missing = [code for code in codes if code not in signed_by_then]
    if missing:
        return _result(
            facts,
            setting,
            FAIL,
            _("No signed assessment before the decision: %(missing)s."),
            missing=_instrument_names(missing),
        ).needing("assessments:case", facts.case, _("Open the case's assessments"))
    return _result(
        facts,
        setting,
        PASS,
        _("Signed before the decision: %(done)s."),
        done=_instrument_names(codes) if codes else "—",
    )


def rule_last_resort(facts: Facts, setting: Setting) -> RuleResult:
    kinds = set(setting.parameters.get("residential_kinds", []))
    if facts.institution.kind not in kinds:
        return _result(
            facts, setting, PASS, _("Not residential care: no last-resort reasons needed.")
        )
    shortest = max(_int(setting.parameters.get("min_reason_length"), 1), 1)
    reasons = {
        "parents": (facts.last_resort_parents, _("parents with support")),
        "kinship": (facts.last_resort_kinship, _("kinship care")),
        "foster": (facts.last_resort_foster, _("foster care")),
    }
    missing = [label for text, label in reasons.values() if len(" ".join(text.split())) < shortest]
    if missing:
        return _result(
            facts,
            setting,
            FAIL,
            _("Residential care is the last resort. Record why each is unsuitable: %(missing)s."),
            missing=", ".join(str(label) for label in missing),
        )
    return _result(
        facts,
        setting,
        PASS,
        _("Reasons recorded why parents with support, kinship and foster care are unsuitable."),
    )


def sibling_ids(child: Person) -> set[int]:
    """Siblings recorded either way round in the people registry."""
    forward = PersonRelation.objects.filter(child=child, relation="sibling").values_list(
        "relative_id", flat=True
    )
    backward = PersonRelation.objects.filter(relative=child, relation="sibling").values_list(
        "child_id", flat=True
    )
    return (set(forward) | set(backward)) - {child.pk}


def rule_siblings(facts: Facts, setting: Setting) -> RuleResult:
    siblings = sibling_ids(facts.child)
    # Only cases the deciding user may see count: otherwise previewing one
    # institution after another would tell whether a hidden sibling is on file
    # and where the sibling lives. A hidden sibling reads exactly like none.
    visible = cases_visible_to(facts.viewer) if facts.viewer is not None else Case.objects.none()
    placed = dict(
        Placement.objects.active()
        .filter(child_id__in=siblings, case__in=visible)
        .values_list("child_id", "institution_id")
    )
    in_care = set(
        visible.filter(child_id__in=siblings)
        .exclude(status=CaseStatus.CLOSED)
        .values_list("child_id", flat=True)
    )
    if not placed and not in_care:
        return _result(facts, setting, PASS, _("No siblings in care are recorded."))
    apart = {
        sibling
        for sibling in siblings
        if (sibling in placed and placed[sibling] != facts.institution.pk)
        or (sibling in in_care and sibling not in placed)
    }
    if apart:
        return _result(
            facts,
            setting,
            NEEDS_OVERRIDE,
            _(
                "%(count)s sibling(s) in care would live apart from the child: the supervisor "
                "must give a reason to separate them."
            ),
            count=len(apart),
        )
    together = sum(1 for sibling in siblings if placed.get(sibling) == facts.institution.pk)
    return _result(
        facts,
        setting,
        PASS,
        _("Siblings in care live at this institution too (%(count)s)."),
        count=together,
    )


def rule_school_distance(facts: Facts, setting: Setting) -> RuleResult:
    limit = max(_int(setting.parameters.get("max_km"), 10), 0)
    tenths = facts.school_distance_tenths_km
    if tenths is None:
        return _result(facts, setting, PASS, _("No distance to school recorded (not in school)."))
    km = _number(tenths / 10, 1)
    if tenths > limit * 10:
        return _result(
            facts,
            setting,
            NEEDS_OVERRIDE,
            _("The school is %(km)s km away, over the limit of %(limit)s km."),
            km=km,
            limit=limit,
        )
    return _result(
        facts,
        setting,
        PASS,
        _("The school is %(km)s km away (limit %(limit)s km)."),
        km=km,
        limit=limit,
    )


def rule_contact_plan(facts: Facts, setting: Setting) -> RuleResult:
    if not facts.contact_frequency or not facts.contact_supervision:
        return _result(
            facts,
            setting,
            NEEDS_OVERRIDE,
            _("No contact plan with the parents (how often, and how supervised)."),
        )
    if facts.contact_frequency == "none" and not facts.contact_restriction:
        return _result(
            facts,
            setting,
            NEEDS_OVERRIDE,
            _(
                "No contact with the parents is planned without a restriction on record "
                "(an alleged perpetrator or a court order)."
            ),
        )
    return _result(facts, setting, PASS, _("A contact plan with the parents is recorded."))


# The order of the preview: the hard rules first, then the soft ones.
RULES: tuple[tuple[str, Callable[[Facts, Setting], RuleResult]], ...] = (
    ("religion", rule_religion),
    ("registration", rule_registration),
    ("suspended", rule_suspended),
    ("capacity", rule_capacity),
    ("sex", rule_sex),
    ("age", rule_age),
    ("assessment", rule_assessment),
    ("last_resort", rule_last_resort),
    ("siblings", rule_siblings),
    ("school_distance", rule_school_distance),
    ("contact_plan", rule_contact_plan),
)


def evaluate(facts: Facts, settings_now: Mapping[str, Setting] | None = None) -> list[RuleResult]:
    """Every rule's result, in the preview's order."""
    configured = settings_now if settings_now is not None else current_settings()
    results = []
    for code, rule in RULES:
        setting = configured[code]
        if not setting.active:
            results.append(
                _result(facts, setting, PASS, _("Not checked: this rule is switched off."))
            )
            continue
        results.append(rule(facts, setting))
    return results


@dataclass(frozen=True)
class Verdict:
    results: list[RuleResult]
    # What was checked (``subject_of``): a preview binds the commit to the same decision.
    subject: tuple[Any, ...] = ()

    @property
    def hard_failures(self) -> list[RuleResult]:
        return [r for r in self.results if r.outcome == FAIL]

    @property
    def needs_override(self) -> list[RuleResult]:
        return [r for r in self.results if r.outcome == NEEDS_OVERRIDE]

    @property
    def refused(self) -> bool:
        return bool(self.hard_failures)

    @property
    def clear(self) -> bool:
        return not self.hard_failures and not self.needs_override

    def snapshot(self) -> list[dict[str, Any]]:
        return [result.as_json() for result in self.results]

    def fingerprint(self) -> str:
        """What the user saw in the preview; a commit with another outcome is shown again."""
        outcomes = [(r.code, r.outcome, r.setting.legal_basis_id) for r in self.results]
        # Outcomes alone would let a commit name another institution (or start day)
        # than the one previewed whenever both give the same outcomes.
        payload = {"outcomes": outcomes, "subject": list(self.subject)}
        return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()[:16]


def subject_of(facts: Facts) -> tuple[Any, ...]:
    """Every fact the rules were given, as plain values."""
    return (
        facts.case.pk,
        facts.child.pk,
        facts.institution.pk,
        facts.decided_on.isoformat(),
        facts.starts_on.isoformat(),
        facts.last_resort_parents,
        facts.last_resort_kinship,
        facts.last_resort_foster,
        facts.school_distance_tenths_km,
        facts.contact_frequency,
        facts.contact_supervision,
        facts.contact_restriction,
        facts.transfer_from.pk if facts.transfer_from is not None else None,
        " ".join(facts.religion_respect.split()),
    )


def verdict(facts: Facts) -> Verdict:
    return Verdict(evaluate(facts), subject_of(facts))


def shown(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A stored rule result in the active language, for the templates."""
    english = _lang() == "en"
    return {
        "code": entry.get("code", ""),
        "outcome": entry.get("outcome", ""),
        "hard": bool(entry.get("hard")),
        "title": entry.get("title_en" if english else "title_id", ""),
        "message": entry.get("message_en" if english else "message_id", ""),
        "legal_basis": entry.get("legal_basis_en" if english else "legal_basis_id", ""),
        "reference": legal_reference(
            entry.get("legal_basis_en" if english else "legal_basis_id", "")
        ),
        "parameters": entry.get("parameters", {}),
        "fix_url": entry.get("fix_url", ""),
        "fix_label": entry.get("fix_label_en" if english else "fix_label_id", ""),
    }
