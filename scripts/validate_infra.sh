#!/usr/bin/env bash
# Offline validation of infra/: every .bicep parses (pycep-parser), the deployment rules hold and
# checkov's Bicep checks pass.
# checkov pins its own dependencies, so it lives in .venv-infra, apart from the product's venv.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
VENV=.venv-infra
STAMP="$VENV/.installed-checkov-3.3.30"
if [ ! -f "$STAMP" ]; then
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "checkov==3.3.30"
  touch "$STAMP"
fi
"$VENV/bin/python" - <<'PY'
import pathlib, sys
from pycep import BicepParser
failed = 0
for path in sorted(pathlib.Path("infra").rglob("*.bicep")):
    try:
        BicepParser().parse(file_path=path)
        print(f"parsed  {path}")
    except Exception as error:  # report every file, then fail
        failed += 1
        print(f"FAILED  {path}: {error}")
sys.exit(1 if failed else 0)
PY
# The deployment rules (tests/infra/deploy_rules.py) need pycep too, so they run here.
"$VENV/bin/python" tests/infra/deploy_rules.py
BC_SKIP_MAPPING=TRUE "$VENV/bin/checkov" -d infra --framework bicep --skip-download --quiet --compact
