"""Demo parent programmes and community sessions (all synthetic).

Built through the families services, as staff would record them, on the demo
cases of ``kawal.demo.cases``:

- a programme **just started** (a session planned, nothing held yet), on a
  family in RT 012 Manggar, with a home visit **waiting for the ``rt``
  account's confirmation**;
- one **half-way** (three sessions held, one missed; a visit the RT confirmed);
- one **compliant and ready for reunification** (five sessions attended, an
  undertaking kept, the last visit safe, support granted) — ready when the
  case also has a fresh low-risk safety assessment, which
  ``kawal.demo.assessments`` signs: load that first and this programme goes
  on the case it assessed as low risk;
- one with a **broken undertaking** (not complying);
- a **community session** in Klandasan Ilir, a hotspot kelurahan of
  ``kawal.demo.hotspots``, with materials and a family at risk noted, and a
  second in Muara Rapak.

Idempotent: nothing is added when the demo programmes exist.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from kawal.accounts.models import Agency, User
from kawal.cases import services as case_svc
from kawal.cases.models import Case, CaseMember, CaseStatus
from kawal.demo.cases import _png
from kawal.families import services as svc
from kawal.families.models import HomeVisit, ParentProgramme, ProgrammeParent, Undertaking
from kawal.regions.models import Region

MARK = "(sintetis)"
MANGGAR = "64.71.01.1001"  # the demo `rt` account's RT 012
KLANDASAN_ILIR = "64.71.06.1004"  # hotspot: Simpang empat Klandasan
MUARA_RAPAK = "64.71.03.1004"  # hotspot: Simpang Muara Rapak
OPEN = (CaseStatus.PLAN, CaseStatus.INTERVENTION, CaseStatus.REINTEGRATION)


def _widen(case: Case, user: User, classes: set[str], role: str) -> None:
    """Put the user on the team with at least these classes (the programme is progress data)."""
    member = CaseMember.objects.filter(case=case, user=user, removed_at__isnull=True).first()
    if member is not None and classes <= set(member.data_classes):
        return
    if member is not None:
        case_svc.member_remove(member, acting_user=case.owner)
        classes |= set(member.data_classes)
        role = member.case_role
    case_svc.member_add(
        case, user=user, case_role=role, data_classes=sorted(classes), acting_user=case.owner
    )


def _ready_case(candidates: list[Case]) -> Case | None:
    """A case with a fresh safety assessment that is not high risk, if the demo has one."""
    try:
        from kawal.assessments.selectors import latest_signed
    except ImportError:
        return None
    for case in candidates:
        summary = latest_signed(case, "safety-risk")
        if summary is not None and summary.band_code in ("low", "medium"):
            return case
    return None


def _at(today: date, days: int) -> date:
    return today - timedelta(days=days)


def _parents(case: Case) -> list:
    return [link.relative for link in case.child.relatives.select_related("relative")]


def _start(case: Case, owner: User, facilitator: User, today: date, days: int) -> ParentProgramme:
    return svc.programme_start(
        case,
        facilitator=facilitator,
        started_on=_at(today, days),
        planned_sessions=4,
        goals=f"Orang tua memahami hak anak dan mengasuh tanpa menyuruh anak bekerja {MARK}",
        parents=_parents(case),
        acting_user=owner,
    )


def _sessions(
    programme: ParentProgramme, psychologist: User, today: date, days: list[int], missed: set[int]
) -> None:
    parents = list(ProgrammeParent.objects.filter(programme=programme))
    topics = [
        "Hak anak dan bahaya anak bekerja di jalan",
        "Disiplin positif tanpa kekerasan",
        "Mengelola keuangan keluarga",
        "Komunikasi dengan anak remaja",
        "Merencanakan anak kembali ke rumah",
    ]
    for index, day in enumerate(days):
        svc.session_record(
            programme,
            kind="counselling" if index % 2 else "education",
            format="individual" if index % 2 else "group",
            status="held",
            held_on=_at(today, day),
            facilitator=psychologist,
            topic=f"{topics[index % len(topics)]} {MARK}",
            summary=f"Orang tua aktif bertanya dan mencatat {MARK}" if index not in missed else "",
            clinical_note=f"Ibu tampak cemas, mulai terbuka {MARK}"
            if index % 2 and index not in missed
            else "",
            attended=[] if index in missed else parents,
            acting_user=psychologist,
        )


def _visit(
    programme: ParentProgramme,
    visitor: User,
    today: date,
    days: int,
    *,
    safe: bool,
    rt_agency: Agency | None,
    findings: str,
) -> HomeVisit:
    return svc.visit_record(
        programme,
        visited_on=_at(today, days),
        visitors=[visitor],
        other_visitors="",
        findings=f"{findings} {MARK}",
        found_safe=safe,
        confirming_agency=rt_agency,
        acting_user=visitor,
    )


def _undertaking(programme: ParentProgramme, owner: User, today: date, days: int) -> Undertaking:
    return svc.undertaking_record(
        programme,
        text=(
            "Kami berjanji tidak menyuruh anak berjualan atau meminta-minta, dan menyekolahkan "
            f"anak {MARK}"
        ),
        signed_on=_at(today, days),
        signed_by=list(programme.parents.all()),
        upload=_png_scan(),
        acting_user=owner,
    )


def _png_scan() -> SimpleUploadedFile:
    return _png(random.Random(7))  # noqa: S311 - a synthetic picture, not security


def _in_manggar(case: Case, owner: User) -> Case:
    """The family lives in RT 012 Manggar, the demo `rt` account's neighbourhood."""
    child = case.child
    if child.kelurahan_id != MANGGAR:
        case_svc.child_update(
            case,
            expected_version=child.version,
            changes={"kelurahan": Region.objects.get(code=MANGGAR), "rt": "012"},
            aliases=None,
            acting_user=owner,
        )
    return Case.objects.select_related("child", "owner").get(pk=case.pk)


