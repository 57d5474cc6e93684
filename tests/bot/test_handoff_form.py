"""The hand-off form's checks, on their own (the listener tests cover the inline errors)."""

from __future__ import annotations

import pytest

from bot.handoff.form import HandoffForm, guess_interest, read_form, valid_phone, validate
from tests.bot.handoff_helpers import VALID_FORM
from tests.fakes.slack_requests import view_submission


def _form(**changes: str) -> HandoffForm:
    return HandoffForm(**{**VALID_FORM, **changes})


@pytest.mark.parametrize(
    "phone",
    [
        "515-725-3882",
        "(515) 725-3882",
        "515.725.3882",
        "1 515 725 3882",
        "+44 20 7946 0958",
        "515-725-3882 ext. 12",
        "515-725-3882 x12",
    ],
)
def test_phone_numbers_people_write_are_accepted(phone: str) -> None:
    assert valid_phone(phone)


@pytest.mark.parametrize("phone", ["725-3882", "call me", "515-725-38820000", "+1", "555"])
def test_things_that_are_not_phone_numbers_are_refused(phone: str) -> None:
    assert not valid_phone(phone)


@pytest.mark.parametrize("email", ["pat@example.com", "pat.o'neil+iowa@mail.example.org"])
def test_email_addresses_are_accepted(email: str) -> None:
    assert validate(_form(email=email)) == {}


@pytest.mark.parametrize("email", ["pat", "pat@", "pat@example", "@example.com", "a b@c.com"])
def test_malformed_email_addresses_are_refused(email: str) -> None:
    assert set(validate(_form(email=email))) == {"email"}


def test_either_email_or_phone_is_enough() -> None:
    assert validate(_form(email="")) == {}
    assert validate(_form(phone="")) == {}
    assert set(validate(_form(email="", phone=""))) == {"email", "phone"}


def test_read_form_trims_values_and_reads_the_selected_interest() -> None:
    payload = view_submission({**VALID_FORM, "name": "  Pat Example  ", "interest": "training"})

    form = read_form(payload["view"])

    assert form.name == "Pat Example"
    assert form.interest == "training"


def test_read_form_treats_missing_inputs_as_empty() -> None:
    form = read_form({"state": {"values": {}}})

    assert form == HandoffForm("", "", "", "", "", "", "", "")
    assert set(validate(form)) == {"name", "email", "phone", "interest"}


@pytest.mark.parametrize(
    ("text", "interest"),
    [
        ("How can my company join a sector partnership?", "join"),
        ("We'd like to start a partnership in Ames.", "start"),
        ("We need welders trained in Sioux City", "training"),
        ("What is a sector partnership?", ""),
    ],
)
def test_the_interest_is_guessed_from_the_question(text: str, interest: str) -> None:
    assert guess_interest(text) == interest
