"""The baseline: Scrapy fetching a fixed list of URLs, with no parsing, no WARC and no SQLite.

scrapy runspider benchmarks/bare_spider.py -a urls=FILE
"""

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: str = "", **kwargs):
        super().__init__(**kwargs)
        with open(urls, encoding="utf-8") as fh:
            self.url_list = [line.strip() for line in fh if line.strip()]

    async def start(self):
        for url in self.url_list:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response):
        return None
