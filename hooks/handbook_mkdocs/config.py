"""The plugin's typed settings, validated from ``extra.handbook`` in mkdocs.yml with Chinese messages.

Written as Material writes its plugin configs (``mkdocs.config.base.Config`` with ``config_options``), with
option types whose messages name the key, what is wrong and the nearest valid value. Unknown keys are
errors, not warnings: ``pakage: false`` must not leave the package switched on without a word.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config, ValidationError

from handbook.problems import suggest

SECTION = "extra.handbook"


class _Choice(c.BaseConfigOption[str]):
    def __init__(self, choices: tuple[str, ...], default: str) -> None:
        super().__init__()
        self.choices, self.default = choices, default

    def run_validation(self, value: object) -> str:
        text = str(value)
        if text in self.choices:
            return text
        nearest = suggest(text, self.choices)
        hint = f" — 是否应为 {nearest}？" if nearest else ""
        raise ValidationError(f"值 {text!r} 无效，只能是 {' 或 '.join(self.choices)}{hint}")


class _Bool(c.BaseConfigOption[bool]):
    def __init__(self, default: bool) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> bool:
        if isinstance(value, bool):
            return value
        raise ValidationError(f"值 {value!r} 不是 true 或 false — 写 true（生成）或 false（不生成），不加引号")


class _Date(c.BaseConfigOption[dt.date | None]):
    def run_validation(self, value: object) -> dt.date | None:
        if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError(f"值 {value!r} 不是 YYYY-MM-DD 格式的真实日期 — 写成如 2026-11-23，或删去这一行") from None


class _ProjectRoot(c.BaseConfigOption[str]):
    """A folder relative to mkdocs.yml that holds standards/ (the project's root)."""

    def __init__(self) -> None:
        super().__init__()
        self.default = "."

    def run_validation(self, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"值 {value!r} 不是文件夹路径 — 写相对 mkdocs.yml 的路径，如 .")
        base = os.path.dirname(self._config.config_file_path or ".") if self._config else "."
        path = os.path.normpath(os.path.join(base, value))
        if not os.path.isdir(path):
            raise ValidationError(f"文件夹 {path} 不存在 — 写含 standards/ 与 evidence/ 的项目根目录（相对 mkdocs.yml），通常是 .")
        if not os.path.isdir(os.path.join(path, "standards")):
            raise ValidationError(f"文件夹 {path} 下没有 standards/ — 写含 standards/ 与 evidence/ 的项目根目录，通常是 .")
        return path

    def pre_validation(self, config: Config, key_name: str) -> None:
        self._config = config


class HandbookConfig(Config):
    root = _ProjectRoot()
    today = _Date()
    package = _Bool(default=True)
    watch = _Choice(("native", "polling"), default="native")
    fail_on = _Choice(("warning", "error"), default="warning")


def load_settings(values: Any, config_file_path: str | None) -> tuple[HandbookConfig, list[str]]:
    """``extra.handbook`` as a validated config, and every problem found as a Chinese message."""
    config = HandbookConfig(config_file_path=config_file_path)
    if values is None:
        values = {}
    if not isinstance(values, dict):
        return config, [f"mkdocs.yml：{SECTION} 应是键值表（如 root: .），现在是 {type(values).__name__}"]
    known = [name for name, _ in config._schema]
    problems = [_unknown(str(key), known) for key in values if key not in known]
    config.load_dict({k: v for k, v in values.items() if k in known})
    errors, _ = config.validate()
    problems += [f"mkdocs.yml：{SECTION}.{key} 的{error}" for key, error in errors]
    return config, problems


def _unknown(key: str, known: list[str]) -> str:
    nearest = suggest(key, known)
    hint = f"是否应为 {nearest}？" if nearest else f"可用的设置：{'、'.join(known)}"
    return f"mkdocs.yml：{SECTION} 中没有设置 {key!r} — {hint}"
