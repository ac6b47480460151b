"""The Helm chart renders valid manifests in the "one body, two wings" topology.

How: `helm lint --strict` and `helm template` (defaults, kind values, external Kafka and
PostgreSQL) checked by kubernetes-validate --strict against Kubernetes 1.30 and 1.33;
then the rendered documents are read: eight workloads with their ntb.io/part labels
(laborcoin split into its API and its worker), hardened pods with native gRPC probes,
NetworkPolicies that allow exactly the design's gRPC calls, migration hooks that run before
any Deployment, a values schema that refuses bad values.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_checks import CHART, KUBERNETES_VERSIONS, ROOT, VALUES, documents, helm_template

# DESIGN.md §1 and §3: the workloads, their part of the paper, and who calls whom over gRPC
# (everyone verifies tokens with identity's GetSigningKeys; matching calls laborcoin;
# intangible-bank and the patent bank call laborcoin and identity; scf-exchange also fx-model).
# laborcoin-worker is laborcoin's background work (relay, sealer, consumers, expirer): it
# calls identity like laborcoin, and nothing calls it (its gRPC server answers health only).
PARTS = {
    "identity": "body", "laborcoin": "body", "laborcoin-worker": "body", "matching": "body",
    "intangible-bank": "body", "fx-model": "body", "scf-exchange": "wing-scf",
    "patent-bank": "wing-patent",
}
CALLS = {
    "identity": set(),
    "laborcoin": {"identity"},
    "laborcoin-worker": {"identity"},
    "matching": {"identity", "laborcoin"},
    "intangible-bank": {"identity", "laborcoin"},
    "patent-bank": {"identity", "laborcoin"},
    "scf-exchange": {"identity", "laborcoin", "fx-model"},
    "fx-model": {"identity"},
}
GRPC_PORT = 50051


def of_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc["kind"] == kind]


def by_name(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["labels"]["app.kubernetes.io/name"]: doc
            for doc in of_kind(docs, kind)}


def hook(doc: dict[str, Any]) -> tuple[set[str], int] | None:
    annotations = doc["metadata"].get("annotations") or {}
    if "helm.sh/hook" not in annotations:
        return None
    return (set(annotations["helm.sh/hook"].split(",")),
            int(annotations.get("helm.sh/hook-weight", "0")))


@pytest.mark.parametrize("values", list(VALUES))
def test_helm_lint_strict_passes(tools: dict[str, str], values: str) -> None:
    command = [tools["helm"], "lint", "--strict", str(CHART)]
    for path in VALUES[values]:
        command += ["-f", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("kube_version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("values", list(VALUES))
def test_rendered_manifests_pass_kubernetes_validate_strict(
    tools: dict[str, str], values: str, kube_version: str, tmp_path: Path
) -> None:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(helm_template(tools["helm"], VALUES[values], kube_version=kube_version))
    result = subprocess.run(
        [tools["kubernetes-validate"], "--strict", "--quiet", "-k", kube_version, str(manifest)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert len(documents(manifest.read_text())) > 40


@pytest.mark.parametrize("values", list(VALUES))
def test_six_services_plus_the_patent_bank_and_laborcoin_worker_with_their_parts(
    rendered: dict[str, list[dict[str, Any]]], values: str
) -> None:
    docs = rendered[values]
    deployments = by_name(docs, "Deployment")
    assert set(deployments) == set(PARTS)
    for name, deployment in deployments.items():
        for labels in (deployment["metadata"]["labels"],
                       deployment["spec"]["template"]["metadata"]["labels"]):
            assert labels["ntb.io/part"] == PARTS[name], name
    patent = deployments["patent-bank"]["spec"]["template"]["spec"]["containers"][0]
    bank = deployments["intangible-bank"]["spec"]["template"]["spec"]["containers"][0]
    assert patent["image"] == bank["image"], "the patent bank runs the intangible-bank image"
    configs = by_name(docs, "ConfigMap")
    for key in ("NTB_INTANGIBLE_BANK_SERVICE_NAME", "NTB_INTANGIBLE_BANK_DATABASE_SCHEMA"):
        assert configs["patent-bank"]["data"][key] == configs["intangible-bank"]["data"][key]
    assert configs["patent-bank"]["data"]["NTB_INTANGIBLE_BANK_SERVES"] == "patent-bank"
    for doc in docs:  # every workload-like object says which part it belongs to
        if doc["kind"] in ("Deployment", "StatefulSet", "Job", "Pod", "Service"):
            assert doc["metadata"]["labels"].get("ntb.io/part") in set(PARTS.values()), doc


def _environment(docs: list[dict[str, Any]], name: str) -> dict[str, str]:
    """What a workload's pods see: its ConfigMap plus its plain env values."""
    container = by_name(docs, "Deployment")[name]["spec"]["template"]["spec"]["containers"][0]
    [source] = container["envFrom"]
    config = next(doc for doc in of_kind(docs, "ConfigMap")
                  if doc["metadata"]["name"] == source["configMapRef"]["name"])
    return {**config["data"],
            **{e["name"]: e["value"] for e in container["env"] if "value" in e}}


