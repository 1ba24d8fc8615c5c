"""A NUL in a query parameter is refused with 400 on every page, before any view.

PostgreSQL refuses NUL in text, so a filter that passed one on would answer
500; the guard answers once for all pages, signed in or not.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["kelurahan=a%00b", "x%00=1", "status=%00", "q=ok&q=%00"])
def test_a_nul_in_the_query_string_is_a_400(client, query):
    signed_in = Client()
    sign_in(signed_in, make_user())
    response = signed_in.get(f"{reverse('cases:list')}?{query}")
    assert response.status_code == 400
    # The public report form too, without an account.
    assert client.get(f"{reverse('reports:new')}?{query}").status_code == 400


def test_ordinary_parameters_pass():
    signed_in = Client()
    sign_in(signed_in, make_user())
    assert signed_in.get(f"{reverse('cases:list')}?status=closed").status_code == 200
