"""docker-compose.yml, the Dockerfile and deploy/ hold together (no Docker engine here to
run them): what a person must do is copy two files, and everything else is a service."""

from __future__ import annotations

import json
import re

import yaml

from listener.config.loader import load_config
from tests.conftest import REPO

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text("utf-8"))
SERVICES = COMPOSE["services"]


def _env_example() -> dict[str, str]:
    lines = (REPO / "deploy" / "env.example").read_text("utf-8").splitlines()
    pairs = (line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return {name: value for name, value in pairs}


def test_services_start_in_order_of_health() -> None:
    assert set(SERVICES) == {"elasticsearch", "setup", "kibana", "dashboards", "listener"}
    for name in ("elasticsearch", "kibana", "listener"):
        assert "healthcheck" in SERVICES[name], name
    assert SERVICES["setup"]["depends_on"] == {"elasticsearch": {"condition": "service_healthy"}}
    assert SERVICES["kibana"]["depends_on"] == {
        "setup": {"condition": "service_completed_successfully"}
    }
    assert SERVICES["dashboards"]["depends_on"] == {"kibana": {"condition": "service_healthy"}}
    assert SERVICES["listener"]["depends_on"] == {"elasticsearch": {"condition": "service_healthy"}}
    for one_shot in ("setup", "dashboards"):
        assert SERVICES[one_shot]["restart"] == "no"
    assert SERVICES["elasticsearch"]["image"].endswith(":8.15.3")
    assert SERVICES["kibana"]["image"].endswith(":8.15.3")
    assert SERVICES["setup"]["image"] == SERVICES["elasticsearch"]["image"]


def test_no_manual_step_for_kibana_or_its_password() -> None:
    script = SERVICES["setup"]["command"][-1]
    assert "/_security/user/kibana_system/_password" in script
    assert "$${KIBANA_PASSWORD}" in script and "elastic:$${ELASTIC_PASSWORD}" in script
    kibana_env = dict(e.split("=", 1) for e in SERVICES["kibana"]["environment"])
    assert kibana_env["ELASTICSEARCH_USERNAME"].split()[0] == "kibana_system"
    assert kibana_env["ELASTICSEARCH_PASSWORD"].startswith("${KIBANA_PASSWORD")
    assert SERVICES["dashboards"]["command"] == ["listener", "kibana", "setup"]
    assert SERVICES["listener"]["command"] == ["listener", "run"]
    header = (REPO / "docker-compose.yml").read_text("utf-8").split("\nname:")[0]
    assert "reset-password" not in header and "exec" not in header


def test_every_variable_compose_uses_is_in_the_env_example() -> None:
    text = (REPO / "docker-compose.yml").read_text("utf-8")
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", text))
    assert used <= set(_env_example()), used - set(_env_example())


def test_the_compose_config_is_valid_and_points_at_the_services() -> None:
    config = load_config(REPO / "deploy" / "listener.yml", _env_example())
    assert config.storage.type == "elasticsearch"
    assert config.storage.url == "http://elasticsearch:9200"  # type: ignore[union-attr]
    assert config.kibana is not None and config.kibana.url == "http://kibana:5601"
    assert str(config.daemon.data_dir) == "/var/lib/listener"
    mounts = SERVICES["listener"]["volumes"]
    assert "./listener.yml:/etc/listener/listener.yml:ro" in mounts
    assert any(m.endswith(":/var/lib/listener") for m in mounts)
    declared = set(COMPOSE["volumes"])
    used = {
        v.split(":")[0]
        for s in SERVICES.values()
        for v in s.get("volumes", [])
        if not v.startswith(".")
    }
    assert used == declared


def test_dockerfile_installs_the_wheel_without_torch_as_a_non_root_user() -> None:
    dockerfile = (REPO / "Dockerfile").read_text("utf-8")
    assert "USER listener" in dockerfile and 'CMD ["listener", "run"]' in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert (
        "pip wheel" in dockerfile and "pip install --require-hashes -r /tmp/run.lock" in dockerfile
    )
    assert 'pip install --no-deps "$wheel"' in dockerfile
    assert "ARG WITH_TORCH=0" in dockerfile
    lines = dockerfile.splitlines()
    branch = next(i for i, line in enumerate(lines) if 'if [ "$WITH_TORCH" = 1 ]' in line)
    assert [i for i, line in enumerate(lines) if "torch==" in line] == [branch + 1]
    assert SERVICES["listener"]["build"] == "."


def test_the_build_context_leaves_out_environments_secrets_and_data() -> None:
    ignored = (REPO / ".dockerignore").read_text("utf-8").split()
    for path in (".git", ".venv", ".env", "data", "listener.yml", "tests"):
        assert path in ignored, path


def _exported() -> dict[str, set[str]]:
    """Every series name the daemon's /metrics can carry, with its label names."""
    from prometheus_client.metrics import MetricWrapperBase

    from listener.metrics import Metrics

    suffixes = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_sum", "_count")}
    names: dict[str, set[str]] = {}
    for metric in vars(Metrics()).values():
        if isinstance(metric, MetricWrapperBase):
            kind = metric._type  # prometheus_client keeps name, type and labels private
            labels = set(metric._labelnames) | ({"le"} if kind == "histogram" else set())
            for suffix in suffixes[kind]:
                names[metric._name + suffix] = labels
    return names


def _expressions() -> list[str]:
    rules = yaml.safe_load((REPO / "deploy" / "prometheus" / "listener-rules.yml").read_text())
    exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    dashboard = json.loads((REPO / "deploy" / "grafana" / "listener-dashboard.json").read_text())
    exprs += [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    return exprs


def test_alert_rules_and_dashboard_use_only_metrics_the_daemon_exports() -> None:
    exported = _exported()
    assert "listener_crawls_total" in exported and "listener_store_up" in exported
    used = 0
    for expr in _expressions():
        for name, selector in re.findall(r"\b(listener_[a-z_]+)(\{[^}]*\})?", expr):
            assert name in exported, f"{name} is not exported ({expr})"
            labels = set(re.findall(r"(\w+)\s*=~?", selector))
            assert labels <= exported[name], f"{name} has no label {labels - exported[name]}"
            used += 1
        for grouped in re.findall(r"by \(([^)]*)\)", expr):
            metric_labels = set().union(
                *(exported[n] for n in re.findall(r"\b(listener_[a-z_]+)", expr))
            )
            assert {g.strip() for g in grouped.split(",")} <= metric_labels, expr
    assert used >= 20


def test_alert_rules_cover_what_operators_must_hear_about() -> None:
    rules = yaml.safe_load((REPO / "deploy" / "prometheus" / "listener-rules.yml").read_text())
    alerts = {rule["alert"]: rule for group in rules["groups"] for rule in group["rules"]}
    for needed in (
        "ListenerSourceUnhealthy",
        "ListenerSpoolGrowing",
        "ListenerOutboxDeadLetters",
        "ListenerStoreDown",
    ):
        assert needed in alerts
    for rule in alerts.values():
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]


def _pins(lock: str) -> dict[str, str]:
    text = (REPO / "requirements" / lock).read_text("utf-8")
    return {
        name.lower().replace("_", "-"): version
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", text, re.M)
    }


def test_every_install_path_uses_a_lock_that_satisfies_pyproject() -> None:
    """The locks pin, with hashes, a version of every dependency pyproject.toml declares
    (``make lock`` renews them); the Makefile installs only from them."""
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    extras = project["optional-dependencies"]
    for lock, groups in (("run.lock", ["model"]), ("dev.lock", ["model", "train", "dev"])):
        pins = _pins(lock)
        wanted = [*project["dependencies"], *(r for g in groups for r in extras[g])]
        for spec in map(Requirement, wanted):
            name = spec.name.lower().replace("_", "-")
            assert name in pins, f"{lock} pins no {name}"
            assert spec.specifier.contains(pins[name], prereleases=True), (lock, spec, pins[name])
        lines = (REPO / "requirements" / lock).read_text("utf-8").splitlines()
        unhashed = [
            line
            for line, after in zip(lines, [*lines[1:], ""], strict=True)
            if "==" in line and not line.startswith(" ") and "--hash=sha256:" not in after
        ]
        assert not unhashed, f"{lock}: pins without a hash {unhashed[:3]}"
        assert len(pins) > 50
    assert "torch" not in _pins("run.lock") and _pins("dev.lock")["torch"] == "2.15.0"
    makefile = (REPO / "Makefile").read_text("utf-8")
    installs = [line for line in makefile.splitlines() if "pip install" in line and "-r " in line]
    assert installs and all("--require-hashes" in line for line in installs)
