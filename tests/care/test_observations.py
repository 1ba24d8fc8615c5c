"""Recording a day: validation, one a child and day, same-day edits, version conflicts."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kawal.access.catalogue import Role
from kawal.care import services as care_svc
from kawal.care.models import Incident, Indicator, Observation
from kawal.cases import services as svc
from kawal.cases.models import CaseEvent, CaseStatus
from tests.care.conftest import (
    ACTION_MARKER,
    NOTE_MARKER,
    add_member,
    backdate,
    record_today,
    scores,
)
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def client_for(user, language: str = "en") -> Client:
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    client.cookies["kawal_language"] = language
    return client


def form_data(day=None, value=3, **extra):
    data = {
        "observed_on": (day or timezone.localdate()).isoformat(),
        "incident-TOTAL_FORMS": "2",
        "incident-INITIAL_FORMS": "0",
        "incident-MIN_NUM_FORMS": "0",
        "incident-MAX_NUM_FORMS": "10",
    }
    data.update({f"score_{code}": str(v) for code, v in scores(value).items()})
    data.update(extra)
    return data


def record_url(world) -> str:
    return reverse("care:record", kwargs={"case_uuid": world.case.uuid})


# --- The form ---------------------------------------------------------------------


def test_a_day_is_recorded_with_scores_an_incident_and_a_note(world):
    client = client_for(world.psychologist)
    page = client.get(record_url(world))
    assert page.status_code == 200
    body = page.content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in body  # the date defaults to today
    assert body.count('type="radio"') == 5 * Indicator.objects.filter(is_active=True).count()
    data = form_data(
        note=NOTE_MARKER,
        **{
            "incident-0-kind": "running_away",
            "incident-0-occurred_at": "00:00",  # today: never later than now
            "incident-0-action_taken": ACTION_MARKER,
        },
    )
    response = client.post(record_url(world), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("care:case", kwargs={"case_uuid": world.case.uuid})
    observation = Observation.objects.get()
    assert observation.note == NOTE_MARKER
    assert observation.scores.count() == 7
    incident = Incident.objects.get()
    assert (incident.kind, incident.occurred_at, incident.action_taken) == (
        "running_away",
        time(0, 0),
        ACTION_MARKER,
    )
    event = world.case.events.get(kind="care.observation")
    assert event.data_class == "progress"
    assert NOTE_MARKER not in str(event.payload) and ACTION_MARKER not in str(event.payload)
    assert event.payload == {
        "observed_on": timezone.localdate().isoformat(),
        "incidents": 1,
        "first": True,
    }


def test_from_the_home_page_saving_goes_back_home(world):
    client = client_for(world.psychologist)
    response = client.post(record_url(world) + "?kembali=beranda", form_data())
    assert response.status_code == 302 and response["Location"] == reverse("web:home")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"score_mood": ""}, "score_mood", "Choose a score."),
        ({"score_sleep": "9"}, "score_sleep", "Choose a score from 1 to 5."),
        ({"score_sleep": "0"}, "score_sleep", "Choose a score from 1 to 5."),
        ({"score_appetite": "x"}, "score_appetite", "Choose a score from 1 to 5."),
        ({"observed_on": ""}, "observed_on", "Give the date."),
        ({"observed_on": "31/02/2026"}, "observed_on", "Give a valid date."),
        ({"incident-0-kind": "aggression"}, None, "This field is required."),
        ({"incident-0-kind": "arson", "incident-0-occurred_at": "10:00"}, None, "valid choice"),
        ({"note": "x" * 4001}, "note", "at most 4000"),
    ],
)
def test_bad_input_gets_a_clear_error_and_nothing_is_saved(world, change, field, message):
    client = client_for(world.psychologist)
    data = form_data()
    data.update(change)
    response = client.post(record_url(world), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    if field:
        assert response.context["form"].errors[field]
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (-1, "The date is in the future."),
        (8, "Record an observation within a week of the day."),
        (3, "The date is before the case was opened."),
    ],
)
def test_the_date_is_today_or_a_recent_day_of_the_case(world, days, message):
    backdate(world.case, 2)
    client = client_for(world.psychologist)
    day = timezone.localdate() - timedelta(days=days)
    response = client.post(record_url(world), form_data(day=day))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Observation.objects.exists()


def test_a_recent_day_can_be_recorded_late(world):
    backdate(world.case, 10)
    client = client_for(world.psychologist)
    day = timezone.localdate() - timedelta(days=3)
    assert client.post(record_url(world), form_data(day=day)).status_code == 302
    assert Observation.objects.get().observed_on == day


def test_a_missing_management_form_is_a_form_error_not_a_500(world):
    client = client_for(world.psychologist)
    data = {k: v for k, v in form_data().items() if not k.startswith("incident-")}
    response = client.post(record_url(world), data)
    assert response.status_code == 400
    assert not Observation.objects.exists()


def test_an_added_indicator_is_on_the_form_and_required(world):
    Indicator.objects.create(
        code="play", label_id="Bermain", label_en="Play", higher_is_better=True, order=200
    )
    client = client_for(world.psychologist)
    assert "Play" in client.get(record_url(world)).content.decode()
    data = form_data()
    del data["score_play"]
    assert client.post(record_url(world), data).status_code == 400
    data["score_play"] = "4"
    assert client.post(record_url(world), data).status_code == 302
    assert Observation.objects.get().scores.get(indicator__code="play").value == 4


def test_a_retired_indicator_leaves_the_form(world):
    Indicator.objects.filter(code="appetite").update(is_active=False)
    client = client_for(world.psychologist)
    body = client.get(record_url(world)).content.decode()
    assert "score_appetite" not in body
    data = form_data()
    assert "score_appetite" not in data  # only indicators in use are asked for
    assert client.post(record_url(world), data).status_code == 302
    assert not Observation.objects.get().scores.filter(indicator__code="appetite").exists()


# --- One a child and day -------------------------------------------------------------


def test_one_observation_per_child_per_day_in_the_service(world):
    record_today(world)
    with pytest.raises(ValidationError) as error:
        record_today(world)
    assert "already recorded" in str(error.value)
    assert Observation.objects.count() == 1


def test_one_observation_per_child_per_day_in_the_database(world):
    record_today(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Observation.objects.create(
            case=world.case, observed_on=timezone.localdate(), recorded_by=world.psychologist
        )


def test_a_second_record_of_the_day_is_a_form_error(world):
    record_today(world)
    client = client_for(world.psychologist)
    # Another day's link is not a way around it: the form names the day.
    response = client.post(record_url(world), form_data())
    assert response.status_code == 400
    assert "already recorded" in response.content.decode()
    assert Observation.objects.count() == 1


def test_the_record_link_opens_todays_observation_when_there_is_one(world):
    observation = record_today(world)
    client = client_for(world.psychologist)
    response = client.get(record_url(world) + "?kembali=beranda")
    edit = reverse(
        "care:edit", kwargs={"case_uuid": world.case.uuid, "observation_uuid": observation.uuid}
    )
    assert response.status_code == 302 and response["Location"] == edit + "?kembali=beranda"


# --- Same-day edits, versioned ---------------------------------------------------------


def edit_url(world, observation) -> str:
    return reverse(
        "care:edit", kwargs={"case_uuid": world.case.uuid, "observation_uuid": observation.uuid}
    )


def edit_data(observation, value=4, **extra):
    """The edit form as the browser sends it back: today's incident as it was."""
    data = {
        "expected_version": str(observation.version),
        "note": "corrected note",
        "incident-TOTAL_FORMS": "2",
        "incident-INITIAL_FORMS": "1",
        "incident-MIN_NUM_FORMS": "0",
        "incident-MAX_NUM_FORMS": "10",
        "incident-0-kind": "aggression",
        "incident-0-occurred_at": "00:00",
        "incident-0-action_taken": ACTION_MARKER,
    }
    data.update({f"score_{code}": str(v) for code, v in scores(value).items()})
    data.update(extra)
    return data


