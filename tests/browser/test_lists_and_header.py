"""The header never wraps into broken buttons; lists are tables on a desk and cards on a phone.

At 360x740 (a cheap phone), 768 (a tablet) and 1366x768 (an office laptop): every
control in the header keeps its label on one line, and the case list, the triage
queue and "my tasks" draw their rows as a table on the laptop and as cards on the
phone (the same HTML, CSS media queries). Screenshots go to ``$KAWAL_LAYOUT_SHOTS``
when that is set, to look at by eye.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.cases import services as svc
from kawal.regions.models import Region
from kawal.reports.models import Report, ReportChannel
from tests.browser.test_case_journey import sign_in
from tests.cases.conftest import open_case
from tests.helpers import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each header control whose label runs over more than one line, or whose box is
# taller than one line of its own (a wrapped button grows, a clipped one shrinks).
HEADER_JS = r"""
() => {
  const problems = [];
  const controls = document.querySelectorAll(
    'header .brand, header .lang button, header .inbox-link, header .nav summary, '
    + 'header .nav a, header .nav .link-button');
  for (const el of controls) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;  // a folded menu
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
    // The lines are where the visible text sits: the rects of the text itself, not of
    // the boxes around it (a badge's box is taller than the text beside it). A visually
    // hidden label is for screen readers: its box is 1 px and clipped, but its text is
    // still laid out, below the line, so the text inside such a box is left out.
    const folded = (node) => {
      for (let box = node.parentElement; box && box !== el.parentElement; box = box.parentElement) {
        const r = box.getBoundingClientRect();
        if (r.width <= 1 || r.height <= 1) return true;
      }
      return false;
    };
    const tops = [];
    const range = document.createRange();
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.data.trim() || folded(node)) continue;
      range.selectNodeContents(node);
      tops.push(...[...range.getClientRects()].map((r) => r.top));
    }
    const lines = tops.length ? Math.round((Math.max(...tops) - Math.min(...tops)) / line) + 1 : 1;
    const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom)
      + parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
    const oneLine = Math.max(parseFloat(style.minHeight) || 0, line + padding);
    if (lines > 1 || box.height > oneLine + 1) {
      problems.push(`${el.tagName.toLowerCase()} "${el.innerText.trim()}": `
        + `${lines} lines, ${Math.round(box.height)} px tall (one line: ${Math.round(oneLine)})`);
    }
  }
  return problems;
}
"""
# How the list's rows are drawn: "table" (a header row and cells side by side) or "cards".
LAYOUT_JS = r"""
(selector) => {
  const table = document.querySelector(selector);
  if (!table) return 'missing';
  const head = table.querySelector('thead').getBoundingClientRect();
  const cell = getComputedStyle(table.querySelector('tbody td')).display;
  if (cell === 'table-cell' && head.height > 20) return 'table';
  if (cell === 'block' && head.height <= 1) return 'cards';
  return `mixed (${cell}, thead ${head.height} px)`;
}
"""
LISTS = {
    "/kasus/": "table.case-table",
    "/tugas/": "table.task-table",
    "/laporan/": "table.triage-table",
}


def shoot(page, name: str) -> None:
    folder = os.environ.get("KAWAL_LAYOUT_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def supervisor(db):
    # A long name and a long agency name, and more menu entries than any other role.
    boss = make_user(
        Role.SUPERVISOR,
        username="kepala",
        full_name="Hj. Sri Wahyuningsih Kusumawardhani binti Abdurrahman (sintetis)",
    )
    owner = make_user(Role.CASE_MANAGER, username="pemilik")
    today = timezone.localdate()
    for index in range(3):
        case = open_case(owner, boss, name=f"Muhammad Rizky Ramadhan bin Darmawansyah {index}")
        svc.task_create(
            case,
            title="Kunjungan rumah dan koordinasi dengan sekolah (sintetis)",
            assignee=boss,
            assignee_agency=None,
            due_on=today - timedelta(days=index),
            acting_user=owner,
        )
    at = timezone.now() - timedelta(days=9)
    made = Report.objects.create(
        channel=ReportChannel.PUBLIC_WEB,
        children_count=2,
        youngest_age=5,
        seen_at=at,
        kelurahan=Region.objects.get(code="64.71.03.1005"),
        landmark="Lampu merah Simpang Empat Jalan Jenderal Sudirman (sintetis)",
    )
    Report.objects.filter(pk=made.pk).update(created_at=at)
    return boss


@pytest.mark.parametrize(
    ("width", "height", "lists"), [(360, 740, "cards"), (768, 900, "cards"), (1366, 768, "table")]
)
def test_header_keeps_one_line_and_lists_fit_the_screen(
    browser, live_server, supervisor, width, height, lists
):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        sign_in(page, supervisor)
        for language in ("id", "en"):
            page.goto(live_server.url + "/")
            page.click(f"header .lang button[value={language}]")
            page.wait_for_load_state()
            # The home page opens the menu: every entry is on screen and measured.
            assert page.evaluate(HEADER_JS) == [], (width, language)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            shoot(page, f"home-{language}-{width}")
        for path, selector in LISTS.items():
            page.goto(live_server.url + path)
            assert page.evaluate(LAYOUT_JS, selector) == lists, (path, width)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            page.click("header .nav summary")  # the menu folded open elsewhere
            assert page.evaluate(HEADER_JS) == [], (path, width)
            shoot(page, f"list-{path.strip('/')}-{width}")
    finally:
        context.close()
