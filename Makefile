# minitf: the two set-up commands are `make demo` (train a digit classifier, write its graph for
# TensorBoard and the visualizer) and `make test` (the test suite). Both install what they need.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast bench lint venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

venv: $(BIN)/python

demo: $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[demo]"
	$(BIN)/python -m minitf.examples.mnist --logdir runs/mnist

test: $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test]"
	$(BIN)/python -m pytest -q

test-fast: $(BIN)/python
	$(BIN)/python -m pytest -q -m "not slow"

bench: $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test]"
	$(BIN)/python bench/bench_core.py
	$(BIN)/python bench/bench_elementwise.py
	$(BIN)/python bench/bench_training.py --rounds 3
	$(BIN)/python bench/bench_mnist.py

lint: $(BIN)/python
	$(BIN)/python -m pip install -q ruff
	$(BIN)/python -m ruff check minitf tests bench tools

clean:
	rm -rf $(VENV) runs .pytest_cache
