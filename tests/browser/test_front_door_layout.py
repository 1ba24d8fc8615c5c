"""The front door at 360 px: every page fits a cheap phone with long, realistic content.

One live server and one set of data for all pages (fast); each page is checked for
horizontal scroll, content cut off at the edge, controls that cannot be reached or
are covered, and tap targets that are too small. Screenshots of every page go to
``$KAWAL_LAYOUT_SHOTS`` when that is set, to look at by eye.
"""

from __future__ import annotations

import importlib
import os
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.accounts.models import Agency
from kawal.outreach.models import Capture, Operation, OperationStatus
from kawal.regions.models import Region
from kawal.reports.models import Report
from kawal.reports.services import child_name_keys
from tests.browser.test_case_journey import sign_in
from tests.helpers import make_user
from tests.identity.conftest import register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 360
KELURAHAN = "64.71.03.1005"  # Gunung Samarinda Baru: the longest name in the city
LANDMARK = (
    "Lampu merah Simpang Empat Jalan Jenderal Sudirman, depan Pertokoan Balikpapan Permai "
    "sebelah ATM dan pangkalan ojek (sintetis)"
)
OPERATION = (
    "Operasi Gabungan Penjangkauan Anak Jalanan Malam Hari Simpang Rapak, Gunung Samarinda "
    "Baru dan Pasar Pandansari (sintetis)"
)
NAMES = [
    "Muhammad Rizky Ramadhan bin Darmawansyah",
    "Siti Nurhaliza Putri Anggraini",
    "Ahmad Fauzan Hidayatullah",
    "Dewi Kartika Sari binti Suparman",
    "Budi Santoso",
    "Nur Aisyah Rahmawati",
    "Rizal Maulana Ibrahim",
    "Putri Ayu Lestari",
    "Andi Muhammad Fadhil Akbar",
    "Wulan Sintetis binti Darman",
]
REPORTER = "Hj. Sri Wahyuningsih Kusumawardhani binti Haji Abdurrahman Wahid (Ketua RT 027)"
LONG_WORD = "Jl.MT-Haryono/Ringroad-II/Gunung-Samarinda-Baru/No.123-RT027/RW008"

# Each element the checks find wrong, described for the failure message.
CHECK_JS = r"""
(width) => {
  const problems = [];
  const px = (r) => `${Math.round(r.width)}x${Math.round(r.height)} px`;
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '')
      .trim().replace(/\s+/g, ' ').slice(0, 40);
    const classes = typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${classes} "${text}"`;
  };
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none';
  };
  const hidden = (el) => el.closest('.hp, .visually-hidden, .skip-link, [hidden]');
  const each = (selector, check) => {
    for (const el of document.body.querySelectorAll(selector)) {
      if (shown(el) && !hidden(el)) check(el, el.getBoundingClientRect());
    }
  };
  // Wider than the screen is fine only inside a box that scrolls sideways (a table
  // wrapper), or inside the map, which clips its own layers.
  const scrolls = (el) => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      if (box.classList.contains('leaflet-container')) return true;
      const overflow = getComputedStyle(box).overflowX;
      const fits = box.getBoundingClientRect().right + window.scrollX <= width + 0.5;
      if ((overflow === 'auto' || overflow === 'scroll') && fits) return true;
    }
    return false;
  };
  const cut = new Set();
  each('*', (el, r) => {
    const x0 = r.left + window.scrollX;
    const x1 = r.right + window.scrollX;
    if ((x1 > width + 0.5 || x0 < -0.5) && !scrolls(el)) {
      cut.add(el);
      // Only the outermost box that sticks out, not everything inside it.
      if (!cut.has(el.parentElement)) {
        problems.push(`cut off (${Math.round(x0)}..${Math.round(x1)} px): ${describe(el)}`);
      }
    }
  });
  // Tables wider than their box must sit in a box that scrolls sideways.
  each('table', (el) => {
    if (el.scrollWidth > el.parentElement.clientWidth + 1 && !scrolls(el)) {
      problems.push(`wide table not in a scroll box: ${describe(el)}`);
    }
  });
  // Text clipped inside its own box (labels, buttons, headings).
  each('h1, h2, label, button, .button, a, dt, dd, .tag, legend, summary', (el) => {
    if (getComputedStyle(el).overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1) {
      problems.push(`text clipped: ${describe(el)}`);
    }
  });
  // A number in a table is never split over lines (+4,6 read as "+", "4,", "6").
  // A short word split over two lines: its box is too narrow ("Se/mu/a", "K/e/l/u/…").
  const range = document.createRange();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const split = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const box = node.parentElement;
    if (!box || split.has(box) || !shown(box) || hidden(box)) continue;
    if (box.closest('.leaflet-container, select, textarea, script, style')) continue;
    for (const match of node.data.matchAll(/[\p{L}\p{N}]{2,12}/gu)) {
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.bottom)));
      if (lines.size > 1) {
        split.add(box);
        problems.push(`word split over lines "${match[0]}": ${describe(box)}`);
        break;
      }
    }
  }
  each('td.num', (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.bottom)));
    if (tops.size > 1) problems.push(`number wrapped: ${describe(el)}`);
  });
  // Tap targets: buttons and fields at least 44 px (the stylesheet's 2.75rem); check
  // boxes and radio buttons through a label at least 24 px tall; links at least 24 px.
  const fields = 'input:not([type=hidden]):not([type=checkbox]):not([type=radio])';
  each(`button, .button, ${fields}, select, textarea`, (el, r) => {
    if (el.closest('.leaflet-container')) return;
    if (r.height < 43.5 || r.width < 43.5) problems.push(`tap target ${px(r)}: ${describe(el)}`);
  });
  each('input[type=checkbox], input[type=radio]', (el) => {
    const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
    const r = (label || el).getBoundingClientRect();
    if (r.height < 23.5) problems.push(`choice tap target ${px(r)}: ${describe(label || el)}`);
  });
  each('a[href], summary', (el, r) => {
    if (el.closest('.leaflet-container')) return;
    const style = getComputedStyle(el);
    // A link in running text is as tall as its line.
    const line = style.display === 'inline' ? parseFloat(style.lineHeight) || 0 : 0;
    if (Math.max(r.height, line) < 23.5) problems.push(`link tap target ${px(r)}: ${describe(el)}`);
  });
  return problems;
}
"""

