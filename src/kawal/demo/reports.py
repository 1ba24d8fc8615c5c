"""Demo reports from the public over several months, for the triage queue.

All synthetic: the places are public hotspots (see demo/hotspots.py), the
descriptions are invented, and no reporter is a real person.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kawal.accounts.models import User
from kawal.demo.hotspots import HOTSPOTS
from kawal.outreach.models import Activity
from kawal.regions.models import Region
from kawal.reports.models import Report, ReportChannel, ReportStatus
from kawal.reports.services import child_name_keys

DESCRIPTIONS = (
    "Anak kecil berjualan tisu di lampu merah sampai malam (sintetis).",
    "Dua anak mengemis, ada orang dewasa mengawasi dari seberang jalan (sintetis).",
    "Anak mengamen di depan toko, terlihat lelah (sintetis).",
    "Anak memulung di dekat pasar pada jam sekolah (sintetis).",
    "",
)
# Two of the newest reports name the same (invented) child, spelt differently,
# so the triage queue shows a child named in another report.
NAMED = {0: "Rani Sintesa", 3: "Ranny Sintesa\nDede", 7: "Bayu"}


def demo_load_reports(*, seed: int = 11, count: int = 24) -> int:
    """Reports spread over about four months: some handled, some open, some overdue."""
    if Report.objects.exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    manager = User.objects.filter(is_demo_account=True, username="manajer").first()
    today = timezone.localdate()
    with transaction.atomic():
        for index in range(count):
            code, place, lat, lon, hour = HOTSPOTS[index % len(HOTSPOTS)]
            days_ago = rng.randint(0, 120) if index > 5 else index  # the newest stay open
            seen_on = today - timedelta(days=days_ago)
            seen_at = timezone.make_aware(
                datetime.combine(
                    seen_on, time((hour + rng.randint(-1, 1)) % 24, rng.randint(0, 59))
                )
            )
            # Today's reports are of earlier today, never of a time still to come.
            seen_at = min(seen_at, timezone.now() - timedelta(minutes=rng.randint(20, 180)))
            youngest = rng.choice([4, 5, 6, 7, 8, 9, 10, None])
            channel = rng.choice([ReportChannel.PUBLIC_WEB] * 3 + [ReportChannel.PHONE])
            names = NAMED.get(index, "")
            report = Report.objects.create(
                channel=channel,
                seen=[rng.choice([Activity.SELLING_TISSUES, Activity.BEGGING, Activity.BUSKING])],
                children_count=rng.randint(1, 3),
                youngest_age=youngest,
                oldest_age=(youngest + rng.randint(0, 4)) if youngest is not None else None,
                seen_at=seen_at,
                kelurahan=Region.objects.get(code=code),
                landmark=f"{place} (sintetis)",
                latitude=Decimal(lat),
                longitude=Decimal(lon),
                description=rng.choice(DESCRIPTIONS),
                child_names=names,
                child_keys=child_name_keys(names),
                # Callers by phone leave a name; web reporters mostly stay anonymous.
                reporter_name=f"Pelapor Sintetis {index + 1}"
                if channel == ReportChannel.PHONE
                else "",
                reporter_phone=f"0800-0000-{index:04d}" if channel == ReportChannel.PHONE else "",
            )
            status = ReportStatus.RECEIVED
            if days_ago > 20:
                status = ReportStatus.HANDLED
            elif days_ago > 3 and rng.random() < 0.5:
                status = ReportStatus.IN_PROGRESS
            Report.objects.filter(pk=report.pk).update(
                created_at=seen_at + timedelta(minutes=rng.randint(5, 90)),
                status=status,
                handled_by=manager if status != ReportStatus.RECEIVED else None,
                closed_reason="Ditindaklanjuti saat operasi penjangkauan (sintetis)"
                if status == ReportStatus.HANDLED
                else "",
            )
    return count
