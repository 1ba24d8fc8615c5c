"""Synthetic case files for the demo: about 60 invented children across Balikpapan.

Every name, number and story here is generated (SINTETIS). The cases are built
through the same service functions staff use, so the demo also exercises the
workflow guards, approvals and access rules.
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from kawal.accounts.models import Agency, User
from kawal.cases import services as svc
from kawal.cases.models import (
    ApprovalKind,
    Case,
    CaseForm,
    CaseStatus,
    IntakeChannel,
    NoteKind,
    PerpetratorRelation,
    RiskLevel,
    SharingBasis,
)
from kawal.people.models import Relation, SchoolStatus
from kawal.regions.models import Region

FIRST_NAMES_BOYS = [
    "Rizky",
    "Dimas",
    "Fajar",
    "Bayu",
    "Andi",
    "Rafi",
    "Ilham",
    "Yoga",
    "Arif",
    "Bagas",
    "Dani",
    "Eko",
    "Galih",
    "Hafiz",
    "Iqbal",
    "Joko",
    "Kevin",
    "Lutfi",
    "Rian",
    "Wahyu",
]
FIRST_NAMES_GIRLS = [
    "Siti",
    "Putri",
    "Ayu",
    "Dewi",
    "Nur",
    "Intan",
    "Rina",
    "Wulan",
    "Citra",
    "Fitri",
    "Lestari",
    "Mega",
    "Nabila",
    "Rahma",
    "Sari",
    "Tari",
    "Vina",
    "Yuni",
    "Zahra",
    "Indah",
]
FAMILY_NAMES = [
    "Saputra",
    "Pratama",
    "Hidayat",
    "Setiawan",
    "Wijaya",
    "Nugroho",
    "Rahman",
    "Kurniawan",
    "Lestari",
    "Permata",
    "Maharani",
    "Anggraini",
    "Syahputra",
    "Ramadhan",
    "Firmansyah",
]
NICKNAMES = ["Kiki", "Dede", "Ucok", "Neng", "Adek", "Butet", "Upik", "Ndut"]
PARENT_NAMES = ["Darman", "Sutrisno", "Bahtiar", "Rusdi", "Hamid", "Slamet", "Yusran", "Zainal"]

# How the 60 cases spread over the workflow.
STATUS_PLAN = (
    [CaseStatus.IDENTIFIED] * 8
    + [CaseStatus.ASSESSMENT] * 10
    + [CaseStatus.PLAN] * 8
    + [CaseStatus.INTERVENTION] * 12
    + [CaseStatus.REINTEGRATION] * 8
    + [CaseStatus.MONITORING] * 8
    + [CaseStatus.CLOSED] * 6
)
ORDER = [
    CaseStatus.IDENTIFIED,
    CaseStatus.ASSESSMENT,
    CaseStatus.PLAN,
    CaseStatus.INTERVENTION,
    CaseStatus.REINTEGRATION,
    CaseStatus.MONITORING,
    CaseStatus.CLOSED,
]


def _synthetic_nik(rng: random.Random, born: date, female: bool, kecamatan: str) -> str:
    day = born.day + (40 if female else 0)
    return f"6471{kecamatan}{day:02d}{born.month:02d}{born.year % 100:02d}{rng.randint(9000, 9999)}"


def _png(rng: random.Random) -> SimpleUploadedFile:
    image = Image.new("RGB", (320, 200), (rng.randint(150, 255), 230, 220))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("surat-pernyataan.png", buffer.getvalue(), content_type="image/png")


def demo_load_cases(*, count: int = 60, seed: int = 2026) -> int:
    """Create the demo cases unless they exist; returns how many were created."""
    if Case.objects.exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    users = {user.username: user for user in User.objects.filter(is_demo_account=True)}
    manager, supervisor = users["manajer"], users["supervisor"]
    agencies = {agency.short_name: agency for agency in Agency.objects.all()}
    kelurahan = list(Region.objects.filter(level="kelurahan", code__startswith="64.71."))
    today = timezone.localdate()
    created = 0
    previous: Case | None = None
    with transaction.atomic():
        for index in range(count):
            female = rng.random() < 0.45
            first = rng.choice(FIRST_NAMES_GIRLS if female else FIRST_NAMES_BOYS)
            family = rng.choice(FAMILY_NAMES)
            parent = rng.choice(PARENT_NAMES)
            place = rng.choice(kelurahan)
            age = rng.randint(4, 16)
            known_birth = rng.random() < 0.55
            born = today - timedelta(days=age * 365 + rng.randint(0, 360))
            has_nik = known_birth and rng.random() < 0.6
            child = {
                "full_name": f"{first} {family} {'binti' if female else 'bin'} {parent}",
                "sex": "F" if female else "M",
                "birth_date": born if known_birth else None,
                "birth_date_estimated": known_birth and rng.random() < 0.3,
                "age_min": None if known_birth else max(age - 1, 3),
                "age_max": None if known_birth else age + 1,
                "nik_status": "known" if has_nik else rng.choice(["none", "unknown"]),
                "nik": _synthetic_nik(rng, born, female, place.code[6:8]) if has_nik else "",
                "school_status": rng.choice(list(SchoolStatus.values)),
                "kelurahan": place,
                "rt": f"{rng.randint(1, 45):03d}",
                "street": f"Jl. Contoh Sintetis No. {rng.randint(1, 120)}",
                "languages": "Indonesia",
            }
            if child["nik_status"] == "none":
                child["nik_missing_reason"] = "Belum tercatat di Dukcapil (sintetis)"
            risk = rng.choice([RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.MEDIUM, RiskLevel.HIGH])
            owner = manager
            # Siblings are linked by whoever leads both cases.
            linkable = previous is not None and previous.owner_id == owner.pk
            sibling = previous if linkable and rng.random() < 0.12 else None
            case = svc.case_open(
                svc.NewCase(
                    child=child,
                    aliases=[rng.choice(NICKNAMES)] if rng.random() < 0.5 else [],
                    intake_channel=rng.choice(list(IntakeChannel.values)),
                    risk_level=risk,
                    risk_rationale="Anak ditemukan berjualan malam hari (sintetis)"
                    if risk == RiskLevel.HIGH
                    else "",
                    forms=rng.sample(
                        [
                            CaseForm.FORCED_SELLING,
                            CaseForm.FORCED_BEGGING,
                            CaseForm.NEGLECT,
                            CaseForm.BEGGING_WITH_PARENT,
                            CaseForm.CHILD_LABOUR,
                        ],
                        k=rng.randint(1, 2),
                    ),
                    supervisor=supervisor,
                    opened_on=today - timedelta(days=rng.randint(5, 240)),
                    sibling_of=sibling,
                ),
                acting_user=owner,
            )
            svc.case_update(
                case,
                expected_version=case.version,
                changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
                acting_user=owner,
            )
            case.refresh_from_db()
            _build(
                case,
                owner,
                supervisor,
                users,
                agencies,
                rng,
                STATUS_PLAN[index % len(STATUS_PLAN)],
                today,
            )
            previous = case
            created += 1
    return created


def _build(
    case: Case,
    owner: User,
    supervisor: User,
    users: dict[str, User],
    agencies: dict[str, Agency],
    rng: random.Random,
    target: str,
    today: date,
) -> None:
    relative = svc.relative_add(
        case,
        # The last word of "X bin Y" is the father's name.
        person={
            "full_name": case.child.full_name.rsplit(" ", 1)[-1],
            "sex": "M",
            "occupation": "Buruh harian (sintetis)",
        },
        relation=Relation.FATHER,
        is_guardian=True,
        acting_user=owner,
    )
    svc.member_add(
        case,
        user=users["psikolog"],
        case_role="Psikolog pendamping",
        data_classes=["identity", "whereabouts", "clinical", "progress"],
        acting_user=owner,
    )
    if rng.random() < 0.6:
        svc.member_add(
            case,
            user=users["polisi"],
            case_role="Penyidik Renakta",
            data_classes=["identity", "investigation", "whereabouts"],
            acting_user=owner,
        )
        case.refresh_from_db()
        svc.case_update(
            case,
            expected_version=case.version,
            acting_user=users["polisi"],
            changes={
                "police_report_number": f"LP/B/{rng.randint(100, 999)}/2026/SPKT (sintetis)",
                "legal_stage": "penyelidikan",
                "investigator": users["polisi"],
            },
        )
        svc.perpetrator_add(
            case,
            person=relative.relative,
            relationship=PerpetratorRelation.ORANG_TUA,
            acting_user=users["polisi"],
        )
        svc.note_add(
            case,
            data_class="investigation",
            kind=NoteKind.INVESTIGATION,
            acting_user=users["polisi"],
            body="Orang tua mengakui menyuruh anak berjualan tisu (catatan sintetis).",
        )
    if rng.random() < 0.5:
        svc.member_add(
            case,
            agency=agencies["UPTD PPA"],
            case_role="Rumah aman",
            data_classes=["identity", "whereabouts"],
            acting_user=owner,
        )
    if rng.random() < 0.4:
        svc.member_add(
            case,
            user=users["dinsos"],
            case_role="Pekerja sosial",
            data_classes=["identity", "whereabouts", "financial"],
            acting_user=owner,
        )
        svc.member_add(
            case,
            user=users["keuangan"],
            case_role="Keuangan Dinsos",
            data_classes=["financial"],
            acting_user=owner,
        )
        svc.note_add(
            case,
            data_class="financial",
            acting_user=users["keuangan"],
            body="Biaya makan dan sekolah dianggarkan Rp 750.000 per bulan (sintetis).",
        )
        svc.note_add(
            case,
            data_class="identity",
            acting_user=owner,
            body="Di jalan dikenal dengan nama panggilan lain oleh pedagang sekitar (sintetis).",
        )
        svc.note_add(
            case,
            data_class="whereabouts",
            acting_user=owner,
            body="Anak sementara tinggal di rumah aman UPTD PPA (sintetis).",
        )
    svc.note_add(
        case,
        data_class="basic",
        acting_user=owner,
        body="Kunjungan rumah dijadwalkan bersama Ketua RT (catatan sintetis).",
    )
    svc.task_create(
        case,
        title="Kunjungan rumah dan asesmen keluarga",
        assignee=owner,
        assignee_agency=None,
        due_on=today + timedelta(days=rng.randint(-10, 20)),
        acting_user=owner,
    )
    if rng.random() < 0.15:
        svc.attachment_add(
            case,
            upload=_png(rng),
            title="Surat pernyataan orang tua (sintetis)",
            data_class="identity",
            acting_user=owner,
        )
    steps = ORDER[: ORDER.index(CaseStatus(target)) + 1]
    for step in steps[1:]:
        case.refresh_from_db()
        if step == CaseStatus.PLAN:
            svc.note_add(
                case,
                data_class="clinical",
                kind=NoteKind.ASSESSMENT,
                acting_user=users["psikolog"],
                body="Anak tampak cemas, tidur kurang; observasi harian dilanjutkan (sintetis).",
            )
        if step == CaseStatus.INTERVENTION:
            approval = svc.approval_request(
                case, kind=ApprovalKind.PLAN, comment="", acting_user=owner
            )
            svc.approval_decide(approval, approve=True, comment="Setuju.", acting_user=supervisor)
        if step == CaseStatus.REINTEGRATION:
            svc.task_create(
                case,
                title="Koordinasi sekolah",
                assignee=None,
                assignee_agency=agencies["Disdikbud"],
                due_on=today + timedelta(days=rng.randint(-5, 15)),
                acting_user=owner,
            )
        reason = ""
        if step == CaseStatus.CLOSED:
            approval = svc.approval_request(
                case, kind=ApprovalKind.CLOSURE, comment="", acting_user=owner
            )
            svc.approval_decide(
                approval, approve=True, comment="Tujuan tercapai.", acting_user=supervisor
            )
            reason = (
                "Anak kembali bersekolah dan tidak ditemukan di jalan selama 3 bulan (sintetis)."
            )
        owner_now = case.owner
        svc.case_transition(case, target=step, reason=reason, acting_user=owner_now)
