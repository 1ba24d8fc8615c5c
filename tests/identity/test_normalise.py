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
    ("Muhammad Noor", "muhamad nur", ""),
    ("Nor Hasanah", "nur hasanah", ""),
    ("Norhadi", "norhadi", ""),
    ("Puteri Ayu", "putri ayu", ""),
    ("Putera Pratama", "putra pratama", ""),
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
