"""The demo 问题台账 of 登封市: evidence/findings/findings.csv and small photos (deterministic bytes).

Called by tools/make_demo_evidence.py (which replaces evidence/), or alone:
    .venv/bin/python tools/make_demo_findings.py [--out evidence]

About 60 findings from May to November 2026 across the 4 街道 and the departments of each field, every
source, and, with HANDBOOK_TODAY=2026-11-23 (the demo's today), every state: 已销号 (some closed late),
已整改待确认, 逾期, 待整改 and 反弹 (the same place and item found again within 90 days of its closure). One
finding is marked 不公开 (its photos are listed, not published).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import shutil
import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 23)  # the demo's pinned today (README: HANDBOOK_TODAY)
FIRST = dt.date(2026, 5, 11)
SPAN_DAYS = 190
COUNT = 60
HEADER = ["编号", "日期", "来源", "检查组", "地点", "坐标", "条目", "问题描述", "整改前照片", "属地单位", "行业单位",
          "整改期限", "整改日期", "整改后照片", "销号人/确认人", "不公开"]
STREETS = {
    "嵩阳街道": ("书院河路东段", "嵩阳路与崇高路交叉口", "北区农贸市场", "东关社区3号楼"),
    "少林街道": ("少林大道西段", "少林农贸市场", "耿庄城中村", "迎宾路南侧背街小巷"),
    "中岳街道": ("中岳大街东段", "太室路菜市场", "中岳社区老旧小区", "嵩山路公厕"),
    "卢店街道": ("卢店镇区主街", "卢店集贸市场", "大冶路城乡结合部", "卢店中学东侧"),
}
# (条目, 行业单位, what was found): problems the 2021 standard's field checks look for.
PROBLEMS = (
    (10, "市城管局", "背街小巷路面破损、雨后积水，沿街乱堆乱放"),
    (10, "市住建局", "建筑工地出入口未硬化、车辆带泥上路，裸土未覆盖"),
    (13, "市城管局", "垃圾中转站周边散落垃圾，异味明显"),
    (14, "市城管局", "垃圾分类投放点桶体破损，混投混放"),
    (15, "市城管局", "公厕地面污渍，洗手液、厕纸缺失，无保洁记录"),
    (16, "市市场监管局", "农贸市场活禽区未隔离，排水沟堵塞"),
    (18, "市住建局", "小区楼道堆放杂物，绿化带内有生活垃圾"),
    (19, "市住建局", "城中村私搭乱建，垃圾积存未清运"),
    (28, "市卫健委", "小理发店未公示卫生许可证，毛巾未消毒"),
    (34, "市市场监管局", "小餐馆后厨防蝇设施缺失，生熟不分"),
    (9, "市爱卫办", "网吧内有人吸烟，无禁烟标识"),
    (45, "市爱国卫生运动促进中心", "餐馆未设挡鼠板，后巷发现鼠迹"),
    (6, "市卫健委", "社区健康教育宣传栏内容过期"),
)
SOURCES = ("暗访", "督查", "督查", "模拟检查", "群众投诉", "上级反馈")
GROUPS = {"暗访": "市迎复审办暗访组", "督查": "市爱卫办第一督查组", "模拟检查": "模拟检查专家组",
          "群众投诉": "12345热线转办", "上级反馈": "郑州市爱卫办"}
CONFIRMERS = ("市爱卫办 王磊", "市爱卫办 李静", "市爱卫办 赵强")
REBOUNDS = 4  # extra findings repeating a closed one


def build_rows() -> list[dict[str, str]]:
    rng = random.Random("登封-问题台账")
    rows, closed = [], []
    streets = list(STREETS)
    for i in range(COUNT):
        street = streets[i % len(streets)]
        item, field_unit, problem = PROBLEMS[(i * 5) % len(PROBLEMS)]
        source = SOURCES[i % len(SOURCES)]
        found = FIRST + dt.timedelta(days=round(i * SPAN_DAYS / (COUNT - 1)))
        place = f"{street} {STREETS[street][(i // len(streets)) % 4]}"
        row = _row(i + 1, found, source, place, item, problem, street, field_unit, rng)
        rows.append(row)
        if row["整改日期"] and row["销号人/确认人"]:
            closed.append(row)
    for k in range(REBOUNDS):  # the same spot, found again within 90 days of the closure
        earlier = closed[-(3 + 5 * k)]
        fixed = dt.date.fromisoformat(earlier["整改日期"])
        found = min(fixed + dt.timedelta(days=20 + 17 * k), TODAY - dt.timedelta(days=2))
        rows.append({**earlier, "编号": f"DF-2026-{COUNT + k + 1:03d}", "日期": found.isoformat(), "来源": "暗访",
                     "检查组": GROUPS["暗访"], "问题描述": "复查发现问题反弹：" + earlier["问题描述"],
                     "整改前照片": f"DF-2026-{COUNT + k + 1:03d}-整改前.jpg",
                     "整改期限": (found + dt.timedelta(days=7)).isoformat(), "整改日期": "", "整改后照片": "",
                     "销号人/确认人": "", "不公开": ""})
    rows[7]["不公开"] = "是"  # a photo with faces: listed, never published
    return rows


def _row(n: int, found: dt.date, source: str, place: str, item: int, problem: str, street: str, field_unit: str,
         rng: random.Random) -> dict[str, str]:
    fid = f"DF-2026-{n:03d}"
    days = 7 if source in ("暗访", "群众投诉") and found < TODAY - dt.timedelta(days=25) else 15
    deadline = found + dt.timedelta(days=days)
    fixed: dt.date | None = found + dt.timedelta(days=rng.randint(2, days + 4))  # some after the deadline
    if n % 9 == 5 and deadline < TODAY:
        fixed = None  # never rectified: 逾期
    elif deadline >= TODAY - dt.timedelta(days=4) and n % 3 != 0:
        fixed = None  # still within its time: 待整改 (or 逾期 when its short deadline has passed)
    if fixed is not None and fixed >= TODAY:
        fixed = TODAY - dt.timedelta(days=1)
    confirmed = fixed is not None and (TODAY - fixed).days > 6
    return {
        "编号": fid, "日期": found.isoformat(), "来源": source, "检查组": GROUPS[source], "地点": place,
        "坐标": f"113.{rng.randint(20000, 29999)},34.{rng.randint(44000, 47999)}" if n % 4 == 0 else "",
        "条目": str(item), "问题描述": problem, "整改前照片": f"{fid}-整改前.jpg", "属地单位": street,
        "行业单位": field_unit if n % 6 else "",  # blank: the item's lead department is used
        "整改期限": deadline.isoformat(), "整改日期": fixed.isoformat() if fixed else "",
        "整改后照片": f"{fid}-整改后.jpg" if fixed else "",
        "销号人/确认人": CONFIRMERS[n % len(CONFIRMERS)] if confirmed else "", "不公开": "",
    }


def photo(seed: str, *, before: bool) -> bytes:
    """A 240×160 street scene: litter and a puddle before, a swept pavement after. Same seed, same bytes."""
    rng = random.Random(seed)
    image = Image.new("RGB", (240, 160), (150, 180, 210))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 70, 240, 160), fill=(150, 140, 125) if before else (175, 172, 165))
    for x in range(0, 240, rng.randint(34, 60)):  # buildings along the street
        top = rng.randint(10, 50)
        draw.rectangle((x, top, x + rng.randint(24, 40), 70), fill=(rng.randint(120, 200),) * 3)
    if before:
        draw.ellipse((rng.randint(20, 120), 120, rng.randint(150, 220), 150), fill=(90, 100, 110))
        for _ in range(14):
            x, y = rng.randint(10, 230), rng.randint(80, 155)
            draw.rectangle((x, y, x + rng.randint(4, 10), y + rng.randint(3, 8)),
                           fill=(rng.randint(150, 255), rng.randint(60, 200), rng.randint(20, 120)))
    else:
        draw.rectangle((180, 95, 200, 130), fill=(40, 120, 60))  # a bin where the litter was
    draw.rectangle((0, 0, 240, 14), fill=(0, 0, 0))
    draw.text((4, 2), seed.encode("ascii", "ignore").decode() + (" BEFORE" if before else " AFTER"), fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=60)
    return out.getvalue()


def write_findings(out: Path) -> int:
    """Write evidence/findings/ under ``out`` (replacing it); returns the bytes written."""
    folder = out / "findings"
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "photos").mkdir(parents=True)
    rows = build_rows()
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, HEADER, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    data = ("\ufeff" + text.getvalue()).encode("utf-8")  # Excel's "CSV UTF-8"
    (folder / "findings.csv").write_bytes(data)
    total = len(data)
    for row in rows:
        for column, before in (("整改前照片", True), ("整改后照片", False)):
            if row[column]:
                jpeg = photo(row["编号"], before=before)
                (folder / "photos" / row[column]).write_bytes(jpeg)
                total += len(jpeg)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成登封市演示问题台账（可重复生成，字节一致）")
    parser.add_argument("--out", type=Path, default=ROOT / "evidence", help="evidence 目录（默认 evidence/）")
    args = parser.parse_args(argv)
    total = write_findings(args.out)
    print(f"写出问题台账和照片，共 {total / 1024:.0f} KB，到 {args.out / 'findings'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