def demo_load_families() -> int:
    """Create the demo programmes and community sessions; returns how many records were made."""
    if ParentProgramme.objects.filter(goals__endswith=MARK).exists():
        return 0
    users = {user.username: user for user in User.objects.filter(is_demo_account=True)}
    manager, psychologist = users.get("manajer"), users.get("psikolog")
    social_worker, rt_user = users.get("dinsos"), users.get("rt")
    if manager is None or psychologist is None or social_worker is None or rt_user is None:
        return 0
    candidates = list(
        Case.objects.filter(owner=manager, status__in=OPEN)
        .exclude(parent_programmes__isnull=False)
        .filter(child__relatives__isnull=False)
        .select_related("child", "owner")
        .distinct()
        .order_by("number")
    )
    if len(candidates) < 4:
        return 0
    today = timezone.localdate()
    rt_manggar = rt_user.agency
    made = 0
    with transaction.atomic():
        ready = _ready_case(candidates) or candidates[0]
        others = [case for case in candidates if case.pk != ready.pk]
        in_manggar = [case for case in others if case.child.kelurahan_id == MANGGAR]
        started = in_manggar[0] if in_manggar else others[0]
        rest = [case for case in others if case.pk != started.pk]
        halfway, broken = rest[0], rest[1]
        started = _in_manggar(started, manager)
        halfway = _in_manggar(halfway, manager)
        for case in (ready, started, halfway, broken):
            _widen(case, psychologist, {"identity", "clinical", "progress"}, "Psikolog orang tua")
        _widen(ready, social_worker, {"identity", "progress", "financial"}, "Pekerja sosial")

        # Compliant and ready for reunification.
        programme = _start(ready, manager, psychologist, today, 120)
        _sessions(programme, psychologist, today, [110, 90, 70, 50, 30], missed=set())
        undertaking = _undertaking(programme, manager, today, 112)
        svc.undertaking_set_state(
            undertaking,
            state="kept",
            on=_at(today, 14),
            note=f"Tiga bulan tanpa anak terlihat di jalan {MARK}",
            expected_version=1,
            acting_user=manager,
        )
        ready_rt = rt_manggar if ready.child.kelurahan_id == MANGGAR else None
        visit = _visit(
            programme,
            psychologist,
            today,
            9,
            safe=True,
            rt_agency=ready_rt,
            findings="Rumah layak, orang tua siap menerima anak kembali",
        )
        if ready_rt is not None:
            svc.visit_confirm(visit, outcome="confirmed", note="", acting_user=rt_user)
        referral = svc.support_refer(
            programme,
            kind="social_assistance",
            to_agency=social_worker.agency,
            to_other="",
            referred_on=_at(today, 100),
            reason=f"Ayah bekerja harian, penghasilan tidak tetap {MARK}",
            acting_user=social_worker,
        )
        svc.support_outcome(
            referral,
            outcome="granted",
            outcome_on=_at(today, 60),
            note=f"Terdaftar sebagai penerima PKH {MARK}",
            expected_version=1,
            acting_user=social_worker,
        )
        made += 1

        # Just started, with a home visit waiting for the `rt` account.
        programme = _start(started, manager, psychologist, today, 5)
        svc.session_record(
            programme,
            kind="education",
            format="group",
            status="planned",
            held_on=today + timedelta(days=4),
            facilitator=psychologist,
            topic=f"Hak anak dan bahaya anak bekerja di jalan {MARK}",
            summary="",
            clinical_note="",
            attended=[],
            acting_user=psychologist,
        )
        _visit(
            programme,
            psychologist,
            today,
            1,
            safe=True,
            rt_agency=rt_manggar,
            findings="Orang tua menerima kunjungan; rumah sempit tetapi bersih",
        )
        made += 1

        # Half-way: one session missed, a visit the RT head confirmed.
        programme = _start(halfway, manager, psychologist, today, 45)
        _sessions(programme, psychologist, today, [40, 30, 20], missed={1})
        _undertaking(programme, manager, today, 38)
        visit = _visit(
            programme,
            psychologist,
            today,
            18,
            safe=True,
            rt_agency=rt_manggar,
            findings="Ayah mulai bekerja sebagai tukang parkir resmi",
        )
        svc.visit_confirm(visit, outcome="confirmed", note="", acting_user=rt_user)
        made += 1

        # A broken undertaking: the child was seen selling again.
        programme = _start(broken, manager, psychologist, today, 60)
        _sessions(programme, psychologist, today, [50, 35], missed={1})
        undertaking = _undertaking(programme, manager, today, 55)
        svc.undertaking_set_state(
            undertaking,
            state="broken",
            on=_at(today, 7),
            note=f"Anak kembali terlihat berjualan tisu di simpang pada malam hari {MARK}",
            expected_version=1,
            acting_user=manager,
        )
        _visit(
            programme,
            psychologist,
            today,
            6,
            safe=False,
            rt_agency=None,
            findings="Orang tua menolak berbicara; anak adik tampak tidak terurus",
        )
        made += 1

        made += _community(psychologist, social_worker, today)
    return made


