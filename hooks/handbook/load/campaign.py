"""The local plan's campaign settings: standards/local/campaign.yml (optional).

How long after a closure the same problem counts as 反弹, whether photos may be published at all, the
weights of the 通报's score and the 流动红旗. Without the file every setting has its default; a wrong
value is reported with file and line and the default is used.
"""

from __future__ import annotations

import logging
from pathlib import Path

from handbook.load.fields import Fields, open_data_file
from handbook.model import Campaign, Problem

__all__ = ["CAMPAIGN_FILE", "Campaign", "load_campaign"]

log = logging.getLogger(__name__)

CAMPAIGN_FILE = "standards/local/campaign.yml"
TOP_KEYS = ("findings", "scoring", "red_flag")


def load_campaign(root: Path, diagnostics: list[Problem]) -> Campaign:
    campaign = Campaign()
    src, top = open_data_file(Path(root), CAMPAIGN_FILE, diagnostics, TOP_KEYS, required=False)
    if top is None:
        return campaign
    findings = _section(src, top, "findings", ("rebound_days", "photos_private"))
    if findings is not None:
        campaign.rebound_days = findings.integer("rebound_days", lo=1, hi=3650, default=campaign.rebound_days) \
            or campaign.rebound_days
        campaign.photos_private = findings.flag("photos_private", default=False)
    scoring = _section(src, top, "scoring", ("materials", "findings_on_time", "named"))
    if scoring is not None:
        campaign.weight_materials = _weight(scoring, "materials", campaign.weight_materials)
        campaign.weight_findings = _weight(scoring, "findings_on_time", campaign.weight_findings)
        campaign.named = scoring.integer("named", lo=1, hi=20, default=campaign.named) or campaign.named
        if campaign.weight_materials + campaign.weight_findings <= 0:
            src.error(scoring.data.line, "scoring 的两个权重之和必须大于 0", "例如 materials: 60、findings_on_time: 40",
                      "bad-weights")
            campaign.weight_materials, campaign.weight_findings = 60.0, 40.0
    flag = _section(src, top, "red_flag", ("name", "kind"))
    if flag is not None:
        campaign.red_flag = flag.text("name") or ""
        campaign.red_flag_kind = flag.text("kind") or campaign.red_flag_kind
    return campaign


def _section(src, top: Fields, key: str, known: tuple[str, ...]) -> Fields | None:
    if not top.has(key):
        return None
    return Fields.of(src, top.raw(key), top.line(key), f"{Path(CAMPAIGN_FILE).name} 的 {key}", known)


def _weight(fields: Fields, key: str, default: float) -> float:
    value = fields.number(key)
    if value is None:
        return default
    if value < 0:
        fields.src.error(fields.line(key), f"权重“{key}”不能是负数（{value:g}）", f"改为 0 或正数，默认 {default:g}",
                         "bad-weight")
        return default
    return float(value)
