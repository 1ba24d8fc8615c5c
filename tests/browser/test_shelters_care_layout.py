"""Every shelter and care page at 360 px: the layout checks, and no tap target under 44 px.

The front door's layout checker (horizontal scroll, cut-off content, covered
controls, small targets) runs on each page; on top of it, every link, button,
field and folding summary of these apps' pages and cards must be at least
44 px tall and wide (a link inside a sentence excepted: it is as tall as its
line, and the sentence is what a finger aims at).
"""

from __future__ import annotations

import importlib
import re
from datetime import time, timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.care import services as care_svc
from kawal.care.models import Indicator, ReadinessDecision
from kawal.cases import services as case_svc
from kawal.cases.models import Case, SharingBasis
from kawal.shelters import services as shelter_svc
from kawal.shelters.models import Stay
from tests.browser.test_case_journey import sign_in
from tests.browser.test_front_door_layout import Layout
from tests.cases.conftest import open_case
from tests.helpers import agency_for, make_user
from tests.shelters.conftest import admit, make_shelter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Targets of these apps under 44 px: (size, description) for each.
SMALL_TARGETS_JS = r"""
(roots) => {
  const problems = [];
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none';
  };
  const hidden = (el) => el.closest('.hp, .visually-hidden, .skip-link, [hidden]');
  // A link in running text: its block holds words of its own beside the link.
  const inSentence = (el) => {
    if (getComputedStyle(el).display !== 'inline') return false;
    const block = el.parentElement;
    const own = [...block.childNodes]
      .filter((node) => node.nodeType === Node.TEXT_NODE)
      .map((node) => node.data.trim())
      .join('');
    return /[\p{L}]{2,}/u.test(own);
  };
  const seen = new Set();
  for (const root of document.querySelectorAll(roots)) {
    const targets = root.querySelectorAll(
      'a[href], button, .button, summary, select, textarea, '
      + 'input:not([type=hidden]):not([type=checkbox]):not([type=radio]), '
      + 'input[type=checkbox], input[type=radio]'
    );
    for (const el of targets) {
      if (seen.has(el) || !shown(el) || hidden(el) || el.closest('.leaflet-container')) continue;
      seen.add(el);
      let box = el;
      if (el.type === 'checkbox' || el.type === 'radio') {
        const byId = el.id && document.querySelector(`label[for="${el.id}"]`);
        box = el.closest('label') || byId || el;
      }
      if (el.tagName === 'A' && inSentence(el)) continue;
      const r = box.getBoundingClientRect();
      if (r.height < 43.5 || r.width < 43.5) {
        const text = (box.innerText || box.value || '').trim().replace(/\s+/g, ' ').slice(0, 40);
        problems.push(`${Math.round(r.width)}x${Math.round(r.height)} px: `
          + `${box.tagName.toLowerCase()}.${box.className} "${text}"`);
      }
    }
  }
  return problems;
}
"""
MAIN = "main"
# On pages other apps share (home, the case page): only these apps' cards.
HOME_CARDS = ", ".join(
    f"section[aria-labelledby='{heading}']"
    for heading in ("h-care-today", "h-care-confirm", "h-shelter-today")
)
CASE_CARDS = ", ".join(
    f"section[aria-labelledby='{heading}']"
    for heading in ("h-shelter-stays", "h-care-observations", "h-care-readiness")
)


class Checker:
    def __init__(self) -> None:
        self.layout = Layout()
        self.small: dict[str, list[str]] = {}

    def check(self, page, name: str, roots: str = MAIN) -> None:
        if roots == MAIN:
            self.layout.check(page, name)
        else:
            # A page other apps share: only these apps' cards are ours to answer for,
            # and that the whole page fits the phone.
            page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                self.small[f"{name} ({page.url})"] = [f"horizontal scroll: {width} px wide"]
        found = page.evaluate(SMALL_TARGETS_JS, roots)
        if found:
            self.small.setdefault(f"{name} ({page.url})", []).extend(found)

    def assert_ok(self) -> None:
        problems = dict(self.layout.problems)
        for page, found in self.small.items():
            problems.setdefault(page, []).extend(f"tap target {item}" for item in found)
        assert not problems, "\n".join(
            f"{page}:\n  " + "\n  ".join(found) for page, found in problems.items()
        )


