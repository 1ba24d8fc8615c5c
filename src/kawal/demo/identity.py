"""Demo data for identity resolution: children registered twice, and an outreach operation.

All synthetic. Some demo children are registered a second time under another
spelling (as a second agency would), so the duplicate queue has work; an
outreach operation finds one known child and one new one.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from kawal.accounts.models import Agency, User
from kawal.cases import services as svc
from kawal.cases.models import Case, CaseForm, SharingBasis
from kawal.identity import dedupe
from kawal.identity.index import lookup, query_record
from kawal.identity.normalise import normalise_name
from kawal.outreach import services as outreach
from kawal.outreach.models import Operation
from kawal.regions.models import Region


def _respell(full_name: str, rng: random.Random) -> str:
    """Another agency's spelling of the same name: the errors identity matching expects."""
    given = normalise_name(full_name).tokens
    words = [word.capitalize() for word in given]
    changes = [
        lambda w: w.replace("i", "y", 1) if w.endswith("i") else w + "h",
        lambda w: w.replace("u", "oe", 1),
        lambda w: w.replace("j", "dj", 1) if "j" in w else w.replace("a", "aa", 1),
    ]
    words[-1] = rng.choice(changes)(words[-1])
    if words[0] == "Muhamad":
        words[0] = rng.choice(["Moh.", "M.", "Mochammad"])
    return " ".join(words)


def demo_load_identity(*, seed: int = 4) -> dict[str, int]:
    """Second registrations, an operation with captures, then a registry scan."""
    if Operation.objects.exists():
        return {"duplicates": 0, "captures": 0}
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    users = {user.username: user for user in User.objects.filter(is_demo_account=True)}
    manager, supervisor = users["manajer"], users["supervisor"]
    closed = list(Case.objects.filter(status="closed").select_related("child")[:6])
    duplicates = 0
    with transaction.atomic():
        for earlier in closed[:4]:
            child = earlier.child
            case = svc.case_open(
                svc.NewCase(
                    child={
                        "full_name": _respell(child.full_name, rng),
                        "sex": child.sex,
                        "age_min": (child.age_on() or 8),
                        "age_max": (child.age_on() or 8) + 1,
                        "kelurahan": child.kelurahan,
                        "nik_status": "unknown",
                    },
                    intake_channel="police",
                    risk_level="medium",
                    forms=[CaseForm.FORCED_SELLING],
                    supervisor=supervisor,
                    opened_on=timezone.localdate() - timedelta(days=rng.randint(1, 4)),
                ),
                acting_user=manager,
            )
            svc.case_update(
                case,
                expected_version=case.version,
                changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
                acting_user=manager,
            )
            duplicates += 1
        captures = _operation(manager, users["satpolpp"], closed[4:6], rng)
    dedupe.run(full=True)
    return {"duplicates": duplicates, "captures": captures}


def _operation(manager: User, patrol: User, known: list[Case], rng: random.Random) -> int:
    area = Region.objects.get(code="64.71.06.1004")
    starts = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=2), time(19, 30))
    )
    operation = outreach.operation_create(
        title="Operasi malam Simpang Rapak (sintetis)",
        starts_at=starts,
        area=area,
        area_note="Simpang empat lampu merah, depan pusat perbelanjaan",
        agencies=list(Agency.objects.filter(kind__in=["satpol_pp", "dp3akb"])),
        acting_user=manager,
    )
    count = 0
    for case in known:
        told = normalise_name(case.child.full_name).tokens[-1].capitalize()
        age = case.child.age_on() or 9
        data = outreach.CaptureInput(
            name_as_told=told,
            age_estimate=age,
            sex=case.child.sex,
            activity=rng.choice(["tissues", "begging", "newspapers"]),
            place="Simpang Rapak (sintetis)",
            accompanying_adult="",
            taken_to="home",
            undertaking_signed=True,
        )
        found = lookup(query_record(**data.matching(operation)))
        match = next((c for c in found if c.root_id == case.child_id), None)
        choice = f"link:{case.child.uuid}" if match is not None else "new"
        outreach.capture_add(operation, data, choice=choice, shown=[], acting_user=manager)
        count += 1
    data = outreach.CaptureInput(
        name_as_told="Dede",
        age_estimate=6,
        sex="M",
        activity="begging",
        place="Simpang Rapak (sintetis)",
        accompanying_adult="Perempuan dewasa, mengaku ibunya (sintetis)",
        taken_to="uptd",
        undertaking_signed=False,
    )
    outreach.capture_add(operation, data, choice="new", shown=[], acting_user=patrol)
    return count + 1
