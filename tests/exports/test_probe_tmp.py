from datetime import timedelta
import pytest
from django.urls import reverse
from django.utils import timezone
from kawal.access.catalogue import Role, DataClass
from kawal.cases.models import BreakGlassGrant
from kawal.cases import services as case_svc
from kawal.exports.models import ExportRequest
from tests.exports.conftest import client_for, open_case, read_csv, body, MARKERS
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

def test_bg_case_list(world):
    inv = make_user(Role.INVESTIGATOR)
    BreakGlassGrant.objects.create(case=world.case, user=inv, reason="x (sintetis)", expires_at=timezone.now()+timedelta(hours=1))
    c = client_for(inv)
    url = reverse("exports:request", kwargs={"kind": "case_list"})
    r = c.get(url)
    print("children", r.context["children"])
    r = c.post(url, {"format": "csv"})
    print(r.status_code, ExportRequest.objects.values_list("status","children"))

def test_mixed_bg_pdf(world):
    other = make_user(Role.INVESTIGATOR)
    case_svc.member_add(world.case, user=other, case_role="x", data_classes=[], acting_user=world.owner)
    BreakGlassGrant.objects.create(case=world.case, user=other, reason="x (sintetis)", expires_at=timezone.now()+timedelta(hours=1))
    r = client_for(other).get(reverse("exports:case_summary", kwargs={"case_uuid": world.case.uuid}))
    print("pdf", r.status_code)
    from tests.exports.test_case_summary import pdf_pages
    if r.status_code == 200:
        t = " ".join(pdf_pages(r.content)); print("identity in pdf:", MARKERS[DataClass.IDENTITY] in t)

def test_nul(world):
    c = client_for(world.owner)
    url = reverse("exports:request", kwargs={"kind": "case_list"})
    for q in ["?kelurahan=a%00b", "?x%00=1", "?status=%00"]:
        r = c.get(url + q); print(q, "GET", r.status_code)
        r = c.post(url + q, {"format": "csv"}); print(q, "POST", r.status_code)
    for q in ["?sort=%00", "?agency=-1", "?agency=1e9", "?mine=1&overdue=1&sort=risk"]:
        print(q, c.get(url+q).status_code)
