"""Instruments in the configuration console: drafts editable, published versions read-only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from kawal.access.catalogue import Role
from kawal.assessments.models import (
    SAFETY_RISK_CODE,
    AnswerScale,
    Instrument,
    InstrumentStatus,
    Item,
)
from kawal.core.models import AuditEvent
from tests.assessments.builders import build_instrument
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db
BASE = "/admin/assessments/instrument/"


@pytest.fixture
def console():
    client = Client(raise_request_exception=False)
    sign_in(client, make_user(Role.SYSTEM_ADMIN, username="it-admin"))
    client.cookies["kawal_language"] = "en"
    return client


def form_data(response) -> dict:
    """What the browser would send back from an admin change form, unchanged."""
    data: dict = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                if value is None or value is False:
                    continue
                data[sub.add_prefix(name)] = value
    return data


def test_the_console_registers_instruments_never_assessments():
    from kawal.accounts.admin_site import admin_site

    registered = {model._meta.label for model in admin_site._registry}
    assert {"assessments.Instrument", "assessments.AnswerScale"} <= registered
    assert not {label for label in registered if label.startswith("assessments.")} - {
        "assessments.Instrument",
        "assessments.AnswerScale",
    }


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SYSTEM_ADMIN])
def test_only_system_administrators_reach_instruments(role):
    client = Client(raise_request_exception=False)
    sign_in(client, make_user(role))
    response = client.get(BASE)
    assert response.status_code in (302, 403)
    assert SAFETY_RISK_CODE not in response.content.decode()


def test_a_published_version_is_read_only(console):
    published = Instrument.objects.get(code=SAFETY_RISK_CODE)
    page = console.get(f"{BASE}{published.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="_save"' not in body  # view only
    assert "Copy as new version" in body
    response = console.post(f"{BASE}{published.pk}/change/", {"name_id": "Diubah"})
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.name_id != "Diubah"
    assert console.post(f"{BASE}{published.pk}/delete/", {"post": "yes"}).status_code == 403


def test_copy_edit_and_publish_through_the_console(console):
    published = Instrument.objects.get(code=SAFETY_RISK_CODE)
    response = console.post(
        BASE, {"action": "copy_as_new_version", "_selected_action": [published.pk]}
    )
    assert response.status_code == 302
    draft = Instrument.objects.get(code=SAFETY_RISK_CODE, status=InstrumentStatus.DRAFT)
    assert draft.version_number == 2
    page = console.get(f"{BASE}{draft.pk}/change/")
    assert page.status_code == 200 and "Ready to publish." in page.content.decode()
    # Edit a question's English text and add a band, as an administrator would.
    data = form_data(page)
    item = draft.items.get(code="home-ancaman")
    index = next(
        i for i in range(int(data["items-TOTAL_FORMS"])) if data.get(f"items-{i}-id") == item.pk
    )
    data[f"items-{index}-text_en"] = "Someone at home has hurt the child (edited)."
    data["_save"] = "Save"
    saved = console.post(f"{BASE}{draft.pk}/change/", data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else ""
    assert Item.objects.get(pk=item.pk).text_en.endswith("(edited).")
    assert AuditEvent.objects.filter(
        kind="configuration.changed", target=f"assessments.Instrument:{draft.pk}"
    ).exists()
    # A stale form (another administrator saved meanwhile) saves nothing.
    stale = dict(data)
    stale[f"items-{index}-text_en"] = "Overwritten"
    response = console.post(f"{BASE}{draft.pk}/change/", stale)
    assert response.status_code == 200
    assert Item.objects.get(pk=item.pk).text_en.endswith("(edited).")
    # Publish from the change page's button (the changelist action).
    response = console.post(BASE, {"action": "publish_versions", "_selected_action": [draft.pk]})
    assert response.status_code == 302
    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.status == InstrumentStatus.PUBLISHED
    assert published.status == InstrumentStatus.RETIRED


def test_a_draft_with_problems_is_not_published(console):
    draft = build_instrument("broken", publish=False)
    draft.items.filter(code="note").delete()
    Item.objects.filter(instrument=draft).update(subscale=None)
    response = console.post(
        BASE, {"action": "publish_versions", "_selected_action": [draft.pk]}, follow=True
    )
    assert "has no items" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == InstrumentStatus.DRAFT


def test_an_unused_draft_can_be_deleted_a_published_one_not(console):
    draft = build_instrument("throwaway", publish=False)
    response = console.post(f"{BASE}{draft.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Instrument.objects.filter(code="throwaway").exists()


def test_new_instrument_and_scale_through_the_console(console):
    response = console.post(
        f"{BASE}add/",
        {
            "code": "console-made",
            "name_id": "Instrumen baru",
            "name_en": "New instrument",
            "roles": ["psychologist"],
            "answers_class": "clinical",
            "method": "sum",
            "min_answered_percent": "80",
            "sections-TOTAL_FORMS": "1",
            "sections-INITIAL_FORMS": "0",
            "sections-0-order": "1",
            "sections-0-title_id": "Bagian satu",
            "subscales-TOTAL_FORMS": "0",
            "subscales-INITIAL_FORMS": "0",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    made = Instrument.objects.get(code="console-made")
    assert made.status == InstrumentStatus.DRAFT and made.roles == ["psychologist"]
    assert made.sections.count() == 1
    response = console.post(
        "/admin/assessments/answerscale/add/",
        {
            "instrument": made.pk,
            "code": "yes-no",
            "name_id": "Ya / tidak",
            "options-TOTAL_FORMS": "2",
            "options-INITIAL_FORMS": "0",
            "options-0-order": "1",
            "options-0-value": "0",
            "options-0-label_id": "Tidak",
            "options-1-order": "2",
            "options-1-value": "1",
            "options-1-label_id": "Ya",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    scale = AnswerScale.objects.get(instrument=made)
    assert sorted(scale.options.values_list("value", flat=True)) == [Decimal(0), Decimal(1)]
    # A scale cannot be added to a published version.
    published = Instrument.objects.get(code=SAFETY_RISK_CODE)
    refused = console.post(
        "/admin/assessments/answerscale/add/",
        {
            "instrument": published.pk,
            "code": "sneaky",
            "name_id": "x",
            "options-TOTAL_FORMS": "0",
            "options-INITIAL_FORMS": "0",
        },
    )
    assert refused.status_code == 200
    assert not AnswerScale.objects.filter(code="sneaky").exists()
    # The huge id an attacker types is a form error, not a 500.
    huge = console.post(
        "/admin/assessments/answerscale/add/",
        {
            "instrument": str(2**70),
            "code": "x",
            "name_id": "x",
            "options-TOTAL_FORMS": "0",
            "options-INITIAL_FORMS": "0",
        },
    )
    assert huge.status_code == 200


def test_a_section_still_holding_questions_is_not_deleted(console):
    draft = build_instrument("keep-items", publish=False)
    page = console.get(f"{BASE}{draft.pk}/change/")
    data = form_data(page)
    data["sections-0-DELETE"] = "on"
    data["_save"] = "Save"
    response = console.post(f"{BASE}{draft.pk}/change/", data)
    assert response.status_code == 200  # the form comes back with the reason
    assert draft.sections.count() == 1 and draft.items.count() == 5
