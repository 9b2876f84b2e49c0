"""docker-compose.yml and the Dockerfile hold together (no Docker engine here to run them)."""

from __future__ import annotations

import yaml

from tests.conftest import REPO


def test_compose_services_have_health_checks_and_wait_for_elasticsearch() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text("utf-8"))
    services = compose["services"]
    assert set(services) == {"elasticsearch", "kibana", "listener"}
    assert all("healthcheck" in s for s in services.values())
    for name in ("kibana", "listener"):
        assert services[name]["depends_on"] == {"elasticsearch": {"condition": "service_healthy"}}
    assert services["elasticsearch"]["image"].endswith(":8.15.3")
    assert services["kibana"]["image"].endswith(":8.15.3")
    declared = set(compose["volumes"])
    used = {
        v.split(":")[0]
        for s in services.values()
        for v in s.get("volumes", [])
        if not v.startswith(".")
    }
    assert used == declared
    assert services["listener"]["build"] == "."


def test_dockerfile_runs_the_daemon_as_a_non_root_user() -> None:
    dockerfile = (REPO / "Dockerfile").read_text("utf-8")
    assert "USER listener" in dockerfile and 'CMD ["listener", "run"]' in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    for package in ("listener", "spiders", "models", "alerts", "config"):
        assert f"COPY {package} ./{package}" in dockerfile
