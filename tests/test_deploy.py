"""deploy/ agrees with the code: manifests parse, and ports, commands, settings and probes
are the ones the processes really use. (Docker and Kubernetes cannot run here.)"""

from __future__ import annotations

import re
import shlex
import sys

import pytest
import yaml

from signpost.config import ROOT
from signpost.runner import MODEL, services

DEPLOY = ROOT / "deploy"
MANIFESTS = sorted((DEPLOY / "k8s").glob("*.yaml"))
# the runner's service name -> (Dockerfile stage, Kubernetes Deployment)
PROCESSES = {"Rasa server": ("rasa", "signpost-rasa"), "action server": ("actions", "signpost-actions"),
             "web front": ("web", "signpost-web")}  # fmt: skip


def documents() -> list[dict]:
    return [doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc]


def by_kind(kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in documents() if d["kind"] == kind}


def stages() -> dict[str, list[str]]:
    """Each Dockerfile stage's lines."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        found = re.match(r"FROM \S+ AS (\S+)", line)
        if found:
            current = found.group(1)
        out.setdefault(current, []).append(line)
    return out


def setting_names() -> set[str]:
    """Every environment variable signpost/config.py reads."""
    return set(re.findall(r'env\.get\("([A-Z_]+)"', (ROOT / "signpost/config.py").read_text()))


def test_every_manifest_parses_and_is_named():
    assert MANIFESTS
    for doc in documents():
        assert doc["apiVersion"] and doc["kind"] and doc["metadata"]["name"].startswith("signpost")


@pytest.mark.parametrize("service", services(), ids=lambda s: s.name)
def test_docker_stage_runs_what_the_runner_runs_on_its_port(service):
    stage, _ = PROCESSES[service.name]
    lines = stages()[stage]
    command = yaml.safe_load(next(line for line in lines if line.startswith("CMD "))[4:])
    runner = [sys.executable if a == "python" else a for a in command]
    runner = [str(MODEL) if a == "models/signpost.tar.gz" else a for a in runner]
    assert runner == service.args
    port = service.health_url.split(":")[2].split("/")[0]
    assert f"EXPOSE {port}" in lines


@pytest.mark.parametrize("service", services(), ids=lambda s: s.name)
def test_deployment_port_and_probes_match_the_process(service):
    _, name = PROCESSES[service.name]
    container = by_kind("Deployment")[name]["spec"]["template"]["spec"]["containers"][0]
    port = int(service.health_url.split(":")[2].split("/")[0])
    path = "/" + service.health_url.split("/", 3)[3]
    assert container["ports"][0]["containerPort"] == port
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == path, probe
    requests, limits = container["resources"]["requests"], container["resources"]["limits"]
    assert _mebibytes(requests["memory"]) <= _mebibytes(limits["memory"])
    assert {"configMapRef": {"name": "signpost-config"}} in container["envFrom"]


def _mebibytes(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", value).groups()  # type: ignore[union-attr]
    return int(number) * (1024 if unit == "Gi" else 1)


def test_settings_are_ones_the_code_reads():
    config = by_kind("ConfigMap")["signpost-config"]["data"]
    secrets = by_kind("Secret")["signpost-secrets"]["stringData"]
    known = setting_names() | {"RASA_TELEMETRY_ENABLED"}
    assert set(config) <= known, set(config) - known
    assert set(secrets) - {"POSTGRES_PASSWORD"} <= known
    assert {"DATABASE_URL", "REDIS_URL", "ACTION_SERVER_URL"} <= set(config) | set(secrets)
    assert config["RASA_TELEMETRY_ENABLED"] == "false"


def test_service_addresses_agree():
    services_ = by_kind("Service")
    config = by_kind("ConfigMap")["signpost-config"]["data"]
    host, port = re.match(r"http://([\w-]+):(\d+)/webhook", config["ACTION_SERVER_URL"]).groups()  # type: ignore[union-attr]
    assert services_[host]["spec"]["ports"][0]["port"] == int(port)
    redis_host = re.match(r"redis://([\w-]+):6379", config["REDIS_URL"]).group(1)  # type: ignore[union-attr]
    assert redis_host in services_
    database_host = re.search(r"@([\w-]+):5432/", by_kind("Secret")["signpost-secrets"]["stringData"]["DATABASE_URL"])
    assert database_host and database_host.group(1) in services_
    for deployment in by_kind("Deployment").values():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_ingress_sends_channels_to_rasa_and_pages_to_the_web_front():
    paths = {
        p["path"]: p["backend"]["service"]["name"]
        for p in by_kind("Ingress")["signpost"]["spec"]["rules"][0]["http"]["paths"]
    }
    assert paths == {"/webhooks": "signpost-rasa", "/socket.io": "signpost-rasa", "/": "signpost-web"}


def test_images_fetch_nothing_at_start():
    text = (DEPLOY / "Dockerfile").read_text()
    assert "rasa train" in text and "build-nlp" in text and "npm ci" in text  # all at build time
    for stage in ("rasa", "actions", "web"):
        command = next(line for line in stages()[stage] if line.startswith("CMD "))
        assert not any(word in command for word in ("pip", "npm", "curl", "wget", "download", "train"))
    assert "RASA_TELEMETRY_ENABLED=false" in "\n".join(stages()["runtime"])


def test_jobs_run_real_commands():
    from signpost.__main__ import main

    for job in [*by_kind("Job").values(), *(c["spec"]["jobTemplate"] for c in by_kind("CronJob").values())]:
        command = job["spec"]["template"]["spec"]["containers"][0]["command"]
        assert command[:3] == ["python", "-m", "signpost"]
        with pytest.raises(SystemExit) as exited:
            main([command[3], "--help"])
        assert exited.value.code == 0, shlex.join(command)


def test_dockerignore_keeps_local_state_out():
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert {".venv", "node_modules", "models", "var", ".env"} <= set(ignored)


def test_the_readme_documents_the_deployment():
    readme = (ROOT / "README.md").read_text()
    assert "make run-replicas" in readme and "deploy/Dockerfile" in readme and "deploy/k8s" in readme
