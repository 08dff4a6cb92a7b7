# 国家卫生城市复审资料手册 — every target creates the environment it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build package check lint test bench clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

## 安装依赖，用演示资料构建站点并在 http://127.0.0.1:8000 启动
serve: $(STAMP)
	$(BIN)/mkdocs build
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

## 构建站点与资料评估材料包到 site/
build: $(STAMP)
	$(BIN)/mkdocs build --strict

## 只生成材料包
package: $(STAMP)
	$(BIN)/python -m handbook package

## 校验标准、本地方案与佐证资料
check: $(STAMP)
	$(BIN)/python -m handbook check
	$(BIN)/python -m handbook check --evidence

## 代码检查：ruff（全部 Python 代码）与 mypy（hooks/handbook），配置见 pyproject.toml
lint: $(STAMP)
	$(BIN)/ruff check hooks tests benchmarks tools
	$(BIN)/mypy

## 安装依赖（含 Debian 的 chromium、字体）并运行全部测试
test: $(STAMP)
	./scripts/system-deps.sh
	$(BIN)/python -m pytest

## 规模基准（见 benchmarks/README.md）
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf site .cache .pytest_cache
