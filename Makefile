# Two commands on a fresh machine: `make demo` (build releases, grade the samples) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install release samples grade demo test bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

release: $(STAMP)  ## rebuild release/ and solutions/ from source/
	$(BIN)/course release

samples: $(STAMP)  ## rebuild submitted/ from release/ and tools/samples/
	$(BIN)/course samples

grade: $(STAMP)
	$(BIN)/course grade --force
	$(BIN)/course export

demo: $(STAMP)  ## build the releases, grade the sample submissions, print the score table
	$(BIN)/course release --release-only
	$(BIN)/course grade --force
	$(BIN)/course export

test: $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/grade_speed.py
	$(BIN)/python bench/time_breakdown.py
	$(BIN)/python bench/grade_class.py --n 100 --nbgrader-n 10

clean:
	rm -rf autograded/*/ feedback/ reports/ gradebook.db grades.csv
