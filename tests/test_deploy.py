"""deploy/ agrees with the code and holds up to an operations review: manifests parse, ports,
commands, settings and probes are the ones the processes really use, every pod is locked
down, secrets arrive as files, the network is deny-by-default, and each image gets only its
own packages. (Docker and Kubernetes cannot run here; checkov and the strict Kubernetes
schemas run when .venv-deploy exists, which `make deploy-check` creates.)"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from dotenv import dotenv_values

from scripts.runner import MODEL, metrics_port, services
from signpost.config import ACTION_METRICS_PORT, RASA_METRICS_PORT, ROOT, WEB_METRICS_PORT
from signpost.health import READY_PATH

DEPLOY = ROOT / "deploy"
MANIFESTS = sorted((DEPLOY / "k8s").glob("*.yaml"))
SECRETS = DEPLOY / "secrets"
LOCKS = DEPLOY / "requirements"
DEPLOY_BIN = ROOT / ".venv-deploy" / "bin"
NAMESPACE = "signpost"
# the runner's service name -> (Dockerfile stage, Kubernetes Deployment)
PROCESSES = {"Rasa server": ("rasa", "signpost-rasa"), "action server": ("actions", "signpost-actions"),
             "web front": ("web", "signpost-web")}  # fmt: skip
APP_PODS = {"signpost-rasa", "signpost-actions", "signpost-web", "signpost-seed", "signpost-purge"}
METRICS_PORTS = {"signpost-rasa": 9005, "signpost-actions": 9055, "signpost-web": 9080}
INGRESS_CONTROLLER, MONITORING = "namespace:ingress-nginx", "namespace:monitoring"


@lru_cache(maxsize=1)
def documents() -> tuple[dict, ...]:
    return tuple(doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc)


def by_kind(kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in documents() if d["kind"] == kind}


def pod_templates() -> dict[str, dict]:
    """Every workload's pod template, by workload name (Deployments, StatefulSet, Job, CronJob)."""
    out = {}
    for doc in documents():
        if doc["kind"] in ("Deployment", "StatefulSet", "Job"):
            out[doc["metadata"]["name"]] = doc["spec"]["template"]
        elif doc["kind"] == "CronJob":
            out[doc["metadata"]["name"]] = doc["spec"]["jobTemplate"]["spec"]["template"]
    return out


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
    text = (ROOT / "signpost/config.py").read_text()
    return set(re.findall(r'env\.get\("([A-Z_]+)"', text)) | set(re.findall(r'env, "([A-Z_]+)"', text))


def app_env_template() -> dict[str, str | None]:
    return dotenv_values(SECRETS / "app.env.example")


def project_version() -> str:
    return re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)  # type: ignore[union-attr]


def test_every_manifest_parses_and_is_named_in_its_namespace():
    assert MANIFESTS
    for doc in documents():
        assert doc["apiVersion"] and doc["kind"] and doc["metadata"]["name"].startswith("signpost")
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == NAMESPACE, doc["metadata"]["name"]
    labels = by_kind("Namespace")[NAMESPACE]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def exposed(lines: list[str]) -> set[int]:
    return {int(port) for line in lines if line.startswith("EXPOSE ") for port in line.split()[1:]}


@pytest.mark.parametrize("service", services(), ids=lambda s: s.name)
def test_docker_stage_runs_what_the_runner_runs_on_its_port(service):
    stage, name = PROCESSES[service.name]
    lines = stages()[stage]
    command = yaml.safe_load(next(line for line in lines if line.startswith("CMD "))[4:])
    runner = [sys.executable if a == "python" else a for a in command]
    runner = [str(MODEL) if a == "models/signpost.tar.gz" else a for a in runner]
    assert runner == service.args
    port = int(service.health_url.split(":")[2].split("/")[0])
    assert exposed(lines) == {port, METRICS_PORTS[name]}
    assert "USER 10001:10001" in lines


