"""The archive: its folder, lock, writer thread, Scrapy extension, run bookkeeping and repair."""
