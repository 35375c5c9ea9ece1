"""The spiders: ``turan`` (the site crawl)."""