def test_the_same_day_an_observation_can_be_changed(world):
    observation = record_today(world)
    client = client_for(world.psychologist)
    page = client.get(edit_url(world, observation))
    assert page.status_code == 200
    assert NOTE_MARKER in page.content.decode() and ACTION_MARKER in page.content.decode()
    response = client.post(edit_url(world, observation), edit_data(observation, value=5))
    assert response.status_code == 302
    observation.refresh_from_db()
    assert observation.version == 2 and observation.note == "corrected note"
    assert set(observation.scores.values_list("value", flat=True)) == {5}
    assert observation.incidents.get().action_taken == ACTION_MARKER
    event = world.case.events.get(kind="care.observation_changed")
    assert event.data_class == "progress" and "corrected" not in str(event.payload)
    assert len(event.payload["indicators"]) == 7


def test_an_incident_is_added_or_removed_the_same_day(world):
    observation = record_today(world)
    client = client_for(world.psychologist)
    added = edit_data(
        observation,
        **{
            "incident-1-kind": "distress",
            "incident-1-occurred_at": "00:00",
            "incident-1-action_taken": "Ditenangkan (sintetis)",
        },
    )
    assert client.post(edit_url(world, observation), added).status_code == 302
    assert list(observation.incidents.values_list("kind", flat=True)) == ["aggression", "distress"]
    observation.refresh_from_db()
    removed = edit_data(
        observation,
        **{
            "incident-TOTAL_FORMS": "3",
            "incident-INITIAL_FORMS": "2",
            "incident-0-DELETE": "on",
            "incident-1-kind": "distress",
            "incident-1-occurred_at": "00:00",
            "incident-1-action_taken": "Ditenangkan (sintetis)",
        },
    )
    assert client.post(edit_url(world, observation), removed).status_code == 302
    assert list(observation.incidents.values_list("kind", flat=True)) == ["distress"]


