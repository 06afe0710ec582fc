"""The vocabulary extractor's intent corrections: when a story beats the classifier's guess."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from signpost.dialogue import DESCRIBE_INTENT, RETRIEVAL_INTENT, TYPE_INFO_INTENT
from signpost.knowledge import vocabulary as lexicon
from signpost.knowledge.content import Content
from signpost.rasa_plugins.nlu.extractor import VocabularyExtractor


@pytest.fixture(scope="module")
def extractor(content: Content, tmp_path_factory: pytest.TempPathFactory) -> VocabularyExtractor:
    path = lexicon.save_pipeline(content, tmp_path_factory.mktemp("spacy") / "signpost_en")
    lex = lexicon.Lexicon(lexicon.load_pipeline(str(path), content), content)
    return VocabularyExtractor(VocabularyExtractor.get_default_config(), lex)


def intent_after(extractor: VocabularyExtractor, text: str, guess: str, confidence: float = 0.95) -> str:
    message = Message(data={TEXT: text, INTENT: {"name": guess, "confidence": confidence}})
    extractor.process([message])
    return message.get(INTENT)["name"]


@pytest.mark.parametrize(
    "text",
    [
        "In my case, dystonia affects my neck and causes my head to turn to the left.",
        "For a while I found driving hard as it was difficult to turn my head to the left.",
        "In 2004 I began to notice that I had a head tremor.",
        "Our son's foot turns in when he walks.",
    ],
)
def test_a_story_naming_a_region_and_what_it_does_is_a_description_over_a_confident_faq_guess(
    extractor: VocabularyExtractor, text: str
) -> None:
    assert intent_after(extractor, text, RETRIEVAL_INTENT) == DESCRIBE_INTENT


@pytest.mark.parametrize(
    "text",
    [
        "neck spasms after botox",  # a forum title: nobody in it
        "Can my neck spasms be treated?",  # a question
        "I was wondering if anyone else has neck spasms after botox",  # asking for others' experience
        "Has anyone found that their head tremor gets worse with stress",
    ],
)
def test_questions_and_titles_keep_the_faq_guess(extractor: VocabularyExtractor, text: str) -> None:
    assert intent_after(extractor, text, RETRIEVAL_INTENT) == RETRIEVAL_INTENT


def test_a_story_naming_a_type_asks_about_that_type(extractor: VocabularyExtractor) -> None:
    text = "One of my medicines eventually caused the development of tardive dyskinesia."
    assert intent_after(extractor, text, RETRIEVAL_INTENT) == TYPE_INFO_INTENT
    assert intent_after(extractor, "Is tardive dyskinesia permanent?", RETRIEVAL_INTENT) == RETRIEVAL_INTENT


def test_other_requests_are_not_taken_for_stories(extractor: VocabularyExtractor) -> None:
    # Asking for a person stays a request for a person, whatever else the message says.
    for text in (
        "I want to talk to someone about my neck spasms",
        "my neck spasms are bad, can I speak to a person",
        "please get someone to ring me, my eyelids keep shutting",
    ):
        assert intent_after(extractor, text, "request_human") == "request_human", text


def test_a_story_that_mentions_talking_to_someone_is_still_a_story(extractor: VocabularyExtractor) -> None:
    text = "It starts when I talk to someone, and my eyes clamp shut."
    assert intent_after(extractor, text, "request_human") == DESCRIBE_INTENT


@pytest.mark.parametrize(
    "text",
    [
        "What causes cervical dystonia?",
        "Will my blepharospasm get worse?",
        "What is the treatment for writer's cramp?",
        "what is the difference between focal and segmental dystonia",
    ],
)
def test_an_unsure_question_about_a_topic_of_a_type_keeps_the_answer(extractor: VocabularyExtractor, text: str) -> None:
    assert intent_after(extractor, text, RETRIEVAL_INTENT, confidence=0.3) == RETRIEVAL_INTENT


@pytest.mark.parametrize(
    "text",
    [
        "What is Meige syndrome?",
        "what does focal dystonia mean",
        "laterocollis, what is it",
        "tell me about blepharospasm",
    ],
)
def test_an_unsure_question_about_the_type_itself_is_about_that_type(extractor: VocabularyExtractor, text: str) -> None:
    assert intent_after(extractor, text, RETRIEVAL_INTENT, confidence=0.3) == TYPE_INFO_INTENT
    assert intent_after(extractor, text, "greet", confidence=0.3) == TYPE_INFO_INTENT


def test_a_story_with_nothing_to_place_it_yet_starts_the_questions(extractor: VocabularyExtractor) -> None:
    for text in (
        "I got diagnosed with dystonia last year and it changed everything for me.",
        "Since then I've had a few attacks, but generally I am fine.",
    ):
        assert intent_after(extractor, text, RETRIEVAL_INTENT) == DESCRIBE_INTENT, text
    # asking for something keeps the answer
    assert intent_after(extractor, "I have dystonia and I want to know about PIP", RETRIEVAL_INTENT) == RETRIEVAL_INTENT


def test_a_story_that_says_what_its_writer_can_do_is_not_a_request(extractor: VocabularyExtractor) -> None:
    text = "My vocal cords go tight on their own, so while I can give a speech I can barely whisper to a friend."
    assert intent_after(extractor, text, "request_human") == DESCRIBE_INTENT


def test_a_story_read_as_a_question_about_this_conversation_is_still_a_story(extractor: VocabularyExtractor) -> None:
    story = "I'm on so many medications that you don't know what's causing what, and my eyes keep spasming shut."
    for guess in ("ask_my_data", "ask_why_asking"):
        assert intent_after(extractor, story, guess) == DESCRIBE_INTENT, guess
    # the questions themselves keep their intent
    assert intent_after(extractor, "what do you know about me?", "ask_my_data") == "ask_my_data"
    assert intent_after(extractor, "why are you asking about my neck?", "ask_why_asking") == "ask_why_asking"


@pytest.mark.parametrize("guess", [RETRIEVAL_INTENT, "ask_what_is_dystonia", "ask_managing", "ask_pain"])
def test_a_long_story_that_asks_nothing_starts_the_questions_whatever_page_it_resembles(
    extractor: VocabularyExtractor, guess: str
) -> None:
    for story in (
        "I constantly feel pain from my muscle contractions, and this can be relentless at times. "
        "The very simple tasks of getting dressed in the morning can become quite difficult.",
        "My husband was told it was just stress for years, and now the pain and the pulling wear him out "
        "by the end of every single day.",
    ):
        assert intent_after(extractor, story, guess) == DESCRIBE_INTENT, story


@pytest.mark.parametrize(
    "text",
    [
        # short: a title keeps the classifier's reading
        "pain after botox injections",
        # a long statement that asks for information
        "I have had dystonia for ten years and the injections help, but I would love to know more about "
        "what deep brain stimulation involves",
        "My daughter was diagnosed last year and we are looking for information about help at school for her",
        # a long question
        "I have had dystonia for ten years and the injections help a lot, so is it worth asking my "
        "neurologist about deep brain stimulation?",
    ],
)
def test_short_statements_requests_and_questions_keep_the_page(extractor: VocabularyExtractor, text: str) -> None:
    assert intent_after(extractor, text, RETRIEVAL_INTENT) == RETRIEVAL_INTENT


def test_a_plain_account_with_no_one_in_it_is_a_description_but_a_title_is_not(extractor: VocabularyExtractor) -> None:
    # a sentence that tells what a part of the body does, with no "I" or "my" in it
    account = "Eyelids closing by themselves while driving, and the left one fighting hard to stay shut all day"
    assert intent_after(extractor, account, RETRIEVAL_INTENT) == DESCRIBE_INTENT
    # a forum title, a question, or the same account asking for information keeps its page
    assert intent_after(extractor, "eyelids closing by themselves", RETRIEVAL_INTENT) == RETRIEVAL_INTENT
    assert intent_after(extractor, account + "?", RETRIEVAL_INTENT) == RETRIEVAL_INTENT
    assert intent_after(extractor, "Looking for information on " + account, RETRIEVAL_INTENT) == RETRIEVAL_INTENT
