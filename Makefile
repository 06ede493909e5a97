# Two commands on a fresh machine: `make demo` (build releases, grade the samples) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install release samples grade demo test test-fast check-platforms bench clean

$(STAMP): pyproject.toml constraints.txt
	@# Grading refuses to run without the sandbox: install bubblewrap where we can (root with apt).
	@if ! command -v bwrap >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing bubblewrap (apt-get)"; \
	    { DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; } || echo "warning: apt-get could not install bubblewrap"; \
	  else \
	    echo "warning: bubblewrap (bwrap) is not installed; 'course grade' will refuse to run until it is (sudo apt-get install bubblewrap)"; \
	  fi; \
	fi
	@# Debian's python3 (12: 3.11.2) creates venvs only with python3-venv (ensurepip): installed here as root with apt.
	@if command -v $(PYTHON) >/dev/null 2>&1 && ! $(PYTHON) -c 'import ensurepip' >/dev/null 2>&1 \
	   && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing python3-venv (apt-get)"; \
	  { DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; } || echo "warning: apt-get could not install python3-venv"; \
	fi
	@# A venv that failed half way (no pip) is removed, so the next attempt starts clean.
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); python3 -m venv $(VENV); } \
	  || { rm -rf $(VENV); echo "error: could not create $(VENV) with $(PYTHON) (on Debian/Ubuntu: sudo apt-get install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

release: $(STAMP)  ## rebuild release/ and solutions/ from source/
	$(BIN)/course release

samples: $(STAMP)  ## rebuild samples/submitted/ from release/ and tools/samples/
	$(BIN)/course samples

grade: $(STAMP)  ## grade the class in submitted/ (new and resubmitted notebooks), write grades.csv
	$(BIN)/course grade
	$(BIN)/course export

# The students' language (nbgrader_config.py reads it): `make demo COURSE_LANGUAGE=en` builds and grades English.
COURSE_LANGUAGE ?= zh
export COURSE_LANGUAGE

demo: $(STAMP)  ## build the releases, grade the sample students into samples/ (never the class's data)
	$(BIN)/course release --release-only
	@# the committed samples are Chinese: another language's are built from its release first
	if [ "$(COURSE_LANGUAGE)" != zh ]; then $(BIN)/course samples; fi
	$(BIN)/course grade --class-dir samples --force
	$(BIN)/course export --class-dir samples

test: $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)  ## the unit tier: no bubblewrap, no server, no slow test (tests/conftest.py TIERS)
	$(BIN)/python -m pytest -q -m "unit and not slow"

check-platforms: $(STAMP)  ## every stated figure on every numpy SIMD level x OpenBLAS kernel x 1-2 BLAS threads (about 20 minutes)
	$(BIN)/python tools/platform_matrix.py --jobs 2

bench: $(STAMP)
	$(BIN)/python bench/hardening_cost.py
	$(BIN)/python bench/grade_speed.py
	$(BIN)/python bench/one_submission.py
	$(BIN)/python bench/time_breakdown.py
	$(BIN)/python bench/grade_class.py --n 100 --nbgrader-n 10

clean:  ## remove the demo's output (samples/); the class's data (submitted/, autograded/, gradebook.db) is kept
	rm -rf samples/autograded samples/feedback samples/reports samples/gradebook.db samples/grades.csv
