"""docs/inputs.md is generated from the schemas and must stay in sync."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_inputs_doc_is_up_to_date():
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