def test_the_next_day_an_observation_can_no_longer_be_changed(world):
    observation = record_today(world)
    client = client_for(world.psychologist)
    # Written yesterday (the session would time out if the clock jumped a day).
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        assert not care_svc.editable(observation)
    Observation.objects.filter(pk=observation.pk).update(
        created_at=timezone.now() - timedelta(days=1)
    )
    observation.refresh_from_db()
    if True:
        page = client.get(edit_url(world, observation))
        assert page.status_code == 302
        assert page["Location"] == reverse("care:case", kwargs={"case_uuid": world.case.uuid})
        response = client.post(edit_url(world, observation), edit_data(observation))
        assert response.status_code == 302
        with pytest.raises(ValidationError, match="no longer be changed"):
            care_svc.observation_update(
                observation,
                care_svc.ObservationInput(observation.observed_on, scores(1), note="late"),
                expected_version=observation.version,
                acting_user=world.psychologist,
            )
    observation.refresh_from_db()
    assert observation.version == 1 and observation.note == NOTE_MARKER


def test_a_day_recorded_late_is_editable_the_day_it_was_written(world):
    backdate(world.case, 5)
    data = care_svc.ObservationInput(timezone.localdate() - timedelta(days=2), scores(2))
    observation = care_svc.observation_record(world.case, data, acting_user=world.psychologist)
    assert care_svc.editable(observation)


def test_a_stale_edit_is_a_conflict_and_overwrites_nothing(world):
    observation = record_today(world)
    first, second = client_for(world.psychologist), client_for(world.psychologist)
    stale = edit_data(observation, value=2, note="second editor")
    assert first.post(edit_url(world, observation), edit_data(observation, 5)).status_code == 302
    response = second.post(edit_url(world, observation), stale)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Changed by someone else" in body and "second editor" in body
    observation.refresh_from_db()
    assert observation.version == 2 and observation.note == "corrected note"
    assert set(observation.scores.values_list("value", flat=True)) == {5}


