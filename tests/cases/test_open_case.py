from __future__ import annotations

import pytest
from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.cases.models import Case
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db


def form_data(**extra):
    data = {
        "full_name": "Bunga Sintetis",
        "aliases": "Bunga, Ungu",
        "sex": "F",
        "birth_date": "2016-03-05",
        "nik_status": "known",
        "nik": "6471 0545 0316 9001",
        "school_status": "dropped_out",
        "kelurahan": "64.71.01.1001",
        "intake_channel": "rt",
        "forms_": ["forced_selling"],
        "risk_level": "medium",
    }
    data.update(extra)
    return data


def test_open_a_case_with_a_valid_nik(client):
    owner = make_user(Role.CASE_MANAGER)
    sign_in(client, owner)
    response = client.post(reverse("cases:open"), form_data())
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.number.startswith("KWL/") and case.owner == owner
    assert case.child.nik == "6471054503169001"
    assert sorted(case.child.aliases.values_list("name", flat=True)) == ["Bunga", "Ungu"]
    assert case.events.filter(kind="case.opened").exists()


def test_nik_mismatch_warns_but_does_not_block(client):
    sign_in(client, make_user(Role.CASE_MANAGER))
    response = client.post(reverse("cases:open"), form_data(sex="M"), follow=True)
    assert response.status_code == 200
    assert Case.objects.count() == 1
    assert "message-warning" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"nik": "6471054513169001"}, "nik"),  # 13th month
        ({"nik": "12345"}, "nik"),
        ({"nik_status": "none", "nik": ""}, "nik_missing_reason"),
        ({"birth_date": "", "age_min": ""}, "age_min"),
        ({"risk_level": "high", "risk_rationale": ""}, "risk_rationale"),
        ({"kk_number": "6471050000009001"}, "kk_number"),
        ({"birth_date_documented": "on", "birth_date_estimated": "on"}, "birth_date_documented"),
        (
            {"birth_date_documented": "on", "birth_date": "", "age_min": "8"},
            "birth_date_documented",
        ),
    ],
)
def test_bad_input_gets_a_message_not_a_500(client, changes, field):
    sign_in(client, make_user(Role.CASE_MANAGER))
    response = client.post(reverse("cases:open"), form_data(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Case.objects.exists()


def test_missing_nik_is_normal(client):
    sign_in(client, make_user(Role.CASE_MANAGER))
    response = client.post(
        reverse("cases:open"),
        form_data(nik_status="none", nik="", nik_missing_reason="Anak jalanan, belum tercatat"),
    )
    assert response.status_code == 302


def test_an_older_paper_file_keeps_its_opening_date(client):
    sign_in(client, make_user(Role.CASE_MANAGER))
    client.post(reverse("cases:open"), form_data(opened_on="2025-11-03"))
    case = Case.objects.get()
    assert str(case.opened_on) == "2025-11-03" and "/2025/" in case.number
    future = client.post(reverse("cases:open"), form_data(full_name="Lain", opened_on="2099-01-01"))
    assert "opened_on" in future.context["form"].errors


def test_case_numbers_follow_the_configured_format(client, settings):
    settings.KAWAL_CASE_NUMBER_FORMAT = "BPN-{year}-{seq:04d}"
    sign_in(client, make_user(Role.CASE_MANAGER))
    client.post(reverse("cases:open"), form_data())
    assert Case.objects.get().number.endswith("-0001")


def test_roles_without_open_case_cannot(client):
    sign_in(client, make_user(Role.PSYCHOLOGIST))
    assert client.get(reverse("cases:open")).status_code == 403


def test_siblings_are_linked_as_a_family_and_share_a_household(client):
    owner = make_user(Role.CASE_MANAGER)
    sign_in(client, owner)
    client.post(reverse("cases:open"), form_data(kk_number="6471051203149001"))
    first = Case.objects.get()
    response = client.post(
        reverse("cases:open"),
        form_data(
            full_name="Kembang Sintetis",
            nik="",
            nik_status="unknown",
            kk_number="6471051203149001",
            sibling_case=first.number,
        ),
    )
    # The named sibling is known to be another child: no candidate panel for them.
    assert response.status_code == 302
    assert response.status_code == 302
    second = Case.objects.exclude(pk=first.pk).get()
    first.refresh_from_db()
    assert first.family_group_id is not None and first.family_group_id == second.family_group_id
    page = client.get(reverse("cases:detail", kwargs={"case_uuid": second.uuid}))
    assert first.number in page.content.decode()  # sibling link
    # The other child on the card is counted, not named: names come with their own case.
    assert page.context["identity"]["household_others"] == 1
    assert "Bunga Sintetis" not in page.content.decode()


def test_a_sibling_named_by_a_user_who_does_not_know_that_child_is_still_a_possible_match(
    client,
):
    from kawal.cases import services as svc

    owner = make_user(Role.CASE_MANAGER)
    sign_in(client, owner)
    client.post(reverse("cases:open"), form_data())
    first = Case.objects.get()
    helper = make_user(Role.CASE_MANAGER, agency=owner.agency)
    svc.member_add(
        first, user=helper, case_role="pendamping", data_classes=["basic"], acting_user=owner
    )
    sign_in(client, helper)
    # The helper sees the case's basic facts only: the "sibling" may be this
    # very child, and the registry says a possible match exists.
    response = client.post(
        reverse("cases:open"),
        form_data(nik="", nik_status="unknown", sibling_case=first.number),
    )
    assert response.status_code == 200
    entry = response.context["panel"][0]
    assert entry.candidate.root_id == first.child_id and not entry.visible
    assert Case.objects.count() == 1


def test_a_sibling_case_must_be_one_the_user_may_see(client):
    other = make_user(Role.CASE_MANAGER)
    sign_in(client, other)
    client.post(reverse("cases:open"), form_data())
    hidden = Case.objects.get()
    stranger = make_user(Role.SUPERVISOR)
    from django.test import Client

    second = Client()
    sign_in(second, stranger)
    response = second.post(
        reverse("cases:open"),
        form_data(full_name="Lain", nik="", nik_status="unknown", sibling_case=hidden.number),
    )
    assert response.status_code == 200
    assert "sibling_case" in response.context["form"].errors


def test_a_birth_date_from_a_document_is_kept_as_such(client):
    sign_in(client, make_user(Role.CASE_MANAGER))
    response = client.post(
        reverse("cases:open"), form_data(birth_date="2016-07-01", birth_date_documented="on")
    )
    assert response.status_code == 302
    child = Case.objects.get().child
    assert child.birth_date_documented and not child.birth_date_estimated
