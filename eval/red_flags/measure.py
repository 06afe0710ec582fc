"""Score the red-flag layer on the real-world messages in messages.yml.

For each split: red flags caught (any red-flag category), caught in the right
category, and false alarms on the benign look-alikes; first the rules alone,
then the rules with the learned second opinion (trained here as `rasa train`
trains it, from red_flags.yml examples and data/nlu) at its configured
threshold. `--sweep` lists dev figures by threshold, to choose it.

    python eval/red_flags/measure.py [--misses] [--sweep]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from signpost.language.red_flags import default_detector

ROOT = Path(__file__).resolve().parents[2]

MESSAGES = Path(__file__).with_name("messages.yml")
SWEEP = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def load(split: str | None = None) -> list[dict]:
    messages = yaml.safe_load(MESSAGES.read_text(encoding="utf-8"))["messages"]
    return [m for m in messages if split is None or m["split"] == split]


def rules(text: str) -> tuple[str | None, str]:
    d = default_detector().detect(text)
    return (d.category, d.rule_id) if d and d.is_red_flag else (None, "")


def with_second_opinion(opinion, threshold: float):
    from signpost.rasa_plugins.nlu.red_flag_classifier import SECOND_OPINION_OVER, SECOND_OPINION_RULE

    def decide(text: str) -> tuple[str | None, str]:
        d = default_detector().detect(text)
        if d and d.category not in SECOND_OPINION_OVER:
            return (d.category, d.rule_id) if d.is_red_flag else (None, "")
        if default_detector().is_about_risk_or_past(text):
            return (None, "")
        category, probability = opinion.score(text)
        return (category, SECOND_OPINION_RULE) if probability >= threshold else (None, "")

    return decide


def opinion_alone(opinion, threshold: float):
    def decide(text: str) -> tuple[str | None, str]:
        category, probability = opinion.score(text)
        return (category, "second_opinion") if probability >= threshold else (None, "")

    return decide


def train_opinion():
    from rasa.shared.nlu.training_data.loading import load_data

    from signpost.rasa_plugins.nlu.red_flag_classifier import train_second_opinion

    return train_second_opinion(load_data(str(ROOT / "data" / "nlu")))


def score(messages: list[dict], decide=rules) -> dict:
    flags = [m for m in messages if m["category"] != "none"]
    benign = [m for m in messages if m["category"] == "none"]
    found = {id(m): decide(m["text"]) for m in messages}
    caught = [m for m in flags if found[id(m)][0]]
    right = [m for m in caught if found[id(m)][0] == m["category"]]
    alarms = [m for m in benign if found[id(m)][0]]
    return {
        "red_flags": len(flags),
        "caught": len(caught),
        "right_category": len(right),
        "look_alikes": len(benign),
        "false_alarms": len(alarms),
        "misses": [(m["category"], found[id(m)][0], m["text"]) for m in flags if m not in right],
        "alarms": [(found[id(m)][1], m["text"]) for m in alarms],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list misses and false alarms (dev only)")
    parser.add_argument("--sweep", action="store_true", help="dev figures of the second opinion by threshold")
    args = parser.parse_args()
    from signpost.rasa_plugins.nlu.red_flag_classifier import RedFlagClassifier

    threshold = RedFlagClassifier.get_default_config()["second_opinion_threshold"]
    opinion = train_opinion()
    layers = {"rules": rules, f"rules + second opinion at {threshold}": with_second_opinion(opinion, threshold)}
    for name, decide in layers.items():
        print(name)
        for split in ("dev", "test"):
            s = score(load(split), decide)
            n = s["red_flags"]
            print(
                f"  {split:4}: caught {s['caught']}/{n}, right category {s['right_category']}/{n},"
                f" false alarms {s['false_alarms']}/{s['look_alikes']}"
            )
            if args.misses and split == "dev":
                for miss in s["misses"]:
                    print("    MISS", miss)
                for alarm in s["alarms"]:
                    print("    ALARM", alarm)
    if args.sweep:
        print("dev by threshold: second opinion alone | rules + second opinion")
        for t in SWEEP:
            a = score(load("dev"), opinion_alone(opinion, t))
            s = score(load("dev"), with_second_opinion(opinion, t))
            print(
                f"  {t:.2f}: caught {a['caught']}/{a['red_flags']}, false alarms {a['false_alarms']}/{a['look_alikes']}"
                f" | caught {s['caught']}/{s['red_flags']}, false alarms {s['false_alarms']}/{s['look_alikes']}"
            )


if __name__ == "__main__":
    main()
