"""On a 360 px phone every field of the schooling forms is a 44 px tap target
(the month picker was left at the browser's 21 px)."""

from __future__ import annotations

import pytest

from tests.browser.test_case_journey import sign_in
from tests.browser.test_front_door_layout import Layout
from tests.schooling.conftest import enrol

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALL_FIELDS = """() => [
  ...document.querySelectorAll('main input, main select, main textarea, main button')]
  .filter((e) => e.type !== 'hidden' && e.offsetParent !== null)
  .map((e) => [e.name || e.id || e.tagName, e.getBoundingClientRect().height])
  .filter(([, h]) => h < 44)"""


def test_the_follow_up_form_fields_are_tap_sized(cleared, phones):
    enrol(cleared)
    phone = phones()
    sign_in(phone, cleared.liaison)
    layout = Layout()
    for path in ("sekolah/kehadiran/", "sekolah/daftar/"):
        phone.goto(phone.base_url + f"/kasus/{cleared.case.uuid}/{path}")
        assert phone.is_visible("main input[name=month]") or path != "sekolah/kehadiran/"
        assert phone.evaluate(SMALL_FIELDS) == [], path
        layout.check(phone, path)
    layout.assert_ok()
