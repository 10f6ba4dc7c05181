"""`packaging/docker-compose.scale.yml` (issue 18): three identical app nodes with their own
node ids on one Postgres 15, one Qdrant and one MinIO bucket for media, every node on the same
data volumes, Caddy in front with sticky sessions and health checks. No Docker here: these
read the files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from app.settings import SEED_ENV_ALIASES, Settings, load_settings

PKG = Path(__file__).resolve().parents[2] / "packaging"
NODES = ("app1", "app2", "app3")


def services() -> dict[str, Any]:
    return yaml.safe_load((PKG / "docker-compose.scale.yml").read_text())["services"]


def _fill(value: object) -> str:
    sample = {"AIMY_MASTER_KEY": "a2V5", "DB_PASSWORD": "pw", "MINIO_PASSWORD": "mpw"}

    def one(m: re.Match[str]) -> str:
        name, op, rest = m.group(1), m.group(2) or "", m.group(3) or ""
        return sample.get(name, rest if op == ":-" else "")

    return re.sub(r"\$\{(\w+)(:[-?])?([^}]*)\}", one, str(value))


def test_three_identical_nodes_on_one_postgres_and_qdrant_with_shared_volumes() -> None:
    s = services()
    assert set(s) == {*NODES, "caddy", "postgres", "qdrant", "minio", "minio-init"}
    assert s["postgres"]["image"].startswith("postgres:15")
    envs = [{k: _fill(v) for k, v in s[n]["environment"].items()} for n in NODES]
    assert [e.pop("AIMY_NODE_ID") for e in envs] == list(NODES)  # stable and distinct
    # where the other nodes forward live-channel requests: each node's own service name
    assert [e.pop("AIMY_NODE_URL") for e in envs] == [f"http://{n}:8321" for n in NODES]
    assert envs[0] == envs[1] == envs[2]  # otherwise identical
    assert {s[n]["volumes"] == s["app1"]["volumes"] for n in NODES} == {True}
    mounts = {v.split(":")[1] for v in s["app1"]["volumes"]}
    assert mounts == {"/data", "/data/sessions"}  # what settings.*_path use; media is in S3
    for name in ("postgres", "qdrant", "minio", *NODES):  # only the proxy is published
        assert "ports" not in s[name], name
    assert list(s["caddy"]["ports"]) == ["${AIMY_PUBLISH_HTTP:-127.0.0.1:8080}:80"]


def test_every_node_variable_is_one_the_app_reads(tmp_path: Path) -> None:
    fields = set(Settings.__struct_fields__)
    env = {k: _fill(v) for k, v in services()["app2"]["environment"].items()}
    for name in env:
        assert name in SEED_ENV_ALIASES or (
            name.startswith("AIMY_") and name[5:].lower() in fields
        ), name
    known = {
        k: v
        for k, v in env.items()
        if k != "AIMY_NODE_ID" or "node_id" in Settings.__struct_fields__
    }
    s = load_settings({}, env={**known, "AIMY_DATA_DIR": str(tmp_path)})
    assert s.db_url == "postgresql://aimy:pw@postgres:5432/aimywhatsapp"
    assert (s.vector_store, s.qdrant_url) == ("qdrant", "http://qdrant:6333")
    assert (s.storage, s.s3_endpoint, s.s3_bucket) == ("s3", "http://minio:9000", "aimywhatsapp")
    assert s.s3_secret_access_key == "mpw"


def test_the_nodes_bucket_is_made_once_before_they_start() -> None:
    s = services()
    minio, init = s["minio"], s["minio-init"]
    assert init["depends_on"]["minio"]["condition"] == "service_healthy"
    script = " ".join(init["entrypoint"])
    node = {k: _fill(v) for k, v in s["app1"]["environment"].items()}
    assert f"mc mb --ignore-existing local/{node['AIMY_S3_BUCKET']}" in script
    assert minio["environment"]["MINIO_ROOT_USER"] == node["AIMY_S3_ACCESS_KEY_ID"]
    assert _fill(minio["environment"]["MINIO_ROOT_PASSWORD"]) == node["AIMY_S3_SECRET_ACCESS_KEY"]
    for n in NODES:
        assert s[n]["depends_on"]["minio-init"]["condition"] == "service_completed_successfully"


def test_everything_has_a_health_check_and_starts_in_order() -> None:
    s = services()
    for name in (*NODES, "caddy", "postgres", "qdrant", "minio"):
        assert s[name]["healthcheck"]["test"], name
    for n in NODES:
        assert "/api/v1/health" in " ".join(s[n]["healthcheck"]["test"])
        needs = s[n]["depends_on"]
        assert needs["postgres"]["condition"] == needs["qdrant"]["condition"] == "service_healthy"
    assert {n: c["condition"] for n, c in s["caddy"]["depends_on"].items()} == dict.fromkeys(
        NODES, "service_healthy"
    )


def test_caddy_balances_over_the_nodes_with_sticky_sessions() -> None:
    mount = next(
        v for v in services()["caddy"]["volumes"] if v.endswith(":/etc/caddy/Caddyfile:ro")
    )
    text = (PKG / mount.split(":")[0]).read_text()
    proxy = re.search(r"reverse_proxy ([^{]+)\{(.*?)\}", text, re.S)
    assert proxy is not None
    assert proxy.group(1).split() == [f"{n}:8321" for n in NODES]
    options = dict(line.strip().split(None, 1) for line in proxy.group(2).strip().splitlines())
    assert options["lb_policy"].startswith("cookie")  # WebSockets stay on their node
    assert options["health_uri"] == "/api/v1/health"
