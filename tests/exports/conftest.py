"""The case world of tests/cases, plus helpers to export and to read files back."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from kawal.access.catalogue import Role
from tests.cases.conftest import MARKERS, World, open_case, world
from tests.helpers import make_user, sign_in

__all__ = ["MARKERS", "World", "client_for", "open_case", "read_csv", "read_xlsx", "world"]


def client_for(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    return client


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def supervisor2(db):
    return make_user(Role.SUPERVISOR, username="boss-2", full_name="Second Supervisor")
