"""Serving needs neither torch nor transformers: on a built index (ONNX int8 export present), opening the
pipeline, answering and creating the app import neither (the ONNX encoder tokenizes with `tokenizers`)."""

import json
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import CLI_ENV

PROBE = """
import json, sys
from core.settings import Settings
from rag.pipeline import build_pipeline
from api.app import create_app

settings = Settings(_env_file=None, data_dir=sys.argv[1])
pipeline = build_pipeline(settings)
answer = pipeline.answerer.ask("Do mesenchymal stem cell exosomes carry miR-21?")
create_app(settings)
loaded = [m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules]
print(json.dumps({"loaded": loaded, "citations": len(answer.citations)}))
"""


def test_answering_on_a_built_index_never_imports_torch_or_transformers(cli_data_dir: Path) -> None:
    result = subprocess.run([sys.executable, "-c", PROBE, str(cli_data_dir)], check=False, capture_output=True,
                            text=True, env=CLI_ENV, timeout=240)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["loaded"] == [], f"serving imported {report['loaded']}"
    assert report["citations"] >= 1