# Every field and button can be scrolled to, and is what a finger meets there.
REACH_JS = r"""
(width) => {
  const problems = [];
  const selector = 'main button, main .button, main input:not([type=hidden]), main select, '
    + 'main textarea, .top button, .nav a';
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('.hp, [hidden]') || el.getClientRects().length === 0) continue;
    el.scrollIntoView({block: 'center', inline: 'nearest'});
    const r = el.getBoundingClientRect();
    const text = (el.innerText || el.name || '').trim().slice(0, 30);
    const name = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${text}"`;
    if (r.left + window.scrollX < -0.5 || r.right + window.scrollX > width + 0.5) {
      problems.push(`off screen: ${name}`);
      continue;
    }
    const hit = document.elementFromPoint(r.left + Math.min(r.width / 2, 12), r.top + r.height / 2);
    const labels = [el.closest('label'), el.id && document.querySelector(`label[for="${el.id}"]`)];
    const mine = hit && (el === hit || el.contains(hit) || hit.contains(el)
      || labels.some((label) => label && label.contains(hit)));
    if (!mine) {
      const what = hit ? `${hit.tagName.toLowerCase()}.${hit.className}` : 'nothing';
      problems.push(`covered by ${what}: ${name}`);
    }
  }
  window.scrollTo(0, 0);
  return problems;
}
"""


class Layout:
    """Checks pages one after the other and keeps every problem, to report all at once."""

    def __init__(self) -> None:
        self.problems: dict[str, list[str]] = {}
        shots = os.environ.get("KAWAL_LAYOUT_SHOTS", "")
        self.shots = Path(shots) if shots else None
        if self.shots:
            self.shots.mkdir(parents=True, exist_ok=True)

    def check(self, page, name: str) -> None:
        page.wait_for_load_state("load")
        # What folds away (the menu, why a match, attach a file…) must fit once unfolded.
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        found: list[str] = []
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > WIDTH:
            found.append(f"horizontal scroll: {scroll_width} px wide")
        found += page.evaluate(CHECK_JS, WIDTH)
        found += page.evaluate(REACH_JS, WIDTH)
        if self.shots:
            page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)
        if found:
            self.problems[f"{name} ({page.url})"] = found

    def assert_ok(self) -> None:
        assert not self.problems, "\n".join(
            f"{page}:\n  " + "\n  ".join(found) for page, found in self.problems.items()
        )


