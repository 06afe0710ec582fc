"""Who a story is about and how the writer feels (signpost.language.framing)."""

from __future__ import annotations

import pytest

from signpost.language.framing import about_whom, feeling_in, frame


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My neck keeps pulling to the left", "self"),
        ("Our 9-year-old's foot turns in when she walks", "child"),
        ("my 16 year old son has a tremor in his hand", "child"),
        ("My daughter's eyes keep closing", "child"),
        ("I do not have dystonia, my wife does. Her head pulls to one side", "adult"),
        ("My husband's voice has gone strained and breathy", "adult"),
        ("My mum had it too, and now I have a twisting neck", "self"),
        ("my 45 year old brother's jaw clenches", "adult"),
    ],
)
def test_who_the_story_is_about(text, expected):
    assert about_whom(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm really scared, my hand won't stop shaking", "frightened"),
        ("I'm exhausted by the spasms", "exhausted"),
        ("I was just diagnosed with cervical dystonia", "new_diagnosis"),
        ("I'm worried about my eyes closing", "worried"),
        ("My neck pulls to the left", None),
    ],
)
def test_feelings_said_plainly(text, expected):
    assert feeling_in(text) == expected


def test_a_worried_parent_is_answered_as_a_parent():
    framing = frame(["we're so worried", "our son's foot twists inwards"])
    assert framing == frame(["our son's foot twists inwards, we're so worried"])
    assert (framing.about, framing.feeling) == ("child", "worried_child")
