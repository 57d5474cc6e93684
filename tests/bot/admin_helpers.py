"""A small configured knowledge base for the admin tests: a docs folder named in a TOML file."""

from __future__ import annotations

from pathlib import Path

from bot.settings import Settings, load_settings

CONFIG = """
[[sources]]
location = "docs"

[[contacts]]
name = "Kathy Leggett"
title = "Business Sector Partnerships, Iowa Workforce Development"
phone = "515-725-3882"

[admins]
slack_user_ids = ["UADMIN1"]
"""

MANUFACTURING = """---
title: North Iowa Manufacturing Partnership
date: 2025-06-01
---

# North Iowa Manufacturing Partnership

The North Iowa advanced manufacturing sector partnership meets every quarter in Mason City.
Employers join by calling the partnership's convener at the community college.
"""

HEALTH_CARE = """---
title: Central Iowa Health Care Partnership
date: 2025-06-01
---

# Central Iowa Health Care Partnership

The Central Iowa health care sector partnership trains nurses with Des Moines Area Community
College. Hospitals in Polk County send their nurse managers to its monthly meetings.
"""


def configured_site(root: Path, extra_config: str = "", **environ: str) -> Settings:
    """Settings whose configured source is ``root/docs`` (holding one document to start).

    ``extra_config`` is appended to the TOML file (more sources, for one).
    """
    docs = root / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "manufacturing.md").write_text(MANUFACTURING, encoding="utf-8")
    config = root / "sectorbot.toml"
    config.write_text(CONFIG + extra_config, encoding="utf-8")
    return load_settings(
        {"SECTORBOT_DATA_DIR": str(root / "data"), "SECTORBOT_CONFIG": str(config), **environ}
    )


def add_health_care(settings: Settings) -> None:
    """Add a second document to the configured folder."""
    docs = Path(settings.sources[0].location)
    (docs / "health_care.md").write_text(HEALTH_CARE, encoding="utf-8")
