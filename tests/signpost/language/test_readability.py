"""Every reply's text reads at about age 11 (signpost.language.readability)."""

from __future__ import annotations

from signpost.language.readability import LIMIT, over_limit, reading_age


def test_every_response_and_knowledge_text_reads_at_about_age_11():
    assert over_limit() == [], f"above reading age {LIMIT:g}"


def test_the_measure_tells_plain_from_hard_text():
    plain = "Call 999 now. Tell them what is happening. Stay with the person if you can."
    hard = (
        "Notwithstanding considerable interindividual variability, pharmacological interventions "
        "demonstrate heterogeneous efficacy across idiopathic presentations."
    )
    assert reading_age(plain) <= LIMIT < reading_age(hard)


def test_names_of_the_condition_do_not_count_as_hard_words():
    assert reading_age("A neurologist can tell if it is cervical dystonia.") <= LIMIT
