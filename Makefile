# Two set-up-and-go targets (see README): `make run` and `make test`.
# Everything installs into .venv; nothing needs to be installed by hand.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RESULTS ?= results
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test install lint engine pytest robot pabot floor real matrix release-check docs clean

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) || { echo "Cannot create a virtual environment: install python3-venv (apt-get install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --config-settings editable_mode=compat -e '.[docker,yaml,frontend]' --group dev
	@$(BIN)/rfbrowser init --skip-browsers > $(VENV)/rfbrowser-init.log 2>&1 || echo "rfbrowser init failed (see $(VENV)/rfbrowser-init.log): suites/mock/editor.robot will skip"
	$(BIN)/python -m compileall -q ComfyLibrary > /dev/null
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

## The main job: every Robot suite against the embedded mock server.
run: install
	$(BIN)/robot --outputdir $(RESULTS) --xunit xunit.xml suites/

## Everything: lint, a Docker engine for the container tests (where one can run), pytest,
## the Robot suites, the mock suites under pabot, the real lane and the release's dry run.
test: install lint engine pytest robot pabot floor real matrix release-check
	@$(BIN)/python scripts/test_summary.py $(RESULTS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/robocop check
	$(BIN)/robocop format --check
	$(BIN)/robot --dryrun --output NONE --log NONE --report NONE --console dotted suites/
	$(BIN)/hadolint docker/comfyui/Dockerfile docker/runner/Dockerfile docker/mock/Dockerfile
	$(BIN)/actionlint .github/workflows/*.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.gitlab-ci docs/ci/gitlab-ci.yml
	$(BIN)/docker-compose -f docker/compose.yaml config -q
	$(BIN)/shellcheck scripts/*.sh .ci/run
	bash scripts/lint-jenkinsfile.sh

## A Docker engine and the mock image for the container tests (skipped where it cannot run).
engine: install
	PYTHON=$(BIN)/python bash scripts/docker-engine.sh start

pytest: install
	$(BIN)/python -m pytest --junitxml=$(RESULTS)/pytest.xml

robot: install
	$(BIN)/robot --outputdir $(RESULTS) --xunit xunit.xml suites/

pabot: install
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/pabot --processes 4 --pabotlibport 0 --outputdir $(RESULTS)/pabot suites/mock

## The oldest Robot Framework the metadata allows (RF_FLOOR), laid over the venv's: the
## diagnostics test and the mock suites must pass with it too.
RF_FLOOR ?= 7.0.1
FLOOR := $(VENV)/robotframework-$(RF_FLOOR)
floor: install
	$(BIN)/python -m pip install --quiet --no-deps --target $(FLOOR) "robotframework==$(RF_FLOOR)" 2>&1 | { grep -v -e "^WARNING: Location" -e "dependency" -e "requires robotframework" || true; }
	PYTHONPATH=$(FLOOR) $(BIN)/python -c "import robot; assert robot.__version__ == '$(RF_FLOOR)', robot.__version__"
	PYTHONPATH=$(FLOOR) $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_usability.py tests/test_argument_typos.py
	PYTHONPATH=$(FLOOR) $(BIN)/robot --outputdir $(RESULTS)/rf-$(RF_FLOOR) suites/mock

## Real ComfyUI on the CPU with the tiny test models under suites/real (scripts/real-lane.sh):
## from COMFYUI_SOURCE (a folder or .tar.gz) or a pinned clone; skipped where neither is at
## hand, a failure then under COMFY_REQUIRE_REAL=1.
real: install
	BIN=$(BIN) RESULTS=$(RESULTS)/real bash scripts/real-lane.sh

## The real lane over several ComfyUI versions (scripts/matrix.sh): COMFYUI_SOURCES lists
## folders, tarballs or tags; without it the ComfyUI-*.tar.gz of ../shared/comfyui. One venv
## with an overlay per version; a column per version in results/matrix/matrix.html.
matrix: install
	BIN=$(BIN) RESULTS=$(RESULTS)/matrix bash scripts/matrix.sh

## The publish workflow's dry run: build without warnings, twine check, the README's example
## from the wheel in a fresh venv (scripts/release-check.sh).
release-check: install
	PYTHON=$(BIN)/python bash scripts/release-check.sh $(RESULTS)/dist

docs: install
	$(BIN)/python -m robot.libdoc ComfyLibrary $(RESULTS)/ComfyLibrary.html
	$(BIN)/python -m robot.libdoc --specdocformat HTML ComfyLibrary $(RESULTS)/ComfyLibrary.json

clean:
	rm -rf $(RESULTS) .pytest_cache .ruff_cache
