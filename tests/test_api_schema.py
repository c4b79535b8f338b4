"""Schemathesis against the service's own OpenAPI document: generated requests (bounded, fixed
seed) find no 5xx and no answer that differs from the documented status, content type, schema
or headers.

The routes that take a job's id are run a second time on real jobs of this key (a solved one,
one with a comparison's plan, one to delete), so their answers are checked beyond 404.

One check is left out: `positive_data_acceptance` expects every schema-valid body to be
accepted, but a scenario's cross-entity rules (a rep's home must be a known territory, ...)
cannot be said in JSON Schema, so a generated scenario is rightly refused with 422.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from service import KEY_A, Service, dataset, submit, wait_for

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def _schemathesis(
    url: str, cwd: Path, *extra: str, config: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`schemathesis run` on the service's OpenAPI document with key A, a fixed seed."""
    return subprocess.run(
        [
            str(SCHEMATHESIS),
            *([] if config is None else ["--config-file", str(config)]),
            "run",
            f"{url}/openapi.json",
            "--header",
            f"X-API-Key: {KEY_A}",
            "--seed",
            "1",
            "--exclude-checks",
            "positive_data_acceptance",
            *extra,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_api_keeps_its_documented_contract(tmp_path: Path) -> None:
    svc = Service(tmp_path / "data").start()
    try:
        run = _schemathesis(svc.url, tmp_path, "--max-examples", "30")
    finally:
        svc.stop()
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "passed" in run.stdout


def test_id_routes_keep_their_contract_on_real_jobs(tmp_path: Path) -> None:
    svc = Service(tmp_path / "data").start()
    try:
        with svc.client() as c:
            small = dataset("long_cycle_equipment")
            solved = submit(c, small, time_limit=2, reproducible=True)["id"]
            doomed = submit(c, small, time_limit=1)["id"]
            for job in (solved, doomed):
                assert wait_for(c, job, timeout=300)["status"] == "succeeded"
        # every operation with a job id gets the solved job; DELETE gets one of its own
        config = tmp_path / "schemathesis.toml"
        config.write_text(
            f"""
[parameters]
"path.job_id" = "{solved}"

[[operations]]
include-method = "DELETE"
parameters = {{ "path.job_id" = "{doomed}" }}
""",
            encoding="utf-8",
        )
        run = _schemathesis(
            svc.url,
            tmp_path,
            "--include-path-regex",
            r"\{job_id\}",
            "--max-examples",
            "10",
            config=config,
        )
        with svc.client() as c:
            gone = c.get(f"/v1/solves/{doomed}")
            kept = c.get(f"/v1/solves/{solved}/plan")
    finally:
        svc.stop()
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "passed" in run.stdout
    assert gone.status_code == 404  # DELETE reached the real job
    assert kept.status_code == 200  # every other id route read the solved job and left it