@pytest.mark.parametrize("values", list(VALUES))
def test_laborcoin_runs_split_into_its_api_and_its_worker(
    rendered: dict[str, list[dict[str, Any]]], values: str
) -> None:
    """The API serves only gRPC; the worker runs the relay, sealer, consumers and expirer
    as the same service (name, schema, consumer groups), so no event is handled twice and
    the relay and sealer locks are shared."""
    docs = rendered[values]
    deployments = by_name(docs, "Deployment")
    api, worker = _environment(docs, "laborcoin"), _environment(docs, "laborcoin-worker")
    assert api["NTB_LABORCOIN_PROCESS_ROLE"] == "api"
    assert worker["NTB_LABORCOIN_PROCESS_ROLE"] == "worker"
    for key in ("NTB_LABORCOIN_SERVICE_NAME", "NTB_LABORCOIN_DATABASE_SCHEMA",
                "NTB_LABORCOIN_DATABASE_URL", "NTB_LABORCOIN_KAFKA_BOOTSTRAP",
                "NTB_LABORCOIN_EVENT_BUS", "NTB_LABORCOIN_IDENTITY_TARGET"):
        assert worker.get(key) == api.get(key), key
    assert api["NTB_LABORCOIN_SERVICE_NAME"] == "laborcoin"
    # consumer group ids are <prefix><group>: an unset prefix on both is the same prefix
    prefix = "NTB_LABORCOIN_CONSUMER_GROUP_PREFIX"
    assert worker.get(prefix) == api.get(prefix)
    containers = [deployments[name]["spec"]["template"]["spec"]["containers"][0]
                  for name in ("laborcoin", "laborcoin-worker")]
    assert containers[0]["image"] == containers[1]["image"]
    assert containers[1]["image"].split("/")[-1].startswith("ntb-laborcoin:")
    assert deployments["laborcoin-worker"]["spec"]["template"]["spec"]["containers"][0][
        "readinessProbe"]["grpc"]["port"] == GRPC_PORT  # health is all it serves
    # nobody is configured to call the worker
    for name, config in by_name(docs, "ConfigMap").items():
        for key, value in config["data"].items():
            assert "laborcoin-worker" not in value, (name, key)
    # no service runs its background work twice by accident: only laborcoin is split
    split = {name for name in deployments
             if any(key.endswith("_PROCESS_ROLE") for key in _environment(docs, name))}
    assert split == {"laborcoin", "laborcoin-worker"}


@pytest.mark.parametrize("values", list(VALUES))
def test_disruption_budgets_leave_room_to_evict_a_pod(
    rendered: dict[str, list[dict[str, Any]]], values: str
) -> None:
    deployments = by_name(rendered[values], "Deployment")
    for name, budget in by_name(rendered[values], "PodDisruptionBudget").items():
        replicas = deployments[name]["spec"].get("replicas")
        if replicas is not None:  # else an HPA owns it, with minReplicas >= 2
            assert budget["spec"]["minAvailable"] < replicas, name


