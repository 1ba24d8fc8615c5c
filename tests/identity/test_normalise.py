"""The normaliser's example table (docs/identity.md) and the properties it promises."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kawal.identity.normalise import (
    fold,
    nickname_targets,
    normalise_name,
    phonetic_key,
)

# written name -> (canonical given names, parent name)
EXAMPLES = [
    ("Moh. Rizky", "muhamad rizki", ""),
    ("Muhammad Riski bin Darman", "muhamad riski", "darman"),
    ("M. Rizki", "muhamad rizki", ""),
    ("MOCH.  RIZQI", "muhamad rizki", ""),
    ("Muh. Fajar", "muhamad fajar", ""),
    ("Mohammad Fadjar", "muhamad fajar", ""),
    ("Siti Nurhaliza binti Hamid", "siti nurhaliza", "hamid"),
    ("Achmad Djunaedi", "akhmad junaedi", ""),
    ("Tjahjo Soewarno", "cahyo suwarno", ""),
    ("Sjamsul", "syamsul", ""),
    ("Njoman", "nyoman", ""),
    ("Dessy Anggraeni", "desi angraeni", ""),
    ("Hendry", "hendri", ""),
    ("Yuni Suryani", "yuni suryani", ""),
    ("Novi", "nofi", ""),
    ("Budi", "budi", ""),
    ("  dewi   LESTARI ", "dewi lestari", ""),
    ("Nur'aini", "nuraini", ""),
]


@pytest.mark.parametrize(("written", "tokens", "parent"), EXAMPLES)
def test_example_table(written, tokens, parent):
    result = normalise_name(written)
    assert result.text == tokens
    assert " ".join(result.parent) == parent


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Moh. Rizky", "Muhammad Riski bin Darman"),
        ("Achmad", "Ahmad"),
        ("Tjahjo", "Cahyo"),
        ("Djoko", "Joko"),
        ("Khairul", "Hairul"),
        ("Soeharto", "Suharto"),
        ("Rizky Ananda", "Ananda Rizki"),  # token order ignored
        ("Ahmat", "Ahmad"),  # voiceless final
        ("Yakup", "Yakub"),
        ("Nofi", "Novi"),
        ("Zulaikha", "Sulaikha"),  # s/z
    ],
)
def test_variants_share_a_key(a, b):
    assert normalise_name(a).key == normalise_name(b).key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Rizki", "Riska"),
        ("Ahmad", "Hamid"),
        ("Dewi", "Dedi"),
        ("Putri", "Putra"),
        ("Budi", "Bayu"),
    ],
)
def test_different_names_keep_different_keys_or_tokens(a, b):
    left, right = normalise_name(a), normalise_name(b)
    assert (left.key, left.text) != (right.key, right.text)


def test_mononyms_and_empty_input():
    assert normalise_name("Sukarno").tokens == ("sukarno",)
    assert normalise_name("").tokens == ()
    assert normalise_name("bin Darman").tokens == ("bin", "darman")  # no given name before bin


def test_nicknames():
    assert "rizki" in nickname_targets("Kiki")
    assert nickname_targets("Dede") == frozenset()  # generic: stands for nobody in particular
    assert nickname_targets("Rizki Ananda") is None


def test_phonetic_key_design():
    # Vowels and h drop out, so repeated consonants around them merge.
    assert phonetic_key("muhamad") == phonetic_key("mohamad") == "MT"
    assert phonetic_key("ngadiman").startswith("G")
    assert phonetic_key("") == ""


@given(st.text(max_size=60))
def test_never_fails_and_is_idempotent(text):
    first = normalise_name(text)
    again = normalise_name(" ".join(first.tokens))
    assert again.key == first.key
    assert fold(first.text) == first.text


@pytest.mark.parametrize(
    ("token", "parts", "called"),
    [
        ("hartati", ["har", "ta", "ti"], {"titi", "tati"}),
        ("syaiful", ["sya", "i", "ful"], {"fufu", "iful"}),
        ("kristian", ["kris", "ti", "an"], {"tian"}),
        ("nabila", ["na", "bi", "la"], {"lala", "bila"}),
        ("bintang", ["bin", "tang"], {"tata"}),
        ("rizki", ["riz", "ki"], {"kiki"}),
        ("juli", ["ju", "li"], set()),  # too short to be cut down further
    ],
)
def test_call_names_are_made_from_syllables(token, parts, called):
    from kawal.identity.normalise import call_names, syllables

    assert syllables(token) == parts
    assert call_names(token) == called


def test_a_call_name_is_evidence_below_the_level_where_family_fields_count():
    from datetime import date

    from kawal.identity.matching import FIELDS, NAME_VERY_SIMILAR, compare, make_record

    levels = FIELDS[0].levels
    titi = make_record(1, full_name="Titi", birth_date=date(2016, 2, 3))
    hartati = make_record(2, full_name="Hartati Lestari", birth_date=date(2016, 2, 3))
    assert levels[compare(titi, hartati)[0]] == "similar"
    assert compare(titi, hartati)[0] < NAME_VERY_SIMILAR  # family fields never lift it
    # A call name meets only a record that is nothing but that short name (or its alias).
    full = make_record(3, full_name="Titi Anggraini")
    assert levels[compare(full, hartati)[0]] == "different"