def test_a_stale_version_in_the_service_raises(world):
    observation = record_today(world)
    from kawal.core.models import StaleVersion

    with pytest.raises(StaleVersion):
        care_svc.observation_update(
            observation,
            care_svc.ObservationInput(observation.observed_on, scores(1)),
            expected_version=observation.version + 1,
            acting_user=world.psychologist,
        )


# --- Who may record --------------------------------------------------------------------


def test_a_progress_only_recorder_records_scores_and_keeps_the_note(world):
    psychologist = add_member(world.case, world.owner, Role.PSYCHOLOGIST, ["progress"])
    client = client_for(psychologist)
    page = client.get(record_url(world))
    assert page.status_code == 200 and 'name="note"' not in page.content.decode()
    assert client.post(record_url(world), form_data(note="sneaked")).status_code == 302
    observation = Observation.objects.get()
    assert observation.note == ""
    with pytest.raises(PermissionDenied):
        care_svc.observation_update(
            observation,
            care_svc.ObservationInput(observation.observed_on, scores(2), note="x"),
            expected_version=observation.version,
            acting_user=psychologist,
        )


def test_the_case_manager_may_not_record(world):
    with pytest.raises(PermissionDenied):
        care_svc.observation_record(
            world.case,
            care_svc.ObservationInput(timezone.localdate(), scores(3)),
            acting_user=world.owner,
        )
    assert client_for(world.owner).get(record_url(world)).status_code == 403


def test_nothing_is_recorded_on_a_closed_case(world):
    world.case.status = CaseStatus.CLOSED
    world.case.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="closed"):
        record_today(world)
    response = client_for(world.psychologist).get(record_url(world))
    assert response.status_code == 302


def test_a_removed_psychologist_can_no_longer_record(world):
    member = world.case.members.get(user=world.psychologist)
    svc.member_remove(member, acting_user=world.owner)
    events = CaseEvent.objects.count()
    response = client_for(world.psychologist).post(record_url(world), form_data())
    assert response.status_code == 404
    assert CaseEvent.objects.count() == events and not Observation.objects.exists()


def test_validation_in_the_service_names_the_indicator(world):
    data = care_svc.ObservationInput(timezone.localdate(), scores(3, mood=6))
    with pytest.raises(ValidationError) as error:
        care_svc.observation_record(world.case, data, acting_user=world.psychologist)
    assert "score_mood" in error.value.message_dict
    unknown = care_svc.ObservationInput(timezone.localdate(), {**scores(3), "bogus": 3})
    with pytest.raises(ValidationError):
        care_svc.observation_record(world.case, unknown, acting_user=world.psychologist)
    empty_action = care_svc.ObservationInput(
        timezone.localdate(),
        scores(3),
        incidents=[care_svc.IncidentInput("aggression", time(9, 0), "  ")],
    )
    with pytest.raises(ValidationError, match="what was done"):
        care_svc.observation_record(world.case, empty_action, acting_user=world.psychologist)
    assert not Observation.objects.exists()


def test_two_saves_of_the_same_day_at_once_give_one_observation(world, monkeypatch):
    """The second of two simultaneous saves passes the look-up and meets the constraint."""
    record_today(world)
    real_filter = Observation.objects.filter

    class Nothing:
        def exists(self):
            return False

    def filter_(*args, **kwargs):
        if "observed_on" in kwargs and "case" in kwargs:
            return Nothing()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Observation.objects, "filter", filter_)
    with pytest.raises(ValidationError, match="already recorded"):
        record_today(world)
    monkeypatch.undo()
    assert Observation.objects.count() == 1
    assert world.case.events.filter(kind="care.observation").count() == 1


# --- Times, the heading and the error summary -------------------------------------


