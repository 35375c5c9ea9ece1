"""The project's own Scrapy signal.

``facts_recorded(facts, spider)``: a spider hands the archive what it learnt from a page or a failed
fetch (links, a verdict on a capture, a removal, a failure; see ``recording.py``). Articles travel as
items instead (``item_scraped``), so feed exports see only articles.
"""

facts_recorded = object()
