"""The sizes nothing is read beyond, raw or inflated (DESIGN.md, principle 6), in one place: the WARC
reader and the gzip member reader both bound what they inflate by them."""

MAX_BODY = 64 * 1024 * 1024  # the crawl's DOWNLOAD_MAXSIZE: no body is read beyond it, raw or decoded
MAX_MEMBER = MAX_BODY + 16 * 1024 * 1024  # a gzip member: one record, its body as received, its headers
