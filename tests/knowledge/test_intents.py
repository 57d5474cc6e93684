import pytest

from knowledge.contacts import Contact
from knowledge.intents import classify

CONTACTS = [Contact("Kathy Leggett", phone="515-725-3882")]


@pytest.mark.parametrize(
    "message",
    [
        "How can my company join a sector partnership?",
        "We'd like to start a new partnership for food processors in our region",
        "Who should I talk to about the sector partnerships?",
        "Is there someone from IWD who can explain how the partnership work affects us?",
        "what's the phone number for the sector partnership program",
        "How do I reach Kathy Leggett?",
    ],
)
def test_wishes_to_get_involved_are_routed(message: str) -> None:
    assert classify(message, CONTACTS).intent == "involvement"


@pytest.mark.parametrize(
    "message",
    [
        "What is a sector partnership?",
        "Who do I call about my unemployment claim?",
        "When did IWD take over the sector partnerships?",
        "A 2019 page says to call 515-281-8260 about partnerships. Is that still right?",
        "How many counties are in the Iowa Plains local area?",
    ],
)
def test_ordinary_questions_are_not_routed(message: str) -> None:
    assert classify(message, CONTACTS).intent == "question"


@pytest.mark.parametrize(
    "message", ["hi", "Hello there!", "thanks!", "what can you do?", "ok thank you"]
)
def test_greetings_and_thanks_are_small_talk(message: str) -> None:
    assert classify(message, CONTACTS).intent == "smalltalk"


def test_a_greeting_with_a_question_is_the_question() -> None:
    assert classify("hello, how do I join a partnership?", CONTACTS).intent == "involvement"
    assert classify("hi! what is WIOA?", CONTACTS).intent == "question"


def test_requests_for_private_details_are_flagged() -> None:
    result = classify("What's Beth Townsend's home phone number?", CONTACTS)
    assert result.asks_private_details and result.intent == "question"


@pytest.mark.parametrize(
    "message",
    [
        "What's the status of my unemployment claim?",
        "How much tax do I owe this year?",
        "Where is my refund?",
    ],
)
def test_questions_about_the_askers_own_records_are_flagged(message: str) -> None:
    assert classify(message, CONTACTS).asks_personal_case


@pytest.mark.parametrize(
    "message",
    [
        "How can my company join a partnership?",
        "Can our partnership apply to the Employer Innovation Fund?",
    ],
)
def test_questions_about_the_askers_company_are_not_personal_records(message: str) -> None:
    assert not classify(message, CONTACTS).asks_personal_case


def test_sentences_about_taking_part_are_told_from_other_partnership_facts() -> None:
    from knowledge.intents import is_about_taking_part

    assert is_about_taking_part("Employers can join an existing partnership or start one.")
    assert is_about_taking_part(
        "IWD lists her as the contact for how your business can play a role."
    )
    assert not is_about_taking_part("Members have helped speed the development of career pathways.")
