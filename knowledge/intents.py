"""Tell questions, wishes to get involved and small talk apart.

Rules over the wording, not a model: they are predictable, explainable to admins, and a wrong
route costs a person's time. Involvement needs both a cue (joining, starting, asking for a
person) and the partnership topic, so "who do I call about my unemployment claim?" is not
routed to the partnerships contact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.contacts import Contact
from knowledge.types import Intent

_PARTICIPATION = re.compile(
    r"\b(join(ing)?|get(ting)? involved|be(come)? (a )?(part|member|partner)s?\b|participat\w*|"
    r"sign (up|on)|take part|enroll|(start|launch|create|form|set up|organi[sz]e|begin)\w* "
    r"(a |an |our |my |the )?(new )?(\w+ ){0,3}(partnership|collaborative|group|sector))",
    re.IGNORECASE,
)
_PERSON_WANTED = re.compile(
    r"\b(who (do|should|can|could|would) (i|we) (talk|speak|call|contact|reach|ask|email|write)"
    r"|who('?s| is| are)( the| your)? (\w+ ){0,2}(contact|person|people|point of contact|lead)"
    r"|who at (the state|iwd|iowa workforce)|who (runs|leads|manages|coordinates) (it|them|this)"
    r"|(some|any)(one|body) (from|at|with) (iwd|the state|iowa workforce|the department)"
    r"|(talk|speak|meet) (to|with) (some|any)(one|body)|get in touch"
    r"|contact (info|information|details|person)|(phone|telephone) (number|#|no)|\bphone\s*#"
    r"|e-?mail( address)?|how (do|can) (i|we) (reach|contact))",
    re.IGNORECASE,
)
_HOW_TO_JOIN = re.compile(
    r"\b(members?hip|convener|play a role|take part|new partners|welcome|reach out|call|contact)\b",
    re.IGNORECASE,
)
_PARTNERSHIP_TOPIC = re.compile(
    r"partnership|\bsector|collaborative|consortium|industry (group|council)|iwd"
    r"|workforce development",
    re.IGNORECASE,
)
# Questions about the asker's own records need a system the bot cannot see, not documents.
_PERSONAL_CASE = re.compile(
    r"\b(status of|check on|look up|update on|where is|when will i get) (my|our)\b"
    r"|\b(my|our) (unemployment |ui |benefit |tax )?(claim|claims|refund|payment|payments|"
    r"account|application|case number|benefits check)\b|\bhow much (\w+ ){0,3}do (i|we) owe\b",
    re.IGNORECASE,
)
_CONTACT_DETAILS = re.compile(
    r"\b(phone|telephone|number|call|contact|e-?mail|reach)\b|\d{3}-\d{3}-\d{4}", re.IGNORECASE
)
_SMALLTALK = re.compile(
    r"\b(hi|hello|hey|howdy|yo|good (morning|afternoon|evening|day)|thanks?( you)?( so much)?|thx|"
    r"ty|cheers|ok(ay)?|cool|great|nice|awesome|perfect|bye|goodbye|see (you|ya)|who are you|"
    r"what are you|what can you do|what do you do|how are you|help|are you (a )?(bot|human|real)|"
    r"there|bot|all|everyone|folks|again|much|a lot|(that|this) (helps|helped|works))\b",
    re.IGNORECASE,
)
# Requests for a person's private details are declined whatever the documents hold.
_PRIVATE_DETAILS = re.compile(
    r"\b(home|personal|private|cell|mobile) (phone|number|address|e-?mail)|\bsocial security"
    r"|\b(where does|where do) \w+ live\b|\bdate of birth\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class IntentResult:
    """The intent, and whether the message asks for private details."""

    intent: Intent
    asks_private_details: bool = False
    asks_personal_case: bool = False
    mentions_contact_details: bool = False


def classify(text: str, contacts: Sequence[Contact] = ()) -> IntentResult:
    """Classify one message."""
    private = bool(_PRIVATE_DETAILS.search(text))
    if _is_smalltalk(text):
        return IntentResult("smalltalk")
    if private:
        return IntentResult("question", asks_private_details=True)
    if _PERSONAL_CASE.search(text):
        return IntentResult("question", asks_personal_case=True)
    names_contact = any(_names(contact, text) for contact in contacts)
    on_topic = bool(_PARTNERSHIP_TOPIC.search(text)) or names_contact
    wants_in = bool(_PARTICIPATION.search(text))
    wants_person = bool(_PERSON_WANTED.search(text))
    if names_contact and (wants_person or wants_in):
        return IntentResult("involvement")
    if on_topic and (wants_in or wants_person):
        return IntentResult("involvement")
    # "A page says to call 515-281-8260. Is that still the right number?" is a question, but one
    # whose answer should carry the current contact.
    details = on_topic and bool(_CONTACT_DETAILS.search(text))
    return IntentResult("question", mentions_contact_details=details)


def is_about_taking_part(text: str) -> bool:
    """True for text about joining, starting or reaching a partnership (or its people)."""
    return bool(
        _PARTICIPATION.search(text) or _PERSON_WANTED.search(text) or _HOW_TO_JOIN.search(text)
    )


def _is_smalltalk(text: str) -> bool:
    """True when nothing but greetings, thanks and questions about the bot itself is left."""
    if not _SMALLTALK.search(text):
        return False
    rest = re.sub(r"[\W_]+", " ", _SMALLTALK.sub(" ", text)).split()
    return not rest


def _names(contact: Contact, text: str) -> bool:
    lowered = text.lower()
    parts = [part for part in contact.name.lower().split() if len(part) > 2]
    return bool(parts) and (contact.name.lower() in lowered or parts[-1] in lowered)
