"""docs/reliability.md is what its committed results render to, and says every run passed.

The report is generated (`--render`, from docs/reliability-results/); this keeps a hand edit,
or a results file added without rendering again, from passing unnoticed.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.reliability.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "docs" / "reliability-results"


def _without_date(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith("Written ")]


def test_the_report_is_what_the_committed_results_render_to(tmp_path) -> None:
    command = (RESULTS / "README.md").read_text(encoding="utf-8")
    files = re.findall(r"--render (\S+)", command)
    assert files, "docs/reliability-results/README.md gives no --render command"
    named = {Path(f).name for f in files}
    assert named == {p.name for p in RESULTS.glob("*.jsonl")}  # every file, and only those
    out = tmp_path / "reliability.md"
    argv = [arg for f in files for arg in ("--render", str(ROOT / f))] + ["--write", str(out)]
    assert main(argv) == 0  # 0: no crash point, fault cell or outage failed
    committed = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    assert _without_date(out.read_text(encoding="utf-8")) == _without_date(committed)
    assert "✘" not in committed
