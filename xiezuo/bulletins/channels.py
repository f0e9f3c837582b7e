"""The portal's channels, read once from `data/channels.toml`."""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CHANNELS_FILE = Path(__file__).parent / "data" / "channels.toml"
DEFAULT = "工作动态"


@dataclass(frozen=True)
class Channel:
    name: str
    slug: str
    description: str = ""


@cache
def channels() -> tuple[Channel, ...]:
    """Return the channels in the order the portal shows them."""
    data = tomllib.loads(CHANNELS_FILE.read_text(encoding="utf-8"))
    return tuple(Channel(**entry) for entry in data["channel"])


def by_slug(slug: str) -> Channel | None:
    """Return the channel at address `slug`, None when there is none."""
    return next((c for c in channels() if c.slug == slug), None)


def by_name(name: str) -> Channel | None:
    """Return the channel called `name`, None when there is none."""
    return next((c for c in channels() if c.name == name), None)


def names() -> tuple[str, ...]:
    return tuple(c.name for c in channels())
