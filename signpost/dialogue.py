"""The dialogue's names, kept once: red flags, intent groups, slots and key actions.

domain.yml, config.yml and data/ spell these names too; tests/test_dialogue_names.py
checks that they and this module agree. Plain constants that import nothing, so the
language layer, the Rasa plug-ins and the action server can all import them.

Each intent group says what the code treats alike. The groups overlap on purpose
(all of them hold the four `SMALL_TALK` intents); where they differ, the comment
on the group says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

# --- red flags -------------------------------------------------------------------

EMERGENCY = "emergency"
CRISIS = "crisis"
URGENT = "urgent"
# Most serious first: the detector tries its rules in this order.
RED_FLAG_CATEGORIES = (EMERGENCY, CRISIS, URGENT)
# Least serious first: the helpline queue keeps the most serious one a conversation raised.
SEVERITY_ORDER = tuple(reversed(RED_FLAG_CATEGORIES))

# The other findings of the deterministic layer (data/knowledge/red_flags.yml).
SAFE = "safe"
MEDICATION = "medication"
LOW_MOOD = "low_mood"
# Every category a rule in red_flags.yml may have, in the order the detector tries them.
DETECTOR_CATEGORIES = (*RED_FLAG_CATEGORIES, SAFE, MEDICATION, LOW_MOOD)


@dataclass(frozen=True)
class RedFlag:
    """One red-flag category: the intent the safety layer sets and the response that answers it."""

    category: str
    intent: str
    #: A plain domain response, so it goes out with the action server down.
    response: str
    #: When set, the flow pauses after the answer: this reminder answers every message until "I'm safe".
    reminder: Optional[str] = None


RED_FLAGS = (
    RedFlag(EMERGENCY, "red_flag_emergency", "utter_red_flag_emergency", "utter_safety_hold_emergency"),
    RedFlag(CRISIS, "red_flag_crisis", "utter_red_flag_crisis", "utter_safety_hold_crisis"),
    RedFlag(URGENT, "red_flag_urgent", "utter_red_flag_urgent"),
)
CATEGORY_FOR_INTENT: Dict[str, str] = {f.intent: f.category for f in RED_FLAGS}
CATEGORY_FOR_RESPONSE: Dict[str, str] = {f.response: f.category for f in RED_FLAGS}
RESPONSE_FOR_INTENT: Dict[str, str] = {f.intent: f.response for f in RED_FLAGS}
# The red flags that pause the flow (the `safety_hold` slot holds the category) and their reminders.
REMINDER_FOR_HOLD: Dict[str, str] = {f.category: f.reminder for f in RED_FLAGS if f.reminder is not None}
HOLD_FOR_INTENT: Dict[str, str] = {f.intent: f.category for f in RED_FLAGS if f.reminder is not None}

# --- intents ---------------------------------------------------------------------

DESCRIBE_INTENT = "describe_symptoms"
SAFE_INTENT = "confirm_safe"
MEDICATION_INTENT = "ask_medication_change"
LOW_MOOD_INTENT = "ask_mental_health"
TYPE_INFO_INTENT = "ask_type_info"
# The retrieval intent: faq/<id>, answered from data/knowledge/answers.yml.
RETRIEVAL_INTENT = "faq"
# Rasa's own intent for a message NLU did not understand (FallbackClassifier).
NLU_FALLBACK_INTENT = "nlu_fallback"

# The intent each finding of the deterministic layer sets.
INTENT_FOR_CATEGORY: Dict[str, str] = {
    **{f.category: f.intent for f in RED_FLAGS},
    SAFE: SAFE_INTENT,
    MEDICATION: MEDICATION_INTENT,
    LOW_MOOD: LOW_MOOD_INTENT,
}
# Findings that set their intent whatever the classifier said; low mood only wins over
# small talk or an unsure classifier (`LOW_MOOD_OVERRIDES`).
DECISIVE_CATEGORIES = (*RED_FLAG_CATEGORIES, SAFE, MEDICATION)
# Intents only the safety layer sets: they have no NLU examples, so the classifier never guesses them.
DETERMINISTIC_INTENTS = tuple(INTENT_FOR_CATEGORY[c] for c in DECISIVE_CATEGORIES)

# Messages that ask for nothing of their own. Every group below starts from these.
SMALL_TALK = ("greet", "affirm", "deny", "thanks")
# A message that clearly describes symptoms is a description, whatever of these the
# classifier chose ("hi, my neck twists"). A goodbye stays a goodbye.
DESCRIPTION_OVERRIDES = (*SMALL_TALK, "out_of_scope", NLU_FALLBACK_INTENT)
# Low mood gets the mental-health answer (with the crisis offer) over these, and over a
# goodbye too: a low farewell is not answered with "take care" alone.
LOW_MOOD_OVERRIDES = (*DESCRIPTION_OVERRIDES, "goodbye")
# The side questions answered from the knowledge base.
TOPIC_QUESTIONS = (
    "ask_pain",
    LOW_MOOD_INTENT,
    "ask_managing",
    "ask_treatments",
    "ask_cure",
    "ask_what_is_dystonia",
    TYPE_INFO_INTENT,
    "ask_occupational_therapy",
    "ask_carers",
    "ask_support_groups",
    "ask_helpline",
    "ask_why_asking",
)
# A statement naming a region and a symptom is a description even if the classifier chose one of these.
STATEMENT_OVERRIDES = (*TOPIC_QUESTIONS, "bot_challenge")
# The same, for the many-small-answers intent, when the statement is someone's own story
# ("I", "my", "her", "our son"): a forum title such as "neck spasms after injections" has
# no one in it and stays a question. Also for the questions about this conversation itself,
# which a long story can resemble ("you don't know what's causing what" read as asking what
# is kept): a story that names a part of the body and what it does asks neither.
NARRATIVE_OVERRIDES = (RETRIEVAL_INTENT, "ask_my_data", "ask_why_asking")
# And for a request for a person, when the story asks for nothing: "it starts when I talk
# to someone" is not "I want to talk to someone".
REQUEST_OVERRIDES = ("request_human",)
# The intents whose entities may fill the description slots: an answer to the symptom
# questions, or a message that asks for nothing else. Every other intent is a side
# question, a red flag or a request; its entities fill nothing (domain.yml, `intent:`).
SLOT_FILLERS = (*SMALL_TALK, DESCRIBE_INTENT, NLU_FALLBACK_INTENT)
# While the form waits, an answer with nothing recognised in it is asked again rather
# than handed to the rules: every slot filler, and "I'm safe" with nothing paused.
KEEP_ASKING = (*SLOT_FILLERS, SAFE_INTENT)

# --- slots, entities, the form ---------------------------------------------------

# Entities and the slots of the same name.
BODY_REGION = "body_region"
SYMPTOM = "symptom"
MODIFIER = "modifier"
DYSTONIA_TYPE = "dystonia_type"
PLACE = "place"
SYMPTOM_FORM = "symptom_form"
# The form's validation (signpost.symptom_form) and the slot Rasa keeps the question asked in.
SYMPTOM_FORM_VALIDATION = f"validate_{SYMPTOM_FORM}"
REQUESTED_SLOT = "requested_slot"
# What a person describes: it adds up over the conversation, and only `SLOT_FILLERS` fill it.
DESCRIPTION_SLOTS: Tuple[str, ...] = (BODY_REGION, SYMPTOM, MODIFIER)
# The types of dystonia the last signposting answer suggested (actions/signposting.py).
SUGGESTED_TYPES_SLOT = "suggested_types"
# What the conversation was shown: "disclaimer", contact ids, "tip:<id>" (actions/base.py).
SHOWN_SLOT = "shown"
# Set by the helpline bridge while a worker holds the conversation.
WITH_PERSON_SLOT = "with_person"
# Set by the safety policy: the red flag that paused the flow.
HOLD_SLOT = "safety_hold"

# --- actions and responses the code names -----------------------------------------

HANDOFF_ACTION = "action_handoff"
SIGNPOST_ACTION = "action_signpost"
# Rasa's action when no policy is confident (config.yml, core_fallback_action_name).
CORE_FALLBACK_ACTION = "action_default_fallback"
SAFE_RESPONSE = "utter_safe_to_continue"
END_CHAT_RESPONSE = "utter_helpline_chat_ended"
# The tracker store erases the conversation when a turn ends with this response.
FORGET_RESPONSE = "utter_forgotten"
