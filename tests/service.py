"""A real `ledokol serve` process on localhost for the API tests, and small request helpers."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
KEY_A, KEY_B, KEY_CAPPED = "key-a-0123456789", "key-b-9876543210", "key-capped-555"
LEDOKOL = Path(sys.executable).with_name("ledokol")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dataset(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "datasets" / f"{name}.json").read_text(encoding="utf-8"))


class Service:
    """`ledokol serve` in its own process group; `kill()` is a real SIGKILL of the service."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, **flags: Any) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        keys_file = data_dir.parent / f"{data_dir.name}-keys.txt"
        keys_file.write_text(f"# test keys\n{KEY_CAPPED} max_time_limit=2\n", encoding="utf-8")
        self.env = {
            **os.environ,
            "LEDOKOL_API_KEYS": f"{KEY_A},{KEY_B}",
            "LEDOKOL_API_KEYS_FILE": str(keys_file),
            **(env or {}),
        }
        self.flags = flags
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / f"{data_dir.name}-service.log"

    def start(self) -> Service:
        args = [str(LEDOKOL), "serve", "--port", str(self.port), "--data-dir", str(self.data_dir)]
        for name, value in self.flags.items():
            args += [f"--{name.replace('_', '-')}", str(value)]
        self.process = subprocess.Popen(
            args,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"service exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("service did not get ready in 60 s")

    def kill(self) -> None:
        """SIGKILL the service process only (its solve processes must notice on their own)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def client(self, key: str | None = KEY_A) -> httpx.Client:
        headers = {"X-API-Key": key} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def submit(client: httpx.Client, scenario: dict[str, Any], **options: Any) -> dict[str, Any]:
    response = client.post("/v1/solves", json={"scenario": scenario, "options": options})
    assert response.status_code == 202, response.text
    return response.json()


def wait_for(
    client: httpx.Client, job_id: str, done: Any = None, timeout: float = 120
) -> dict[str, Any]:
    """Poll a job until `done(job)` (default: finished)."""
    done = done or (lambda j: j["status"] in ("succeeded", "failed", "cancelled"))
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/v1/solves/{job_id}").json()
        if done(job):
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} stuck: {job}")
        time.sleep(0.1)


def unavailable(what: str) -> None:
    """A real server or browser the test needs is missing: skip here, fail under `.ci/run`."""
    import pytest

    if os.environ.get("LEDOKOL_REQUIRE_SERVICES"):
        pytest.fail(f"{what} is required under .ci/run but is not available")
    pytest.skip(f"{what} is not available (.ci/run provides it)")