def _world():
    if not Indicator.objects.exists():
        importlib.import_module("kawal.care.migrations.0002_indicators").load(apps, None)
    owner = make_user(Role.CASE_MANAGER, username="lc-manajer", full_name="Rina Sintetis")
    supervisor = make_user(Role.SUPERVISOR, username="lc-supervisor", full_name="Hendra Sintetis")
    psychologist = make_user(Role.PSYCHOLOGIST, username="lc-psikolog", full_name="Dewi Sintetis")
    uptd = agency_for(Role.SHELTER_STAFF)
    staff = make_user(Role.SHELTER_STAFF, username="lc-uptd", full_name="Siti Sintetis")
    _shelter, girls, _boys, _teens = make_shelter(uptd, name="Rumah Aman Sintetis")
    case = open_case(owner, supervisor, name="Melati Sintetis binti Contoh Panjang")
    case = case_svc.case_update(
        case,
        expected_version=case.version,
        changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
        acting_user=owner,
    )
    case_svc.member_add(
        case,
        user=psychologist,
        case_role="Psikolog pendamping",
        data_classes=["identity", "whereabouts", "clinical", "progress"],
        acting_user=owner,
    )
    case_svc.member_add(
        case,
        agency=uptd,
        case_role="Rumah aman",
        data_classes=["identity", "whereabouts"],
        acting_user=owner,
    )
    Case.objects.filter(pk=case.pk).update(opened_on=timezone.localdate() - timedelta(days=20))
    case = Case.objects.get(pk=case.pk)
    # An earlier stay (moved within the shelter), so the case card lists one.
    first = admit(case, girls.beds.get(label="G1"), staff, days_ago=10)
    shelter_svc.stay_transfer(
        first,
        expected_version=first.version,
        bed=girls.beds.get(label="G2"),
        at=timezone.now() - timedelta(days=3),
        reason="Pindah kamar (sintetis)",
        acting_user=staff,
    )
    today = timezone.localdate()
    codes = list(Indicator.objects.filter(is_active=True).values_list("code", flat=True))
    for back in range(6, -1, -1):
        care_svc.observation_record(
            case,
            care_svc.ObservationInput(
                observed_on=today - timedelta(days=back),
                scores=dict.fromkeys(codes, 3 + back % 2),
                note="Catatan klinis sintetis" if back == 0 else "",
                incidents=[care_svc.IncidentInput("distress", time(16, 20), "Ditenangkan")]
                if back == 1
                else [],
            ),
            acting_user=psychologist,
            as_of=today - timedelta(days=back),
        )
    care_svc.readiness_decide(
        case,
        safe=False,
        assessment_uuids=[],
        period_from=today - timedelta(days=6),
        period_to=today,
        rationale="Belum stabil (sintetis)",
        acting_user=psychologist,
    )
    second = open_case(owner, supervisor, name="Anggrek Sintetis binti Contoh")
    second = case_svc.case_update(
        second,
        expected_version=second.version,
        changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
        acting_user=owner,
    )
    for user, classes in (
        (psychologist, ["identity", "whereabouts", "clinical", "progress"]),
        (staff, ["identity", "whereabouts"]),
    ):
        case_svc.member_add(
            second, user=user, case_role="x", data_classes=classes, acting_user=owner
        )
    Case.objects.filter(pk=second.pk).update(opened_on=timezone.localdate() - timedelta(days=20))
    return owner, supervisor, psychologist, staff, case, Case.objects.get(pk=second.pk)


def test_every_shelter_and_care_page_fits_with_44px_targets(phones):
    owner, supervisor, psychologist, staff, case, second = _world()
    stay = Stay.objects.active().get(case=case)
    decision = ReadinessDecision.objects.get(case=case)
    checker = Checker()
    phone = phones()

    def visit(user, pages):
        sign_in(phone, user)
        phone.context.add_cookies(
            [{"name": "kawal_language", "value": "en", "url": phone.base_url}]
        )
        for name, path, roots in pages:
            phone.goto(phone.base_url + path)
            if phone.locator("#care-charts").count():
                phone.wait_for_function(
                    "document.querySelectorAll('#care-charts canvas').length > 0"
                )
            checker.check(phone, name, roots)

    case_page = f"/kasus/{case.uuid}/"
    visit(
        staff,
        [
            ("staff-home", "/", HOME_CARDS),
            ("board", "/rumah-aman/", MAIN),
            ("admit", "/rumah-aman/terima/", MAIN),
            ("stay", f"/rumah-aman/tinggal/{stay.uuid}/", MAIN),
            ("stay-edit", f"/rumah-aman/tinggal/{stay.uuid}/ubah/", MAIN),
            ("stay-move", f"/rumah-aman/tinggal/{stay.uuid}/pindah/", MAIN),
            ("stay-discharge", f"/rumah-aman/tinggal/{stay.uuid}/keluar/", MAIN),
            ("staff-case", case_page, CASE_CARDS),
            ("staff-case-no-stay", f"/kasus/{second.uuid}/", CASE_CARDS),
        ],
    )
    visit(
        psychologist,
        [
            ("psychologist-home", "/", HOME_CARDS),
            ("today", "/observasi/", MAIN),
            ("care", f"{case_page}observasi/", MAIN),
            ("record", f"{case_page}observasi/baru/", MAIN),
            ("readiness", f"{case_page}siap-sekolah/", MAIN),
            (
                "revoke",
                f"{case_page}siap-sekolah/{decision.uuid}/cabut/",
                MAIN,
            ),
            ("psychologist-case", case_page, CASE_CARDS),
            ("record-new", f"/kasus/{second.uuid}/observasi/baru/", MAIN),
            ("readiness-decide", f"/kasus/{second.uuid}/siap-sekolah/", MAIN),
            ("psychologist-case-new", f"/kasus/{second.uuid}/", CASE_CARDS),
        ],
    )
    # The edit form: today's observation, from the care page's list.
    phone.goto(phone.base_url + f"{case_page}observasi/")
    phone.click("a[href*='/ubah/']")
    phone.wait_for_url(re.compile(r"/ubah/"))
    checker.check(phone, "observation-edit")
    visit(
        supervisor,
        [
            ("supervisor-home", "/", HOME_CARDS),
            ("supervisor-readiness", f"{case_page}siap-sekolah/", MAIN),
        ],
    )
    visit(owner, [("owner-case", case_page, CASE_CARDS)])
    checker.assert_ok()
