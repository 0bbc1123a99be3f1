# The two commands of the README:  `make demo`  and  `make test`.
# Both create .venv if it is missing and install everything the project needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP_INSTALL := $(BIN)/python -m pip install --disable-pip-version-check --progress-bar off -q
# this machine's pip config names index folders that may not exist: hide those warnings, keep pip's exit code
QUIET_PIP := 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }; test $${PIPESTATUS[0]} -eq 0
STAMP := $(VENV)/.ldae-installed
OUT ?= results/demo
export MPLBACKEND := Agg
# the library is generated: plain `nbdev_export` writes the modules from the (ruff-formatted) notebooks, and its
# output is what is committed, so anyone's nbdev_export reproduces ldae/ exactly; `make export` and `make test` agree
EXPORT_LIB := $(BIN)/nbdev_export

.PHONY: install demo test lint export clean-nbs docs browser

# The package asks for version ranges (settings.ini); constraints.txt holds the exact versions tested here.
# torch first, from the machine's local mirror (the CPU-only 2.13 wheel breaks torchvision), then the package.
$(STAMP): settings.ini setup.py constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing torch + torchvision (constraints.txt) into $(VENV) (first time: ~2 min)"
	$(PIP_INSTALL) -c constraints.txt torch torchvision $(QUIET_PIP)
	$(PIP_INSTALL) -c constraints.txt -e ".[dev]" $(QUIET_PIP)
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ldae demo --out $(OUT)

# ruff (ruff.toml): notebooks' code cells, tests and tools formatted; lines <= 120 characters and one statement per line
# there; the generated library is checked for one statement per line (its code lines are the notebooks')
lint: $(STAMP)
	$(BIN)/ruff format --check nbs tests tools setup.py
	$(BIN)/ruff check nbs tests tools setup.py ldae

# The docs site without Quarto (tools/docs.py): _docs/index.html; the results page shows $(OUT)'s report if it exists.
docs: $(STAMP)
	$(BIN)/python tools/docs.py --out _docs --results $(OUT)

# Chromium + chromedriver for the docs-site browser test (Debian packages; installed when missing and run as root)
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium + chromium-driver (apt, ~1 min)"; export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1; apt-get install -y -q chromium chromium-driver >/dev/null; }; \
	  else echo "the docs browser test needs chromium and chromedriver: sudo apt-get install chromium chromium-driver"; fi; }

# lint, library in sync with the notebooks, then the notebooks' own tests, then the cross-module tests
test: lint browser
	$(EXPORT_LIB)
	@git diff --exit-code -- ldae || (echo "ldae/ is out of sync with nbs/: run nbdev_export and commit" && exit 1)
	@test -z "$$(git status --porcelain -- ldae)" || (git status --porcelain -- ldae; echo "ldae/ has files not committed: run nbdev_export and commit" && exit 1)
	$(BIN)/python tools/readme.py --check
	# two notebooks at a time, one thread each: two 2-thread PyTorch processes on 2 cores spin against each other (measured 5-10x slower)
	OMP_NUM_THREADS=1 $(BIN)/nbdev_test --n_workers 2 --timing
	$(BIN)/python -m pytest -q --durations=8 tests

export: $(STAMP)
	$(BIN)/ruff format nbs tests tools setup.py
	$(EXPORT_LIB) && $(BIN)/nbdev_clean
