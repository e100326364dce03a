# Two commands do everything on a fresh machine:
#   make demo   - set up and run the main job on the embedded default dataset
#   make test   - set up and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out/demo

.PHONY: setup demo test lint bench dataset clean

$(BIN)/spreiding: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(BIN)/spreiding

setup: $(BIN)/spreiding

demo: setup
	$(BIN)/spreiding demo --out $(OUT)

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto --dist loadfile

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python scripts/bench.py

dataset: setup
	$(BIN)/python scripts/build_dataset.py

clean:
	rm -rf $(VENV) out .pytest_cache
