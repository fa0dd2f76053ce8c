# Two entry points: `make run` (set up, build what is missing, start the app) and `make test`.
PY      := .venv/bin/python
PIP     := .venv/bin/pip
STAMP   := .venv/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test setup artefacts extract train clean

setup: $(STAMP)

# torch is installed first and pinned, so pip takes the local CPU build rather than a CUDA one.
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[test]'
	touch $(STAMP)

extract: setup
	$(PY) -m classifier extract

# Build the model only when no valid one is there; the findings database gets its vectors.
artefacts: setup
	$(PY) -m classifier train --if-missing

run: artefacts
	$(PY) -m classifier app --port 8501

test: setup
	$(PY) -m pytest

clean:
	rm -rf .venv .cache