@pytest.mark.parametrize("service", services(), ids=lambda s: s.name)
def test_deployment_port_and_probes_match_the_process(service):
    _, name = PROCESSES[service.name]
    container = by_kind("Deployment")[name]["spec"]["template"]["spec"]["containers"][0]
    port = int(service.health_url.split(":")[2].split("/")[0])
    path = "/" + service.health_url.split("/", 3)[3]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": port, "metrics": METRICS_PORTS[name]}
    assert container["livenessProbe"]["httpGet"] == {"path": path, "port": "http"}  # alive: it answers
    assert container["readinessProbe"]["httpGet"] == {"path": READY_PATH, "port": "http"}  # model, database
    assert {"configMapRef": {"name": "signpost-config"}} in container["envFrom"]
    assert container["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep"


def test_metrics_ports_are_the_ones_the_processes_use():
    assert METRICS_PORTS == {"signpost-rasa": RASA_METRICS_PORT, "signpost-actions": ACTION_METRICS_PORT,
                             "signpost-web": WEB_METRICS_PORT}  # fmt: skip
    ports = {PROCESSES[s.name][1]: int(s.health_url.split(":")[2].split("/")[0]) for s in services()}
    assert {name: metrics_port(port, web=name == "signpost-web") for name, port in ports.items()} == METRICS_PORTS
    config = by_kind("ConfigMap")["signpost-config"]["data"]
    assert config["METRICS_HOST"] == "0.0.0.0"  # noqa: S104 - scraped from the monitoring namespace
    for name, port in METRICS_PORTS.items():
        annotations = by_kind("Deployment")[name]["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == str(port) and annotations["prometheus.io/path"] == "/metrics"


def _mebibytes(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", value).groups()  # type: ignore[union-attr]
    return int(number) * (1024 if unit == "Gi" else 1)


def _millicores(value: str) -> int:
    return int(value[:-1]) if value.endswith("m") else int(float(value) * 1000)


@pytest.mark.parametrize("workload", sorted(pod_templates()))
def test_every_pod_is_locked_down_and_sized(workload):
    spec = pod_templates()[workload]["spec"]
    assert spec["automountServiceAccountToken"] is False
    pod = spec["securityContext"]
    assert pod["runAsNonRoot"] is True and pod["runAsUser"] >= 10000 and pod["runAsGroup"] >= 10000
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    statefulset = by_kind("StatefulSet").get(workload, {"spec": {}})["spec"]
    volumes.update({c["metadata"]["name"]: {"claim": c} for c in statefulset.get("volumeClaimTemplates", [])})
    for container in spec["containers"]:
        context = container["securityContext"]
        assert context["runAsNonRoot"] is True and context["runAsUser"] == pod["runAsUser"]
        assert context["allowPrivilegeEscalation"] is False
        assert context["readOnlyRootFilesystem"] is True
        assert context["capabilities"] == {"drop": ["ALL"]}
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}
        requests, limits = container["resources"]["requests"], container["resources"]["limits"]
        assert _mebibytes(requests["memory"]) <= _mebibytes(limits["memory"])
        assert _millicores(requests["cpu"]) <= _millicores(limits["cpu"])
        image, pull = container["image"], container["imagePullPolicy"]
        assert pull == "Always" and ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest")
        mounts = {m["mountPath"]: m for m in container.get("volumeMounts", [])}
        for mount in mounts.values():  # every mount is a known volume; scratch ones are bounded
            volume = volumes[mount["name"]]
            assert "emptyDir" not in volume or volume["emptyDir"]["sizeLimit"], mount
        if workload in APP_PODS:  # where our processes write: scratch volumes
            assert {"/tmp", "/app/var"} <= {p for p, m in mounts.items() if "emptyDir" in volumes[m["name"]]}


@pytest.mark.parametrize("workload", sorted(pod_templates()))
def test_secrets_arrive_as_read_only_files(workload):
    spec = pod_templates()[workload]["spec"]
    for container in spec["containers"]:
        assert not any("secretRef" in source for source in container.get("envFrom", []))
        assert not any("valueFrom" in var for var in container.get("env", []))
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        secret_mounts = [m for m in container.get("volumeMounts", []) if "secret" in volumes.get(m["name"], {})]
        assert all(m["readOnly"] for m in secret_mounts)
        if workload in APP_PODS:
            assert {k: v for k, v in secret_mounts[0].items() if k != "name"} == {
                "mountPath": "/app/.env",
                "subPath": ".env",
                "readOnly": True,
            }
    for volume in spec.get("volumes", []):
        if "secret" in volume:
            assert volume["secret"]["defaultMode"] == 0o440


def test_no_secret_is_committed():
    assert not by_kind("Secret")
    for path in [*MANIFESTS, *SECRETS.iterdir()]:
        assert "change-me" not in path.read_text(), path
    assert all(not value for key, value in app_env_template().items() if not key.endswith("_URL"))


def test_application_images_carry_the_release_version_and_data_images_exact_releases():
    version = project_version()
    for name, template in pod_templates().items():
        image = template["spec"]["containers"][0]["image"]
        if name in APP_PODS:
            stage = {"signpost-rasa": "rasa", "signpost-web": "web"}.get(name, "actions")
            assert image == f"registry.example-charity.org.uk/signpost/{stage}:{version}", name
        else:
            assert re.fullmatch(r"(postgres|redis):\d+\.\d+(\.\d+)?-bookworm", image), image
    assert re.search(r"^FROM python:\d+\.\d+\.\d+-slim-bookworm AS runtime$", "\n".join(stages()["runtime"]), re.M)


def test_every_deployment_has_a_disruption_budget():
    budgets = [b["spec"] for b in by_kind("PodDisruptionBudget").values()]
    for name, workload in {**by_kind("Deployment"), **by_kind("StatefulSet")}.items():
        labels = workload["spec"]["template"]["metadata"]["labels"]
        matching = [b for b in budgets if b["selector"]["matchLabels"].items() <= labels.items()]
        assert len(matching) == 1, name
        if workload["spec"]["replicas"] > 1:  # a drain never takes every replica at once
            assert matching[0]["minAvailable"] == 1, name


def test_settings_are_ones_the_code_reads():
    config = by_kind("ConfigMap")["signpost-config"]["data"]
    secrets = app_env_template()
    known = setting_names() | {"RASA_TELEMETRY_ENABLED"}
    assert set(config) <= known, set(config) - known
    assert set(secrets) <= known, set(secrets) - known
    assert not set(config) & set(secrets)
    assert {"DATABASE_URL", "REDIS_URL", "ACTION_SERVER_TOKEN", "STAFF_SECRET"} <= set(secrets)
    assert not any(re.search("TOKEN|SECRET|PASSWORD", key) for key in config)
    assert config["RASA_TELEMETRY_ENABLED"] == "false"
    actions = by_kind("Deployment")["signpost-actions"]["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "ACTION_SERVER_HOST", "value": "0.0.0.0"} in actions["env"]  # noqa: S104


def test_service_addresses_agree():
    services_ = by_kind("Service")
    config, secrets = by_kind("ConfigMap")["signpost-config"]["data"], app_env_template()
    for url, scheme in ((config["ACTION_SERVER_URL"], "http"), (secrets["DATABASE_URL"], "postgresql"),
                        (secrets["REDIS_URL"], "redis")):  # fmt: skip
        parts = urlsplit(url)
        assert parts.scheme == scheme
        assert parts.port in [p["port"] for p in services_[parts.hostname]["spec"]["ports"]], url
    for deployment in by_kind("Deployment").values():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()


# NetworkPolicies, evaluated: which peers may open which port on which workload.


def _selects(selector: dict, labels: dict[str, str]) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        present, value = expression["key"] in labels, labels.get(expression["key"])
        if not {"In": value in expression.get("values", ()), "NotIn": value not in expression.get("values", ()),
                "Exists": present, "DoesNotExist": not present}[expression["operator"]]:  # fmt: skip
            return False
    return True


def _peers(peers: list[dict]) -> set[str]:
    out = set()
    for peer in peers:
        if "namespaceSelector" in peer:
            out.add("namespace:" + peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"])
        elif "ipBlock" in peer:  # outside the cluster only: no private range
            block = peer["ipBlock"]
            assert set(block.get("except", [])) >= {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}, block
            out.add("internet")
        elif "podSelector" in peer:
            out |= {
                name for name, t in pod_templates().items() if _selects(peer["podSelector"], t["metadata"]["labels"])
            }
        else:
            out.add("*")
    return out


def allowed(workload: str, direction: str) -> dict[int, set[str]]:
    """Port -> peers that may reach `workload` (direction "ingress") or that it may reach ("egress")."""
    labels = pod_templates()[workload]["metadata"]["labels"]
    policy_type = direction.capitalize()
    policies = [p["spec"] for p in by_kind("NetworkPolicy").values() if _selects(p["spec"]["podSelector"], labels)]
    assert any(policy_type in p["policyTypes"] for p in policies), f"{workload} is not isolated for {direction}"
    out: dict[int, set[str]] = {}
    for policy in policies:
        for rule in policy.get(direction, []):
            assert rule.get("ports"), f"a {direction} rule for {workload} allows every port"
            peers = _peers(rule.get("from" if direction == "ingress" else "to", [{}]))
            for port in rule["ports"]:
                out.setdefault(port["port"], set()).update(peers)
    return out


def test_the_network_is_deny_by_default():
    deny = by_kind("NetworkPolicy")["signpost-default-deny"]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


@pytest.mark.parametrize(
    ("workload", "expected"),
    [
        ("signpost-actions", {5055: {"signpost-rasa"}, 9055: {MONITORING}}),
        ("signpost-rasa", {5005: {INGRESS_CONTROLLER, "signpost-web"}, 9005: {MONITORING}}),
        ("signpost-web", {8080: {INGRESS_CONTROLLER}, 9080: {MONITORING}}),
        ("signpost-postgres", {5432: APP_PODS}),
        ("signpost-redis", {6379: {"signpost-rasa"}}),
        ("signpost-seed", {}),
        ("signpost-purge", {}),
    ],
)
def test_only_the_expected_peers_reach_each_workload(workload, expected):
    assert allowed(workload, "ingress") == expected


def test_every_connection_the_code_makes_is_allowed_out_and_in():
    """The default deny covers egress too: each client must be allowed out to what it uses."""
    dns = {53: {"namespace:kube-system"}}
    uses = {
        "signpost-rasa": {
            5055: {"signpost-actions"},
            5432: {"signpost-postgres"},
            6379: {"signpost-redis"},
            443: {"internet"},  # the SMS provider's Messages API
        },  # fmt: skip
        "signpost-actions": {5432: {"signpost-postgres"}},
        "signpost-web": {5432: {"signpost-postgres"}, 5005: {"signpost-rasa"}},  # the helpline bridge
        "signpost-seed": {5432: {"signpost-postgres"}},
        "signpost-purge": {5432: {"signpost-postgres"}},
        "signpost-postgres": {},
        "signpost-redis": {},
    }
    for client, targets in uses.items():
        assert allowed(client, "egress") == {**dns, **targets}, client
        for port, servers in targets.items():
            for server in servers - {"internet"}:
                assert client in allowed(server, "ingress")[port], (client, server)


def test_the_ingress_is_tls_only_and_routes_no_metrics_port():
    ingress = by_kind("Ingress")["signpost"]["spec"]
    hosts = {rule["host"] for rule in ingress["rules"]}
    assert hosts <= {host for tls in ingress["tls"] for host in tls["hosts"]}
    assert all(tls["secretName"] for tls in ingress["tls"])
    paths = {p["path"]: p["backend"]["service"] for rule in ingress["rules"] for p in rule["http"]["paths"]}
    assert {path: s["name"] for path, s in paths.items()} == {
        "/webhooks": "signpost-rasa", "/socket.io": "signpost-rasa", "/": "signpost-web"}  # fmt: skip
    assert all(s["port"] == {"name": "http"} for s in paths.values())
    for name in {s["name"] for s in paths.values()}:
        ports = by_kind("Service")[name]["spec"]["ports"]
        assert not {p["port"] for p in ports} & set(METRICS_PORTS.values()), name
    config = by_kind("ConfigMap")["signpost-config"]["data"]
    assert all(config[key].startswith("https://") for key in ("RASA_URL", "WEB_URL", "SMS_PUBLIC_URL"))


def test_images_fetch_nothing_at_start():
    text = (DEPLOY / "Dockerfile").read_text()
    assert "rasa train" in text and "build-nlp" in text and "npm ci" in text  # all at build time
    for stage in ("rasa", "actions", "web"):
        command = next(line for line in stages()[stage] if line.startswith("CMD "))
        assert not any(word in command for word in ("pip", "npm", "curl", "wget", "download", "train"))
    assert "RASA_TELEMETRY_ENABLED=false" in "\n".join(stages()["runtime"])


def _pins(path: Path) -> dict[str, str]:
    """Package -> pinned version in a pip-compile lock, each pin with hashes."""
    text = path.read_text()
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\\n\s+--hash=sha256:[0-9a-f]{64}", text, re.M))
    assert len(pins) == len(re.findall(r"^[A-Za-z0-9_.-]+==", text, re.M)), f"{path.name}: a pin without a hash"
    return {package.lower().replace("_", "-"): version for package, version in pins.items()}


def _lock(name: str) -> dict[str, str]:
    """Package -> pinned version in deploy/requirements/<name>.txt."""
    return _pins(LOCKS / f"{name}.txt")


@pytest.mark.parametrize(
    ("stage", "builder", "without"),
    [
        ("web", "web-packages", {"rasa", "rasa-sdk", "sanic", "tensorflow", "python-socketio"}),
        ("actions", "actions-packages", {"rasa", "tensorflow", "spacy", "aiohttp"}),
        ("rasa", "build", {"pytest", "mypy", "ruff", "playwright", "hypothesis"}),
    ],
)
def test_each_image_installs_only_its_own_hash_locked_packages(stage, builder, without):
    pins = _lock(stage)
    wanted = [
        re.split(r"[<>=\[ #]", line, maxsplit=1)[0].lower().replace("_", "-")
        for line in (LOCKS / f"{stage}.in").read_text().splitlines()
        if line and not line.startswith(("#", "-"))
    ]
    assert set(wanted) <= set(pins), set(wanted) - set(pins)
    assert not without & set(pins)
    assert f"COPY deploy/requirements/{stage}.txt /tmp/requirements.txt" in stages()[builder]
    assert any("pip install --no-deps --require-hashes -r /tmp/requirements.txt" in line for line in stages()[builder])
    assert f"COPY --from={builder} /opt/venv /opt/venv" in stages()[stage]


def test_the_web_front_gets_a_current_aiohttp_and_rasa_its_tested_tree():
    major, minor = (int(n) for n in _lock("web")["aiohttp"].split(".")[:2])
    assert (major, minor) >= (3, 13)
    tested = _pins(ROOT / "requirements.txt")
    assert {"rasa", "tensorflow", "spacy"} <= set(tested)
    for package, version in _lock("rasa").items():
        if package in tested:
            assert tested[package] == version, package


def test_the_projects_locks_split_runtime_from_development_and_agree():
    runtime, development = _pins(ROOT / "requirements.txt"), _pins(ROOT / "requirements-dev.txt")
    tools = {
        re.split(r"[<>=\[ #]", line, maxsplit=1)[0].lower()
        for line in (ROOT / "requirements-dev.in").read_text().splitlines()
        if line and not line.startswith(("#", "-"))
    }
    assert {"pytest", "mypy", "ruff", "playwright"} <= tools <= set(development)
    assert not tools & set(runtime)
    assert not {"rasa", "tensorflow"} & set(development)
    assert all(development[p] == runtime[p] for p in set(development) & set(runtime))
    assert runtime["rasa"] == "3.6.21" and runtime["rasa-sdk"] == "3.6.2"
    assert runtime["sqlalchemy"].startswith("1.4.") and runtime["spacy"].startswith("3.4.")


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
    assert {".venv", ".venv-deploy", "node_modules", "models", "var", ".env", ".git"} <= set(ignored)


def test_create_secrets_makes_consistent_values(tmp_path: Path):
    """deploy/secrets/create.sh against a stand-in kubectl that records what it is given."""
    kubectl = tmp_path / "kubectl"
    # called as: kubectl -n NAMESPACE get secret NAME, or create secret generic NAME --from-file=KEY=/dev/stdin
    kubectl.write_text('#!/bin/sh\n[ "$3" = get ] && exit 1\nkey="${7#--from-file=}"; cat > "$OUT/$6.${key%%=*}"\n')
    kubectl.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "OUT": str(tmp_path), "TWILIO_AUTH_TOKEN": "t"}
    subprocess.run(["sh", str(SECRETS / "create.sh")], env=env, check=True)
    made = dotenv_values(tmp_path / "signpost-app..env")
    assert set(made) == set(app_env_template())
    postgres_password = (tmp_path / "signpost-postgres.password").read_text()
    redis_conf = (tmp_path / "signpost-redis.redis.conf").read_text()
    assert urlsplit(made["DATABASE_URL"]).password == postgres_password
    assert redis_conf == f"requirepass {urlsplit(made['REDIS_URL']).password}\n"
    for key in ("ACTION_SERVER_TOKEN", "STAFF_SECRET", "SMS_ID_SECRET"):
        assert re.fullmatch(r"[0-9a-f]{64}", made[key] or ""), key
    assert len({made["ACTION_SERVER_TOKEN"], made["STAFF_SECRET"], made["SMS_ID_SECRET"], postgres_password}) == 4
    assert made["TWILIO_AUTH_TOKEN"] == "t"


def test_every_checkov_skip_is_justified():
    text = (ROOT / ".checkov.yaml").read_text()
    skipped = yaml.safe_load(text).get("skip-check", [])
    operations = (ROOT / "docs" / "operations.md").read_text()
    for check in skipped:
        justification = re.search(rf"^\s*# {check} .+\n(\s*#.+\n)+\s*- {check}$", text, re.M)
        assert justification, check
        assert check in operations, check


def test_the_docs_describe_the_deployment():
    readme = (ROOT / "README.md").read_text()
    assert "make run-replicas" in readme and "deploy/Dockerfile" in readme and "deploy/k8s" in readme
    operations = (ROOT / "docs" / "operations.md").read_text()
    for name in [*by_kind("NetworkPolicy"), "make deploy-check", "make deploy-audit", "deploy/secrets/create.sh"]:
        assert name in operations, name


def _deploy_tool(name: str) -> Path:
    tool = DEPLOY_BIN / name
    if not tool.exists():
        pytest.skip(f"{name} is installed by `make deploy-check` (into .venv-deploy)")
    return tool


@pytest.mark.parametrize("version", ["1.28.0", "1.31.0", "1.34.0", "1.37.0"])
def test_manifests_pass_strict_kubernetes_schemas(version):
    tool = _deploy_tool("kubernetes-validate")
    result = subprocess.run(
        [str(tool), "--strict", "--quiet", "-k", version, *map(str, MANIFESTS)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_checkov_finds_nothing():
    tool = _deploy_tool("checkov")
    result = subprocess.run(
        [str(tool), "--config-file", ".checkov.yaml", "--output", "json"], cwd=ROOT, capture_output=True, text=True
    )
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [(r["check_type"], c["check_id"], c["resource"]) for r in reports for c in r["results"]["failed_checks"]]
    assert {r["check_type"] for r in reports} >= {"kubernetes", "dockerfile"}
    assert not failed
    assert result.returncode == 0
