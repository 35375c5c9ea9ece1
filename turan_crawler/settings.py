"""Scrapy settings: polite defaults, safe to run from cron against the real site.

Everything can be overridden with ``-s NAME=VALUE`` (scrapy) or the CLI's options. Project settings use
the ``TURAN_`` (what to crawl) and ``ARCHIVE_`` (where and how to keep it) prefixes.
"""

import os
import sys
from pathlib import Path

from turan_crawler.sites import TURAN
from turan_crawler.warc.reader import MAX_BODY

BOT_NAME = "turan_crawler"
SPIDER_MODULES = ["turan_crawler.spiders"]
NEWSPIDER_MODULE = "turan_crawler.spiders"

# -- politeness ------------------------------------------------------------------------------------
USER_AGENT = "turan-crawler/0.1 (+https://github.com/turan-crawler/turan-crawler; web archiving of turan.az)"
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
TURAN_RETRY_AFTER_MAX = 120.0  # seconds: longer Retry-After values are capped
COOKIES_ENABLED = False  # every request stands alone: what is archived does not depend on crawl order
TELNETCONSOLE_ENABLED = False

# -- fetching --------------------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = MAX_BODY  # 64 MiB, raw and decoded (Scrapy checks both while reading and inflating)
DOWNLOAD_WARNSIZE = 32 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = False  # keep what arrived: archived as WARC-Truncated, never parsed
REDIRECT_MAX_TIMES = 10
HTTPERROR_ALLOW_ALL = True  # error pages reach the spider too: one recording path (they may be challenges)
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,  # ScopeMiddleware decides, for every request
    "turan_crawler.middlewares.ScopeMiddleware": 50,  # before robots.txt is fetched for a new host
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "turan_crawler.middlewares.RobotsTxtMiddleware": 100,  # Scrapy's, with concurrent waiters fixed
    "turan_crawler.middlewares.RetryAfterMiddleware": 560,
}
REACTOR_THREADPOOL_MAXSIZE = 4
# Scrapy's caching resolver, refusing internal answers for names the user did not give (addresses.py)
TWISTED_DNS_RESOLVER = "turan_crawler.addresses.PublicResolver"
# pages are read in worker processes; one core is left for the reactor and the archive writer
TURAN_PARSE_PROCESSES = max(1, min(4, (os.cpu_count() or 2) - 1))
TURAN_PAGE_READ_SECONDS = 30.0  # a page that takes longer to read is recorded as such, not read
TURAN_PAGE_READ_MEMORY = 1024**3  # bytes of address space per page-reading worker (~190 MB at rest)
CONCURRENT_ITEMS = 16  # Scrapy starts this many tasks per response; our items only join a queue

# -- what to crawl ---------------------------------------------------------------------------------
TURAN_LANGS = ["en", "az", "ru"]
TURAN_START_PATHS = list(TURAN.start_paths)  # front page and news line of each language ({lang} filled in)
TURAN_SITEMAPS = list(TURAN.sitemap_paths)  # sitemap locations besides robots.txt's ({lang} filled in)
TURAN_BACKFILL_PAGES = 0  # listing pages beyond the first; -1 = all
TURAN_MAX_ARTICLES = 0  # 0 = no limit
TURAN_REQUISITES = "images"  # none | images (stylesheets and what they import, images) | all (+ scripts)
TURAN_MAX_REQUISITES = (
    100_000  # requisites fetched in one run at most (~20 per page of a big run); 0 = no limit
)
TURAN_REFRESH_DAYS = 2  # archived articles published this recently are fetched again, to catch edits
TURAN_REFRESH_ALL = False

# -- the archive -----------------------------------------------------------------------------------
# Scrapy's commands that look at pages (scrapy shell, parse, fetch, view, check, bench) never archive them:
# a look must not leave an unfinished run or a .open WARC behind. `scrapy crawl` archives.


def _inspecting() -> bool:
    return Path(sys.argv[0]).name == "scrapy" and sys.argv[1:2] in (
        ["shell"],
        ["parse"],
        ["fetch"],
        ["view"],
        ["check"],
        ["bench"],
    )


ARCHIVE_ENABLED = not _inspecting()
ARCHIVE_DIR = os.environ.get("TURAN_ARCHIVE", "archive")
ARCHIVE_DB_NAME = "turan.db"  # the index, in ARCHIVE_DIR (Datasette names the database after it)
ARCHIVE_WARC_PREFIX = "turan"  # WARC files are named PREFIX-TIMESTAMP-SERIAL.warc.gz
ARCHIVE_WARC_MAX_SIZE = 1024**3
ARCHIVE_GZIP_LEVEL = 6  # per WARC record (zlib-ng); 2 is ~3x faster for ~12% more bytes
ARCHIVE_OPERATOR = ""
ARCHIVE_COLLECTION = "turan"  # the warcinfo isPartOf
ARCHIVE_DESCRIPTION = "Turan Information Agency (turan.az) archived by turan-crawler"
EXTENSIONS = {
    "turan_crawler.archiving.extension.ArchiveExtension": 100,
    "turan_crawler.progress.ProgressExtension": 200,
}
TURAN_PROGRESS = False  # progress bars on stderr (the CLI turns them on at a terminal, unless --quiet)

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
