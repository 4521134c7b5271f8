# foi-briefing: `make demo` sets everything up in .venv and briefs request 20180075 on a synthetic
# extract; `make test` runs the tests. Needs only Python 3.11 and pip (no conda).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test test-fast lab bench clean-cache clean notebooks

setup: $(STAMP)

# the venv, the project (editable) with its test tools, and the project's Jupyter kernel
# (jupyter lab needs --allow-root when run as root, as on these machines)
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name foi-briefing --display-name "Python (foi-briefing)" >/dev/null
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/foi-briefing demo

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

# JupyterLab on the project's kernel (foi-briefing) with the synthetic extract ready; the notebooks
# handle personal data, so kernels talk over private socket files, not localhost TCP
lab: $(STAMP)
	$(BIN)/foi-briefing sample
	$(BIN)/jupyter lab --notebook-dir=notebooks --KernelManager.transport=ipc $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(STAMP)
	$(BIN)/python bench/run.py

notebooks: $(STAMP)
	$(BIN)/python tools/make_notebooks.py

clean-cache: $(STAMP)
	$(BIN)/foi-briefing cache clear

clean:
	rm -rf $(VENV) outputs/*/ outputs/.runs outputs/.failed
