"""The catalogue of roles, data classes and capabilities, declared as data.

This module is the single source of truth for *what a role may do*. Later
layers add *to which case* (team membership, ownership, referral, break-glass)
in ``kawal.access.policy``; nothing else in the code base compares a role to a
literal. Changing who may do what means changing a row here and the matrix
test that mirrors it.

The module imports no domain app: domains consult it, never the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    DP3AKB = "dp3akb", _("Child protection office (DP3AKB)")
    UPTD_PPA = "uptd_ppa", _("Women and child protection unit (UPTD PPA)")
    POLICE = "police", _("Police")
    SATPOL_PP = "satpol_pp", _("Public order police (Satpol PP)")
    DINAS_SOSIAL = "dinas_sosial", _("Social services office (Dinas Sosial)")
    PSYCHOLOGY = "psychology", _("Psychology service")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood (RT)")
    CHILD_CARE_INSTITUTION = "child_care_institution", _("Child care institution (LKSA/pesantren)")
    EDUCATION_OFFICE = "education_office", _("Education office")
    HEALTH = "health", _("Health service")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    CASE_MANAGER = "case_manager", _("Case manager")
    SUPERVISOR = "supervisor", _("Supervisor")
    SHELTER_STAFF = "shelter_staff", _("Shelter staff")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    INVESTIGATOR = "investigator", _("Investigator")
    PATROL_OFFICER = "patrol_officer", _("Patrol officer")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    RT_HEAD = "rt_head", _("RT head")
    INSTITUTION_STAFF = "institution_staff", _("Institution staff")
    SCHOOL_LIAISON = "school_liaison", _("School liaison")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("Data protection officer")


class DataClass(models.TextChoices):
    """Classes of case data; every model field about a child declares one."""

    BASIC = "basic", _("Basic (case number, status, dates)")
    IDENTITY = "identity", _("Identity (names, photo, NIK/KK, birth date, home address)")
    WHEREABOUTS = "whereabouts", _("Whereabouts (shelter, institution, school)")
    CLINICAL = "clinical", _("Clinical (psychologists' notes and answers)")
    # What those leading a child's care decide on, without the clinical notes
    # behind it: the case manager follows the trend, never the notes.
    PROGRESS = "progress", _("Care progress (observation scores, trends, assessment results)")
    INVESTIGATION = "investigation", _("Investigation (police)")
    FINANCIAL = "financial", _("Financial")
    # Who reported a child and how to reach them: a neighbour reporting a
    # family is at risk if the family learns of it.
    REPORTER = "reporter", _("Reporter (who reported the child, and their contact)")


class Action(models.TextChoices):
    READ = "read", _("read")
    WRITE = "write", _("write")


class Capability(models.TextChoices):
    """Things a role may do, each shown to the user on their home page."""

    OPEN_CASE = "open_case", _("Open a case for a child and lead it")
    MANAGE_OWN_CASES = "manage_own_cases", _("Plan, update and close the cases you own")
    APPROVE = "approve", _("Approve case plans and closures of your team")
    BREAK_GLASS = "break_glass", _("Open emergency read access to a case, giving a reason")
    TRIAGE_REPORTS = "triage_reports", _("Triage reports from the public and the hotline")
    TAKE_REPORT = "take_report", _("Record a report about a child at risk")
    LOG_OUTREACH = "log_outreach", _("Log outreach operations and the children found")
    RECORD_CARE = "record_care", _("Record shelter admissions and daily care")
    RECORD_CLINICAL = "record_clinical", _("Write assessments and daily observations")
    RUN_PARENTING = "run_parenting", _("Run parenting and community awareness sessions")
    RECORD_INVESTIGATION = (
        "record_investigation",
        _("Record police reports, perpetrators and the legal process"),
    )
    MANAGE_PLACEMENT = "manage_placement", _("Prepare and check placements in institutions")
    MANAGE_INSTITUTIONS = (
        "manage_institutions",
        _("Keep the register of institutions, their registrations and inspections"),
    )
    MANAGE_FUNDING = "manage_funding", _("Commit funds for a child's care and prepare payments")
    RECORD_PAYMENT = "record_payment", _("Approve payments for children's care and record them")
    CONFIRM_HOME = "confirm_home", _("Confirm a child's home situation")
    CARE_FOR_PLACED = "care_for_placed", _("See and care for the children placed with you")
    SCHOOL_REENROLMENT = "school_reenrolment", _("Re-enrol children cleared as safe in school")
    VIEW_DASHBOARD = "view_dashboard", _("See the city's figures")
    VIEW_HOTSPOT_MAP = "view_hotspot_map", _("See where children are being found")
    MANAGE_USERS = "manage_users", _("Create accounts and send set-password links")
    MANAGE_CONFIGURATION = "manage_configuration", _("Manage agencies and regions")
    VIEW_ACCESS_LOG = "view_access_log", _("See who viewed a child's file")
    REVIEW_BREAK_GLASS = "review_break_glass", _("Review emergency access to case files")
    REVIEW_DUPLICATES = (
        "review_duplicates",
        _("Review possible duplicate children and merge their records"),
    )
    EXPORT_CASE_DATA = (
        "export_case_data",
        _("Export case summaries and case lists (logged; large exports need approval)"),
    )
    APPROVE_EXPORT = "approve_export", _("Approve large exports of children's data")
    EXPORT_SIMFONI = "export_simfoni", _("Export cases for double entry into SIMFONI-PPA")
    PUBLISH_FIGURES = (
        "publish_figures",
        _("Prepare and approve the city's public figures (four eyes)"),
    )


@dataclass(frozen=True)
class RoleSpec:
    """What one role may do.

    ``agency_kinds`` lists the agencies a holder of the role may belong to
    (empty = any agency). ``read`` and ``write`` are the data classes the role
    may see and change *on cases it is related to*; the relationship itself is
    checked by the policy, never implied by the role alone.
    """

    role: Role
    summary: str | Promise
    agency_kinds: frozenset[AgencyKind]
    read: frozenset[DataClass]
    write: frozenset[DataClass]
    capabilities: frozenset[Capability]


def _spec(
    role: Role,
    summary: str | Promise,
    *,
    agencies: tuple[AgencyKind, ...] = (),
    read: tuple[DataClass, ...] = (),
    write: tuple[DataClass, ...] = (),
    can: tuple[Capability, ...] = (),
) -> RoleSpec:
    # A role that may change a class of data may also see it.
    return RoleSpec(
        role=role,
        summary=summary,
        agency_kinds=frozenset(agencies),
        read=frozenset(read) | frozenset(write),
        write=frozenset(write),
        capabilities=frozenset(can),
    )


D = DataClass
C = Capability
K = AgencyKind

ROLES: dict[Role, RoleSpec] = {
    spec.role: spec
    for spec in (
        _spec(
            Role.CASE_MANAGER,
            _("Owns cases: plans, coordinates the agencies and closes them."),
            agencies=(K.DP3AKB, K.UPTD_PPA),
            read=(D.INVESTIGATION, D.FINANCIAL, D.REPORTER, D.PROGRESS),
            write=(D.BASIC, D.IDENTITY, D.WHEREABOUTS),
            can=(
                C.OPEN_CASE,
                C.MANAGE_OWN_CASES,
                C.TRIAGE_REPORTS,
                C.TAKE_REPORT,
                C.LOG_OUTREACH,
                C.VIEW_DASHBOARD,
                C.VIEW_HOTSPOT_MAP,
                C.EXPORT_CASE_DATA,
                C.EXPORT_SIMFONI,
            ),
        ),
        _spec(
            Role.SUPERVISOR,
            _("Supervises case managers: approves plans and closures."),
            agencies=(K.DP3AKB, K.UPTD_PPA),
            read=(D.INVESTIGATION, D.FINANCIAL, D.REPORTER, D.PROGRESS),
            write=(D.BASIC, D.IDENTITY, D.WHEREABOUTS),
            can=(
                C.OPEN_CASE,
                C.MANAGE_OWN_CASES,
                C.APPROVE,
                C.BREAK_GLASS,
                C.REVIEW_DUPLICATES,
                C.TRIAGE_REPORTS,
                C.TAKE_REPORT,
                C.VIEW_DASHBOARD,
                C.VIEW_HOTSPOT_MAP,
                C.EXPORT_CASE_DATA,
                C.APPROVE_EXPORT,
                C.EXPORT_SIMFONI,
                C.PUBLISH_FIGURES,
            ),
        ),
        _spec(
            Role.SHELTER_STAFF,
            _("Admits children to the UPTD PPA shelter and records daily care."),
            agencies=(K.UPTD_PPA,),
            read=(D.IDENTITY,),
            write=(D.BASIC, D.WHEREABOUTS),
            can=(C.RECORD_CARE, C.VIEW_DASHBOARD),
        ),
        _spec(
            Role.PSYCHOLOGIST,
            _("Assesses and sees children daily; educates parents."),
            agencies=(K.DP3AKB, K.UPTD_PPA, K.PSYCHOLOGY),
            read=(D.BASIC, D.IDENTITY, D.WHEREABOUTS),
            write=(D.CLINICAL, D.PROGRESS),
            can=(C.RECORD_CLINICAL, C.RUN_PARENTING, C.VIEW_DASHBOARD, C.EXPORT_CASE_DATA),
        ),
        _spec(
            Role.INVESTIGATOR,
            _("Investigates the exploitation of children and its perpetrators."),
            agencies=(K.POLICE,),
            read=(D.BASIC, D.WHEREABOUTS),
            write=(D.IDENTITY, D.INVESTIGATION),
            can=(
                C.RECORD_INVESTIGATION,
                C.BREAK_GLASS,
                C.TAKE_REPORT,
                C.LOG_OUTREACH,
                C.VIEW_DASHBOARD,
                C.EXPORT_CASE_DATA,
            ),
        ),
        _spec(
            Role.PATROL_OFFICER,
            _("Logs outreach operations and the children found; sees nothing more of a case."),
            agencies=(K.SATPOL_PP, K.POLICE),
            can=(C.LOG_OUTREACH, C.TAKE_REPORT, C.VIEW_HOTSPOT_MAP),
        ),
        _spec(
            Role.SOCIAL_WORKER,
            _("Prepares placements in licensed institutions and follows the child."),
            agencies=(K.DINAS_SOSIAL,),
            read=(D.BASIC, D.IDENTITY, D.PROGRESS),
            write=(D.WHEREABOUTS, D.FINANCIAL),
            can=(
                C.MANAGE_PLACEMENT,
                C.MANAGE_INSTITUTIONS,
                C.MANAGE_FUNDING,
                C.RUN_PARENTING,
                C.VIEW_DASHBOARD,
                C.EXPORT_CASE_DATA,
            ),
        ),
        _spec(
            Role.FINANCE_OFFICER,
            _("Commits and pays for children's care."),
            agencies=(K.DINAS_SOSIAL,),
            read=(D.BASIC,),
            write=(D.FINANCIAL,),
            can=(C.MANAGE_FUNDING, C.RECORD_PAYMENT, C.VIEW_DASHBOARD),
        ),
        _spec(
            Role.RT_HEAD,
            _("Reports children at risk and confirms home situations; sees almost nothing back."),
            agencies=(K.NEIGHBOURHOOD,),
            can=(C.TAKE_REPORT, C.CONFIRM_HOME),
        ),
        _spec(
            Role.INSTITUTION_STAFF,
            _("Cares for the children placed with a licensed institution."),
            agencies=(K.CHILD_CARE_INSTITUTION,),
            read=(D.BASIC, D.IDENTITY, D.WHEREABOUTS),
            can=(C.CARE_FOR_PLACED,),
        ),
        _spec(
            Role.SCHOOL_LIAISON,
            _("Re-enrols children cleared as safe in school."),
            agencies=(K.EDUCATION_OFFICE,),
            read=(D.BASIC,),
            can=(C.SCHOOL_REENROLMENT,),
        ),
        _spec(
            Role.SYSTEM_ADMIN,
            _("Manages accounts and configuration; no access to case content."),
            can=(C.MANAGE_USERS, C.MANAGE_CONFIGURATION),
        ),
        _spec(
            Role.DATA_PROTECTION_OFFICER,
            _("Oversees who reads children's data; reviews emergency access."),
            read=(D.BASIC,),
            can=(C.VIEW_ACCESS_LOG, C.REVIEW_BREAK_GLASS, C.VIEW_DASHBOARD),
        ),
    )
}


def role_spec(role: str | None) -> RoleSpec | None:
    """The spec of a role, or None for anything unknown (which the policy denies)."""
    if role is None:
        return None
    try:
        return ROLES[Role(role)]
    except ValueError:
        return None


def classified(field: Any, data_class: DataClass) -> Any:
    """Declare the data class of a model field; pages, exports and the API filter on it."""
    field.data_class = data_class
    return field


def data_class_of(field: Any) -> DataClass:
    """A field's declared class; technical fields (keys, versions, stamps) count as basic."""
    return getattr(field, "data_class", DataClass.BASIC)
