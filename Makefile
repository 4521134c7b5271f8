# foi-briefing: `make demo` sets everything up in .venv and briefs request 20180075 on a synthetic
# extract; `make test` runs the tests. Needs only Python 3.11 and pip (no conda).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup bytecode demo test test-fast lint lab bench clean-cache clean

setup: $(STAMP) bytecode

# the project's own modules compiled (an editable install leaves them as source, and with
# PYTHONDONTWRITEBYTECODE set, as on these machines, every process would compile them again:
# a tenth of a second in each of a run's four). Quick when nothing changed; a module edited
# since is compiled again here (Python reads a stale one from source, correctly, but slowly).
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q src

# the venv, the project (editable) with its test tools, and the project's Jupyter kernel, whose
# kernels talk over socket files whoever starts them (helpers.run.kernelspec)
# (jupyter lab needs --allow-root when run as root, as on these machines)
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m helpers.run.kernelspec >/dev/null
	touch $(STAMP)

demo: $(STAMP) bytecode
	$(BIN)/foi-briefing demo

# the house rules first (quick), then every test
test: $(STAMP) bytecode lint
	$(BIN)/python -m pytest

# the house rules (pyproject.toml says which and why): ruff's lint and format, mypy
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src bench
	$(BIN)/mypy

test-fast: $(STAMP) bytecode
	$(BIN)/python -m pytest -m "not slow"

# JupyterLab with the synthetic extract ready, configured by jupyter_config/ (added to Jupyter's
# configuration path, so a user's own settings still load): the project's root in its file
# browser, the project's kernel (foi-briefing) only, kernels over private socket files
lab: $(STAMP) bytecode
	$(BIN)/foi-briefing sample
	JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter_config $(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(STAMP) bytecode
	$(BIN)/python bench/run.py

clean-cache: $(STAMP)
	$(BIN)/foi-briefing cache clear

# the files a run writes in a request's outputs (helpers.run.staging.RUN_MADE, the same list)
RUN_MADE := release/briefing.html release/briefing.pdf release/manifest.json release/tables.xlsx \
	release/tables/*.csv restricted/to-publish restricted/candidates/*.csv \
	restricted/briefing.ipynb restricted/results.json restricted/quarantine.csv restricted/run.log \
	restricted/search_scope.csv restricted/gate_report.json restricted/gate_tables.json \
	restricted/disclosure_cells.json restricted/evidence_candidates.csv \
	restricted/evidence_decisions.csv
# the folders a run makes there, deepest first (removed when left empty; a link among them stops
# make clean from touching the folder: what a link leads to is never the tool's)
RUN_FOLDERS := release/tables restricted/candidates release restricted

# what the tool made and can make again: the venv, the runs' staging and failed runs, and the
# files a run wrote in each request's outputs (a folder holding release/ and restricted/; a link
# is not followed), and a folder they leave empty. Never a person's file there (a review
# notebook, a note), the disclosure logs (a folder with a log.json), their published versions
# (published/) or the review stores kept in a log's folder: a person's work, which must outlive
# every make target.
clean:
	rm -rf $(VENV) outputs/.runs outputs/.failed
	for folder in outputs/*/; do \
		case "$$folder" in outputs/published/) continue ;; esac; \
		if [ ! -L "$${folder%/}" ] && [ -d "$$folder/release" ] && [ -d "$$folder/restricted" ] \
			&& [ ! -e "$$folder/log.json" ]; then \
			linked=no; \
			for made in $(RUN_FOLDERS); do [ -L "$$folder$$made" ] && linked=yes; done; \
			if [ "$$linked" = no ]; then \
				(cd "$$folder" && rm -rf $(RUN_MADE); rmdir $(RUN_FOLDERS) 2>/dev/null; true); \
				rmdir "$${folder%/}" 2>/dev/null || true; \
			fi; \
		fi; \
	done
