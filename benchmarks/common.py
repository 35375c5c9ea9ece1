"""What the benchmark scripts share: the crawl command they measure."""

from __future__ import annotations

import sys
from pathlib import Path


def crawl_command(archive: Path | str, url: str, *extra: str) -> list[str]:
    """`turan-crawler crawl` as fast as the site allows: no delay, 16 requests at once, quiet."""
    return [
        sys.executable,
        "-m",
        "turan_crawler",
        "crawl",
        "--archive",
        str(archive),
        "--start-url",
        url,
        "--delay",
        "0",
        "--concurrency",
        "16",
        "--quiet",
        *extra,
    ]
