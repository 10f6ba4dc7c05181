"""System packages the tests need, installed by the tests that need them (Debian's apt-get,
as root) — so README's one test command works on a fresh machine without a setup script."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

_updated = False


def ensure_debian_package(binary: str, package: str) -> str:
    """Path of `binary`; installs `package` when missing and we may, else skips (fails in CI)."""
    global _updated
    found = shutil.which(binary)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if not _updated:
            subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
            _updated = True
        subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, env=env)
        found = shutil.which(binary)
        if found:
            return found
    message = f"{binary} is not installed (apt-get install {package})"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