@pytest.mark.parametrize("values", list(VALUES))
def test_every_container_has_probes_and_a_hardened_security_context(
    rendered: dict[str, list[dict[str, Any]]], values: str
) -> None:
    for name, deployment in by_name(rendered[values], "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert "checksum/config" in deployment["spec"]["template"]["metadata"]["annotations"]
        for container in pod["containers"]:
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                assert container[probe]["grpc"]["port"] == GRPC_PORT, (name, probe)
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert container["resources"]["requests"] and container["resources"]["limits"]
    for statefulset in of_kind(rendered[values], "StatefulSet"):
        for container in statefulset["spec"]["template"]["spec"]["containers"]:
            assert container["readinessProbe"] and container["livenessProbe"]
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]


def _selected(peer: dict[str, Any]) -> str | None:
    return (peer.get("podSelector", {}).get("matchLabels") or {}).get(
        "app.kubernetes.io/name")


@pytest.mark.parametrize("values", list(VALUES))
def test_network_policies_allow_exactly_the_design_call_graph(
    rendered: dict[str, list[dict[str, Any]]], values: str
) -> None:
    policies = by_name(rendered[values], "NetworkPolicy")
    for name, calls in CALLS.items():
        spec = policies[name]["spec"]
        assert spec["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == name
        assert set(spec["policyTypes"]) == {"Ingress", "Egress"}
        grpc_egress = {
            _selected(peer)
            for rule in spec["egress"]
            if any(port["port"] == GRPC_PORT for port in rule.get("ports", []))
            for peer in rule.get("to", [{}])
        }
        assert grpc_egress == calls, f"{name} may call {grpc_egress}, design says {calls}"
        callers = {other for other, its_calls in CALLS.items() if name in its_calls}
        grpc_ingress = {
            _selected(peer)
            for rule in spec["ingress"]
            if any(port["port"] == GRPC_PORT for port in rule.get("ports", []))
            for peer in rule["from"]
            if _selected(peer)
        }
        assert grpc_ingress == callers, f"{name} accepts {grpc_ingress}, design says {callers}"
        for rule in spec["ingress"]:  # no rule opens every port to everyone
            assert rule.get("ports") and rule.get("from"), rule


@pytest.mark.parametrize("values", list(VALUES))
def test_migration_hooks_run_before_the_deployments(
    rendered: dict[str, list[dict[str, Any]]], values: str
) -> None:
    docs = rendered[values]
    jobs = {doc["metadata"]["name"]: doc for doc in of_kind(docs, "Job")}
    # the patent bank shares intangible-bank's schema, laborcoin-worker laborcoin's
    sharing = {"patent-bank", "laborcoin-worker"}
    migrating = set(PARTS) - sharing
    assert {name for name in jobs if name.endswith("-migrate")} == {
        f"ntb-{name}-migrate" for name in migrating}
    for name in migrating:
        job = jobs[f"ntb-{name}-migrate"]
        phases, weight = hook(job) or (set(), 0)
        assert {"pre-install", "pre-upgrade"} <= phases, name
        container = job["spec"]["template"]["spec"]["containers"][0]
        assert container["args"] == ["migrate"]
        secret_refs = {e["valueFrom"]["secretKeyRef"]["name"]
                       for e in container["env"] if "valueFrom" in e}
        for ref in secret_refs:  # what the hook reads exists before it (an earlier hook)
            secret = next((d for d in docs if d["kind"] == "Secret"
                           and d["metadata"]["name"] == ref), None)
            if secret is not None:
                secret_hook = hook(secret)
                assert secret_hook and secret_hook[1] < weight, ref
        for infra in of_kind(docs, "StatefulSet"):
            infra_hook = hook(infra)
            assert infra_hook and "pre-install" in infra_hook[0] and infra_hook[1] < weight
    for deployment in of_kind(docs, "Deployment"):
        assert hook(deployment) is None, "Deployments are ordinary resources, after the hooks"
    topics = jobs["ntb-kafka-topics"]
    assert {"pre-install", "pre-upgrade"} <= hook(topics)[0]  # type: ignore[index]


def test_helm_test_hooks_check_every_workloads_health(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    tests = [doc for doc in of_kind(rendered["default"], "Pod") if hook(doc)]
    targets = {doc["spec"]["containers"][0]["command"][-1] for doc in tests}
    assert targets == {f"ntb-{name}:{GRPC_PORT}" for name in PARTS}
    for doc in tests:
        assert hook(doc)[0] == {"test"}  # type: ignore[index]
        assert doc["spec"]["containers"][0]["command"][:3] == ["python", "-m", "ntbkit.healthcheck"]


def test_external_values_render_no_in_chart_kafka_or_postgresql(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    docs = rendered["external"]
    assert not of_kind(docs, "StatefulSet")
    config = by_name(docs, "ConfigMap")["laborcoin"]["data"]
    assert config["NTB_LABORCOIN_KAFKA_BOOTSTRAP"].startswith("kafka-0.kafka.data.svc:9092")
    autoscaled = by_name(docs, "HorizontalPodAutoscaler")
    # the worker keeps its replicas: more pods would only wait on the relay/sealer locks
    assert set(autoscaled) == set(PARTS) - {"laborcoin-worker"}
    deployments = by_name(docs, "Deployment")
    assert deployments["laborcoin-worker"]["spec"]["replicas"] >= 1
    for name in autoscaled:
        assert "replicas" not in deployments[name]["spec"], name


def test_service_monitors_only_when_the_crd_exists(tools: dict[str, str]) -> None:
    without = documents(helm_template(tools["helm"], []))
    with_crd = documents(helm_template(
        tools["helm"], [], extra=("--api-versions", "monitoring.coreos.com/v1/ServiceMonitor")))
    assert not of_kind(without, "ServiceMonitor")
    monitors = by_name(with_crd, "ServiceMonitor")
    assert set(monitors) == set(PARTS)
    relabel = monitors["laborcoin"]["spec"]["endpoints"][0]["relabelings"]
    assert {r["targetLabel"] for r in relabel} == {"ntb_service", "ntb_part"}


@pytest.mark.parametrize("bad", [
    "services.identity.part=wing-3",
    "services.laborcoin.replicas=0",
    "services.matching.calls={identity,laborcoin-worker}",  # nobody calls the worker
    "image.pullPolicy=Sometimes",
    "kafka.enabled=false",  # without an external bootstrap
    "postgresql.enabled=false",  # without an external URL or secret
    "unknownKey=1",
])
def test_values_schema_refuses_bad_values(tools: dict[str, str], bad: str) -> None:
    result = subprocess.run(
        [tools["helm"], "template", "ntb", str(CHART), "--kube-version", "1.33.0", "--set", bad],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0, f"{bad} was accepted"
    assert "schema" in result.stderr or "required" in result.stderr, result.stderr


def test_topics_job_creates_every_topic_of_deploy_kafka_topics(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    script = next(d for d in of_kind(rendered["default"], "Job")
                  if d["metadata"]["name"] == "ntb-kafka-topics")
    command = script["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    lines = (ROOT / "deploy" / "kafka" / "topics.txt").read_text().splitlines()
    platform_topics = {line.split()[0] for line in lines if line and not line.startswith("#")
                       and not line.startswith(("ntb.bench.", "ntb.test."))}
    for topic in platform_topics:
        assert f"--topic {topic} " in command, topic
        assert f"--topic {topic}.dlq " in command, topic
    assert "KAFKA_AUTO_CREATE_TOPICS_ENABLE" in str(of_kind(rendered["default"], "StatefulSet"))


def test_dashboards_and_rules_ship_with_the_chart(tools: dict[str, str]) -> None:
    docs = documents(helm_template(
        tools["helm"], [], extra=("--api-versions", "monitoring.coreos.com/v1/PrometheusRule")))
    [dashboards] = [d for d in of_kind(docs, "ConfigMap")
                    if d["metadata"]["name"] == "ntb-grafana-dashboards"]
    assert dashboards["metadata"]["labels"]["grafana_dashboard"] == "1"
    shipped = sorted((ROOT / "deploy" / "grafana" / "dashboards").glob("*.json"))
    assert sorted(dashboards["data"]) == [path.name for path in shipped]
    for path in shipped:
        assert json.loads(dashboards["data"][path.name]) == json.loads(path.read_text())
    [rule] = of_kind(docs, "PrometheusRule")
    rules = yaml.safe_load((ROOT / "deploy" / "grafana" / "prometheus-rules.yml").read_text())
    assert rule["spec"]["groups"] == rules["groups"]
    without_crd = documents(helm_template(tools["helm"], []))
    assert not of_kind(without_crd, "PrometheusRule")
