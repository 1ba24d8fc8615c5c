"""The timeline shows changed values as the forms showed them, not as stored."""

from __future__ import annotations

from django.utils import translation

from kawal.cases.templatetags.case_tags import approval_label, change_value


def test_choices_and_flags_read_as_labels():
    with translation.override("id"):
        assert change_value("sharing_basis", "legal_obligation") != "legal_obligation"
        assert change_value("sharing_basis", "none") != "none"
        assert change_value("parent_is_alleged_perpetrator", "True") == "ya"
        assert change_value("parent_is_alleged_perpetrator", "False") == "tidak"
        assert change_value("street", "") == "—"
        assert change_value("street", "Jl. Sintetis 1") == "Jl. Sintetis 1"
        assert approval_label("plan") == "Rencana kasus"