def make_report(*, landmark: str, hours_ago: int, created_days_ago: int = 0, **extra) -> Report:
    kelurahan = Region.objects.get(code=extra.pop("kelurahan", KELURAHAN))
    names = extra.pop("child_names", "")
    report = Report.objects.create(
        channel=extra.pop("channel", "public_web"),
        seen=extra.pop("seen", ["tissues", "begging", "busking"]),
        children_count=extra.pop("children_count", 3),
        youngest_age=extra.pop("youngest_age", 7),
        oldest_age=extra.pop("oldest_age", 12),
        seen_at=timezone.localtime() - timedelta(hours=hours_ago),
        kelurahan=kelurahan,
        landmark=landmark,
        child_names=names,
        child_keys=child_name_keys(names),
        **extra,
    )
    if created_days_ago:
        Report.objects.filter(pk=report.pk).update(
            created_at=timezone.now() - timedelta(days=created_days_ago)
        )
    return report


def night_hours_ago() -> int:
    """Hours back to the last 21:00 local time, so the sighting counts as at night."""
    now = timezone.localtime()
    night = now.replace(hour=21, minute=0, second=0, microsecond=0)
    if night > now:
        night -= timedelta(days=1)
    return max(1, int((now - night).total_seconds() // 3600))


def test_front_door_pages_fit_a_360px_phone(phones, settings):
    settings.KAWAL_MAP_TILES_URL = ""
    importlib.import_module("kawal.regions.migrations.0004_balikpapan_centres").load(apps, None)
    layout = Layout()
    manager = make_user(
        Role.CASE_MANAGER,
        username="fl-manajer",
        full_name="Rina Kusumawardhani Sintetis, S.Sos., M.Kesos.",
    )
    satpol = Agency.objects.create(
        name="Satuan Polisi Pamong Praja Kota Balikpapan (sintetis)", kind="satpol_pp"
    )
    Agency.objects.create(name="Dinas Sosial Kota Balikpapan (sintetis)", kind="dinas_sosial")
    patrol = make_user(
        Role.PATROL_OFFICER,
        username="fl-satpol",
        full_name="Joko Prasetyo Wibowo Sintetis",
        agency=satpol,
    )
    register(
        manager,
        "Muhammad Riski bin Darman",
        aliases=["Kiki"],
        birth_date=date(2015, 4, 9),
        kelurahan=Region.objects.get(code=KELURAHAN),
    )

    # The triage queue: an overdue report with every urgency reason, and others like it.
    night = night_hours_ago()
    main_report = make_report(
        landmark=LANDMARK,
        hours_ago=night,
        created_days_ago=10,
        youngest_age=4,
        children_count=10,
        description=(
            "Anak-anak menjual tisu dan mengamen di lampu merah sampai lewat tengah malam, "
            f"diantar seorang dewasa dengan sepeda motor. Alamat: {LONG_WORD} (sintetis)"
        ),
        child_names="\n".join(NAMES),
        reporter_name=REPORTER,
        reporter_phone="+62 812-3456-7890",
        photo="reports/synthetic-photo.jpg",
    )
    for days in (9, 4, 1):
        make_report(
            landmark=LANDMARK.replace("(sintetis)", f"hari ke-{days} (sintetis)"),
            hours_ago=night + 24 * days,
            created_days_ago=days,
            youngest_age=5,
            child_names="Muhammad Rizky Ramadhan\nBudi Santoso",
        )
    make_report(landmark=LONG_WORD, hours_ago=2, kelurahan="64.71.06.1004", channel="rt")

    # Operations with long titles, one of them with several children found.
    start = timezone.make_aware(datetime.fromisoformat("2026-03-02T20:30"))
    operations = []
    for number in range(3):
        operation = Operation.objects.create(
            title=f"{OPERATION} #{number + 1}",
            starts_at=start + timedelta(days=number),
            area=Region.objects.get(code=KELURAHAN),
            area_note=f"{LANDMARK}; Pasar Pandansari; {LONG_WORD}",
            status=OperationStatus.CONDUCTED if number == 0 else OperationStatus.PLANNED,
            lead=manager,
            created_by=manager,
        )
        operation.agencies.set(Agency.objects.all())
        operations.append(operation)
    busy = operations[0]
    child = register(manager, "Anak Peta Sintetis").child
    for index, name in enumerate(NAMES[:8]):
        Capture.objects.create(
            operation=busy,
            name_as_told=name,
            age_estimate=6 + index,
            sex="MF"[index % 2],
            activity=["tissues", "begging", "busking", "scavenging"][index % 4],
            place=LANDMARK if index % 2 else LONG_WORD,
            accompanying_adult=REPORTER if index % 3 == 0 else "",
            taken_to=["home", "uptd", "police", "stayed"][index % 4],
            undertaking_signed=bool(index % 2),
            child=child,
            outcome=["new", "ask", "linked"][index % 3],
            captured_by=patrol,
            latitude=Decimal("-1.2400") + Decimal(index) / 1000,
            longitude=Decimal("116.8700") + Decimal(index) / 1000,
        )
    main_report.operation = operations[1]
    main_report.save(update_fields=["operation"])

    # A citizen, no account: the form, a failed submit, a good one, the tracking page.
    citizen = phones()
    citizen.goto(citizen.base_url + "/lapor/")
    layout.check(citizen, "01-lapor")
    citizen.fill("#id_children_count", "0")
    citizen.fill("#id_youngest_age", "15")
    citizen.fill("#id_oldest_age", "9")
    citizen.fill("#id_landmark", LANDMARK)
    citizen.fill("#id_child_names", "\n".join([*NAMES, "Satu Nama Lagi", "Dan Satu Lagi"]))
    citizen.fill("#id_reporter_name", REPORTER)
    citizen.click("main button.primary")
    citizen.wait_for_selector(".field.has-error")
    layout.check(citizen, "02-lapor-errors")
    citizen.check("input[name='seen'][value='tissues']")
    citizen.check("input[name='seen'][value='busking']")
    citizen.fill("#id_children_count", "10")
    citizen.fill("#id_youngest_age", "4")
    citizen.fill("#id_oldest_age", "12")
    citizen.fill(
        "#id_seen_at", (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    )
    citizen.select_option("#id_kelurahan", KELURAHAN)
    citizen.fill("#id_child_names", "\n".join(NAMES))
    citizen.fill("#id_description", f"Diantar orang dewasa. {LONG_WORD}")
    citizen.click("main button.primary")
    citizen.wait_for_url(re.compile(r"/lapor/terima-kasih/$"))
    code = Report.objects.get(landmark=LANDMARK, channel="public_web", photo="").tracking_code
    assert code in citizen.inner_text("main")
    layout.check(citizen, "03-terima-kasih")
    citizen.click("a[href$='/lapor/cek/']")
    layout.check(citizen, "04-cek")
    citizen.fill("#id_code", code)
    citizen.click("main button.primary")
    citizen.wait_for_selector("p.status")
    layout.check(citizen, "05-cek-status")

    # The desk: intake, the queue, a report, outreach and the map.
    desk = phones()
    sign_in(desk, manager)
    base = desk.base_url
    for name, path in (
        ("06-laporan-baru", "/laporan/baru/"),
        ("07-laporan", "/laporan/"),
        ("08-laporan-detail", f"/laporan/{main_report.uuid}/"),
        ("08b-laporan-koreksi", f"/laporan/{main_report.uuid}/ubah/"),
        ("08c-operasi-ubah", f"/penjangkauan/{operations[1].uuid}/ubah/"),
        ("09-penjangkauan", "/penjangkauan/"),
        ("10-penjangkauan-baru", "/penjangkauan/baru/"),
        ("11-operasi", f"/penjangkauan/{busy.uuid}/"),
        ("12-temuan", f"/penjangkauan/{operations[1].uuid}/temuan/"),
    ):
        desk.goto(base + path)
        if name == "07-laporan":
            assert desk.locator("tr.is-overdue").count() >= 1
            assert desk.locator(".tag").count() >= 8
        if name == "08-laporan-detail":
            # Planned operations only (the one held in March is past).
            assert desk.locator("#operation option").count() == 2
            assert desk.locator("#into option").count() >= 3
            assert "Wulan Sintetis" in desk.inner_text("main")
        layout.check(desk, name)

    # A capture that may be a child already known: the "possible match" panel.
    desk.fill("#id_name_as_told", "Kiki")
    desk.fill("#id_age_estimate", "10")
    desk.select_option("#id_sex", "M")
    desk.select_option("#id_activity", "tissues")
    desk.fill("#id_place", LANDMARK)
    desk.select_option("#id_taken_to", "home")
    desk.click("main button.primary")
    desk.locator("#candidates").wait_for()
    layout.check(desk, "13-temuan-kandidat")

    desk.goto(base + "/peta/")
    desk.wait_for_selector("#hotspot-map[data-state='ready']")
    layout.check(desk, "14-peta")

    layout.assert_ok()
