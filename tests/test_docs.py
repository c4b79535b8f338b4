"""The project's own docs: the format page matches the models, and nothing links outside the
repository (a clone has no `../shared`)."""

from __future__ import annotations

import re
from pathlib import Path

from optimizer.reference import PAGE, page_with_reference, reference

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_the_format_page_is_the_models_reference() -> None:
    text, missing = reference()
    assert missing == [], f"fields without a meaning in optimizer/reference.py: {missing}"
    page = PAGE.read_text(encoding="utf-8")
    assert page == page_with_reference(page), "run `python -m optimizer.reference`"
    for field in ("`account_value`", "`hunter_stint_min`", "`freeze_periods`", "`gap_pct`"):
        assert field in text


def test_the_reference_names_a_new_field_without_a_meaning() -> None:
    from pydantic import create_model

    from optimizer import reference as module
    from optimizer.scenario import Rep

    widened = create_model("Rep", __base__=Rep, shoe_size=(int, 0))
    schema = widened.model_json_schema()
    _, missing = module._table("Rep", schema)
    assert missing == ["Rep.shoe_size"]


def test_docs_link_only_inside_the_repository() -> None:
    pages = [
        ROOT / "README.md",
        *sorted((ROOT / "docs").glob("*.md")),
        *sorted((ROOT / "benchmarks").glob("*.md")),
        ROOT / "datasets/README.md",
    ]
    broken = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "../shared" not in text, f"{page.name} cites a file a clone does not have"
        for target in LINK.findall(text):
            if target.startswith(("http://", "https://")):
                broken.append(f"{page.relative_to(ROOT)} -> {target} (outside the repository)")
            elif not (page.parent / target).resolve().exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert broken == []


def test_every_benchmark_script_imports() -> None:
    """The studies behind benchmarks/RESULTS.md are run by hand, not by `make test`: each must
    at least import against today's code (a helper renamed under them breaks only their run)."""
    import subprocess
    import sys

    scripts = sorted(p.stem for p in (ROOT / "benchmarks").glob("*.py"))
    assert "workbench_study" in scripts and "run" in scripts
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    done = subprocess.run(
        [sys.executable, "-c", code, *scripts],
        cwd=ROOT / "benchmarks",
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
