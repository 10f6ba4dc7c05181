"""The API against its own OpenAPI document, with schemathesis (issue 13 "Done when"): a real
server (WhatsApp sessions simulated: tests/bench/fuzz_server.py) with an owner, a simulator
session, a conversation, an FAQ and a label; schemathesis generates requests for every
operation — valid and invalid — for `--minutes`, as the owner, and checks every answer:
no 5xx (`not_a_server_error`), bodies and content types as documented
(`response_schema_conformance`, `content_type_conformance`).

Run: `/work/main/.venv/bin/python -m tests.bench.bench_api_fuzz [--minutes 5] [--workers 2]`
Prints the counts per check and the first failures; the full report is kept in
`--report-dir` (junit XML + schemathesis's own output).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import httpx

from tests.conftest import TEST_MASTER_KEY
from tests.e2e.conftest import start

CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"
ENV = {
    "AIMY_MASTER_KEY": TEST_MASTER_KEY,
    "AIMY_SECRETS_BACKEND": "file",
    "AIMY_RATE_LIMIT_API_PER_MIN": "1000000",
    "AIMY_RATE_LIMIT_AUTH_PER_MIN": "1000000",
    "AIMY_ACCESS_TOKEN_TTL_S": "86400",
    "AIMY_AUTO_REPLY": "echo",
    "AIMY_EMBEDDING_MODE": "e5-native",
    "AIMY_TYPING_MS_PER_CHAR": "0",
}


def seed(url: str) -> dict[str, str]:
    """An owner with something of everything, so valid ids exist in the workspace."""
    auth = httpx.post(
        f"{url}/api/v1/auth/register",
        json={"email": "fuzz@example.com", "password": "Fuzz-Owner-Secret-3",
              "name": "F", "workspaceName": "Fuzz"},
    ).json()  # fmt: skip
    h = {"Authorization": f"Bearer {auth['accessToken']}"}
    sid = httpx.post(
        f"{url}/api/v1/whatsapp/sessions",
        json={"accountId": "sim", "channel": "simulator"},
        headers=h,
    ).json()["id"]
    httpx.post(
        f"{url}/api/v1/whatsapp/sessions/{sid}/simulate",
        json={"from": "+4917600000001", "text": "hello"},
        headers=h,
    ).raise_for_status()
    kbs = httpx.get(f"{url}/api/v1/knowledge-bases", headers=h).json()
    kb = (kbs["items"] if isinstance(kbs, dict) else kbs)[0]["id"]
    httpx.post(
        f"{url}/api/v1/knowledge-bases/{kb}/faqs",
        json={"question": "When are you open?", "answer": "9 to 5."},
        headers=h,
        timeout=120,
    ).raise_for_status()
    httpx.post(f"{url}/api/v1/contacts/labels", json={"name": "vip"}, headers=h)
    return h


def summarize(junit: Path) -> Counter[str]:
    """Failures per kind, from schemathesis's JUnit report."""
    kinds: Counter[str] = Counter()
    if not junit.exists():
        return kinds
    shown = 0
    for case in ET.parse(junit).getroot().iter("testcase"):
        for failure in [*case.iter("failure"), *case.iter("error")]:
            text = (failure.get("message") or "") + "\n" + (failure.text or "")
            kind = "server error" if "Server error" in text else (
                "schema violation" if "does not conform" in text or "Response violates" in text
                else "content type" if "Content-Type" in text or "content type" in text
                else "other"
            )  # fmt: skip
            kinds[kind] += 1
            if shown < 10:
                shown += 1
                print(f"--- {case.get('name')}: {kind}\n{text[:1500]}")
    return kinds


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--minutes", type=float, default=5)
    p.add_argument("--workers", default="2")
    p.add_argument("--report-dir", default=None)
    p.add_argument("--seed", type=int, default=None)
    args = p.parse_args()
    os.environ.update(ENV)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(args.report_dir or Path(tmp) / "report")
        report.mkdir(parents=True, exist_ok=True)
        server = start(
            Path(tmp) / "data", command=[sys.executable, "-m", "tests.bench.fuzz_server", "serve"]
        )
        try:
            headers = seed(server.url)
            cmd = [
                sys.executable, "-m", "schemathesis.cli", "run",
                f"{server.url}/api/openapi.json",
                "--checks", CHECKS,
                "--max-time", str(int(args.minutes * 60)),
                "--workers", args.workers,
                "--header", f"Authorization: {headers['Authorization']}",
                "--request-timeout", "30",
                "--report", "junit",
                "--report-dir", str(report),
                "--no-color",
                "--suppress-health-check", "all",
                "--continue-on-failure",
                "--generation-database", "none",  # no .hypothesis folder in the repo
            ]  # fmt: skip
            if args.seed is not None:
                cmd += ["--seed", str(args.seed)]
            run = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
            (report / "schemathesis.txt").write_text(run.stdout + run.stderr)
            print(run.stdout[-6000:])
        finally:
            server.stop()
        server_log = server.log()
        (report / "server.log").write_text(server_log)
        kinds = summarize(next(iter(report.glob("*.xml")), report / "none.xml"))
        tracebacks = server_log.count("unhandled error on")
        print(f"\nfailures by kind: {dict(kinds) or 'none'}")
        print(f"server log: {tracebacks} unhandled errors (500s) logged")
        print(f"schemathesis exit code {run.returncode}; report in {report}")


if __name__ == "__main__":
    main()
