"""The shipped demo evidence/ is exactly what tools/make_demo_evidence.py writes: the generator is run in full
into a temporary folder (about 10 s) and every file is compared by SHA-256 with the committed tree.

A difference means someone edited evidence/ by hand, or changed the generator, the standard or the plan
without regenerating: run ``python tools/make_demo_evidence.py`` and commit the result.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOT_GENERATED = {"indicators"}  # another tool's folder, kept by the generator
FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
         "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


def _hashes(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*"))
            if path.is_file() and path.relative_to(folder).parts[0] not in NOT_GENERATED}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    if not any(Path(font).is_file() for font in FONTS):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true 时不能跳过：没有中文字体（apt-get install fonts-wqy-microhei）")
        pytest.skip("没有中文字体（fonts-wqy-microhei），演示数据无法生成")
    out = tmp_path_factory.mktemp("demo") / "evidence"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "hooks")}
    run = subprocess.run([sys.executable, str(ROOT / "tools/make_demo_evidence.py"), "--out", str(out)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    return out


def test_generator_reproduces_the_committed_demo(generated):
    committed, made = _hashes(ROOT / "evidence"), _hashes(generated)
    missing = sorted(committed.keys() - made.keys())
    extra = sorted(made.keys() - committed.keys())
    changed = sorted(p for p in committed.keys() & made.keys() if committed[p] != made[p])
    assert (missing, extra, changed) == ([], [], []), (
        "evidence/ 与 tools/make_demo_evidence.py 生成的结果不一致，请重新生成并提交："
        f"只在仓库里 {missing[:5]}，只在生成结果里 {extra[:5]}，内容不同 {changed[:5]}")


def test_demo_has_the_review_year_plan_and_distinct_doc_numbers(generated):
    plan = generated / "03-年度计划与卫生创建/03.1-年度爱国卫生工作计划/2026-市爱卫办-登封市2026年爱国卫生工作计划.yml"
    assert "doc_number: 登爱卫〔2026〕2号" in plan.read_text(encoding="utf-8")
    # Two 2025 documents of the 爱卫办 (the plan and the summary) once printed the same 文号 登爱卫〔2025〕8号.
    from pypdf import PdfReader

    folder = generated / "03-年度计划与卫生创建"
    plan_2025 = folder / "03.1-年度爱国卫生工作计划/2025-市爱卫办-登封市2025年爱国卫生工作计划.pdf"
    summary_2025 = folder / "03.2-年度爱国卫生工作总结/2025-市爱卫办-登封市2025年爱国卫生工作总结.pdf"
    numbers = [_doc_number(PdfReader(path).pages[0].extract_text()) for path in (plan_2025, summary_2025)]
    assert numbers[0] != numbers[1] and all(n.startswith("登爱卫〔2025〕") for n in numbers), numbers


def _doc_number(text: str) -> str:
    start = text.index("登爱卫〔")
    return text[start:text.index("号", start) + 1]