@pytest.fixture
def ten_oclock():
    now = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    with time_machine.travel(now, tick=False):
        yield now


def test_an_incident_later_than_now_today_is_refused(world, ten_oclock):
    now = ten_oclock
    later = care_svc.ObservationInput(
        now.date(),
        scores(3),
        incidents=[care_svc.IncidentInput("aggression", time(10, 1), "Ditenangkan (sintetis)")],
    )
    with translation.override("en"), pytest.raises(ValidationError) as error:
        care_svc.observation_record(world.case, later, acting_user=world.psychologist)
    assert "An incident time is later than now (10:00)" in str(error.value)
    assert not Observation.objects.exists()
    # The same time on a past day, and a time already passed today, are fine.
    backdate(world.case, 3)
    earlier = care_svc.ObservationInput(
        now.date() - timedelta(days=1), scores(3), incidents=later.incidents
    )
    care_svc.observation_record(world.case, earlier, acting_user=world.psychologist)
    on_time = care_svc.ObservationInput(
        now.date(),
        scores(3),
        incidents=[care_svc.IncidentInput("aggression", time(10, 0), "Ditenangkan (sintetis)")],
    )
    care_svc.observation_record(world.case, on_time, acting_user=world.psychologist)
    assert Observation.objects.count() == 2


def test_the_form_refuses_a_later_time_with_a_summary_at_the_top(world, ten_oclock):
    client = client_for(world.psychologist)
    data = form_data(
        **{
            "incident-0-kind": "aggression",
            "incident-0-occurred_at": "10:30",
            "incident-0-action_taken": ACTION_MARKER,
        }
    )
    response = client.post(record_url(world), data)
    body = response.content.decode()
    assert response.status_code == 400 and not Observation.objects.exists()
    assert 'id="error-summary"' in body and "Not saved: 1 thing to correct." in body
    assert "An incident time is later than now" in body
    assert body.index('id="error-summary"') < body.index('id="scale-')
    # A missing score is listed too, linked to its scale.
    data = form_data()
    del data["score_mood"]
    body = client.post(record_url(world), data).content.decode()
    assert 'href="#scale-mood"' in body and "Choose a score." in body


def test_the_heading_names_a_past_day_instead_of_today(world):
    backdate(world.case, 5)
    client = client_for(world.psychologist)
    assert "Today's observation</h1>" in client.get(record_url(world)).content.decode()
    day = timezone.localdate() - timedelta(days=2)
    data = form_data(day=day)
    del data["score_mood"]  # re-shown with the day asked for
    body = client.post(record_url(world), data).content.decode()
    assert f"Observation for {day.strftime('%d/%m/%Y')}" in body
    assert "Today's observation</h1>" not in body
    assert "care/js/observation_form.js" in body


def test_the_timeline_keeps_the_first_day_and_incidents_not_every_day(world):
    backdate(world.case, 6)
    today = timezone.localdate()

    def record(back, incidents=()):
        care_svc.observation_record(
            world.case,
            care_svc.ObservationInput(
                today - timedelta(days=back), scores(3), incidents=list(incidents)
            ),
            acting_user=world.psychologist,
        )

    record(5)  # the first: care began
    record(4)
    record(3)  # ordinary days: the care page is their history
    record(2, [care_svc.IncidentInput("distress", time(0, 0), "Ditenangkan (sintetis)")])
    record(1)
    events = list(
        world.case.events.filter(kind="care.observation")
        .order_by("id")
        .values_list("payload", flat=True)
    )
    assert [event["observed_on"] for event in events] == [
        (today - timedelta(days=5)).isoformat(),
        (today - timedelta(days=2)).isoformat(),
    ]
    assert events[0].get("first") and not events[1].get("first")
    client = client_for(world.owner)
    body = client.get(reverse("cases:detail", kwargs={"case_uuid": world.case.uuid}))
    text = body.content.decode()
    assert "First daily observation recorded" in text
    assert text.count("aily observation recorded") == 2