def _community(psychologist: User, social_worker: User, today: date) -> int:
    session = svc.community_session_create(
        kelurahan=Region.objects.get(code=KLANDASAN_ILIR),
        rt="005",
        held_on=_at(today, 12),
        topic=f"Anak bukan untuk dipekerjakan: bahaya eksploitasi anak di jalan {MARK}",
        venue=f"Balai pertemuan kelurahan {MARK}",
        facilitators=[psychologist, social_worker],
        other_facilitators=f"Bhabinkamtibmas, kader PKK {MARK}",
        counts={"girls": 6, "boys": 9, "women": 24, "men": 13, "older_women": 4, "older_men": 2},
        notes=f"Warga menyebut anak-anak berjualan di simpang empat setelah magrib {MARK}",
        acting_user=psychologist,
    )
    svc.community_material_add(
        session,
        title=f"Pesan kunci {MARK}",
        text=(
            "1. Anak berhak bermain dan bersekolah.\n"
            "2. Menyuruh anak berjualan atau mengemis adalah eksploitasi (UU 35/2014).\n"
            "3. Laporkan anak di jalan ke SAPA 129 atau Ketua RT."
        ),
        upload=None,
        acting_user=psychologist,
    )
    svc.community_material_add(
        session,
        title=f"Poster sosialisasi {MARK}",
        text="",
        upload=_png_scan(),
        acting_user=psychologist,
    )
    svc.community_family_add(
        session,
        family_name=f"Keluarga Bapak Rahmat {MARK}",
        rt="005",
        concern=f"Dua anak sering terlihat di simpang empat malam hari {MARK}",
        person=None,
        acting_user=psychologist,
    )
    svc.community_session_create(
        kelurahan=Region.objects.get(code=MUARA_RAPAK),
        rt="",
        held_on=_at(today, 40),
        topic=f"Pola asuh positif bagi orang tua {MARK}",
        venue=f"Masjid lingkungan {MARK}",
        facilitators=[psychologist],
        other_facilitators="",
        counts={"girls": 0, "boys": 0, "women": 18, "men": 7, "older_women": 2, "older_men": 1},
        notes="",
        acting_user=psychologist,
    )
    return 2
