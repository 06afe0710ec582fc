"""Locust scenario: people holding whole conversations with the assistant over REST.

Each simulated person picks one of the conversations below, sends its messages
with 2-5 s between them (reading the answer, typing the next), then starts a new
conversation under a new id. With LOAD_HOSTS="http://a,http://b" the messages of
one conversation alternate between the hosts, as behind a load balancer.

Run through scripts/load.py (`make load`), which reports the figures.
"""

from __future__ import annotations

import itertools
import os
import random
import uuid

from locust import HttpUser, between, task

CONVERSATIONS = [
    ["hello", "my neck keeps twisting to the left", "tips", "contacts", "thank you"],
    ["my eyes", "blinking or eyes shutting", "what treatments are there?", "bye"],
    ["my hand cramps when I write", "is there a support group near Leeds?", "is there a cure?"],
    ["my voice sounds strained and breaks up", "how does dystonia affect mental health?", "thanks"],
    ["my 8 year old's legs get stiff by the evening", "what is dystonia?", "can I talk to a person?"],
    ["I can't swallow properly", "I'm safe now", "my jaw clenches when I talk", "tips"],
    ["what do you know about me", "my foot turns in when I walk", "contacts"],
]
HOSTS = [h for h in os.environ.get("LOAD_HOSTS", "").split(",") if h]
APOLOGY = "can't reach my information right now"  # utter_service_problem: the turn failed


class Person(HttpUser):
    wait_time = between(2, 5)

    @task
    def conversation(self) -> None:
        sender = f"load-{uuid.uuid4().hex}"
        hosts = itertools.cycle(HOSTS or [self.host])
        for message in random.choice(CONVERSATIONS):
            url = f"{next(hosts)}/webhooks/rest/webhook"
            with self.client.post(
                url, json={"sender": sender, "message": message}, name="turn", catch_response=True
            ) as response:
                if response.status_code != 200 or not response.json():
                    response.failure(f"status {response.status_code}")
                elif APOLOGY in response.text:
                    response.failure("answered with the service-problem apology")
            self.wait()
