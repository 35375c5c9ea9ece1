"""Extraction on a corpus of hand-written pages in markups nobody tuned the parser on.

tests/fixtures/corpus/ holds pages as other layouts of turan.az might serve them (a WordPress-like CMS, an old
table layout, AMP, print views, the Bootstrap layout others' scrapers describe, a server-rendered JS app, a
Drupal-like portal), and expected.json says, for each, what a careful human reader of the page would write
down: every field of the article, or why the page is not one. See tests/fixtures/corpus/README.md.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from turan_crawler.extract import parse_article, why_not_article
from turan_crawler.replica.site import TRUTH_FIELDS

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
ENTRIES = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
FIELDS = (
    *TRUTH_FIELDS,
    "image_url",
)  # every field of an article the replica's truth states, and its lead image
REASONS = {"error", "listing", "no_text"}

# Every class of page the corpus must exercise: a tag in some entry's "checks".
REQUIRED_CHECKS = {
    # not articles
    "error_200",
    "listing",
    "too_little_text",
    # where the date comes from, and where it must not
    "date_jsonld",
    "date_meta_property",
    "date_meta_name_og",
    "date_time_element",
    "date_header_byline",
    "dateline_body",
    "dateline_spaced",
    "date_month_first",
    "date_az_names",
    "date_ru_genitive",
    "date_not_from_related",
    "date_not_from_header_today",
    "date_null",
    "date_only",
    # what the body leaves out
    "excl_figcaption",
    "excl_caption_after_image",
    "excl_photo_credit",
    "excl_embed_twitter",
    "excl_embed_instagram",
    "excl_embed_facebook",
    "excl_embed_telegram",
    "excl_embed_youtube",
    "excl_share_bar",
    "excl_newsletter",
    # markers split by inline tags
    "paywall_split",
    "editor_code_split",
    "review_variants",
    # titles
    "title_truncated_meta",
    "title_site_suffix",
    "title_no_h1",
    # authors
    "author_by_city",
    "author_name_city",
    "author_az_label",
    "author_ru_label",
    "author_agency_null",
    "author_role",
}


def _case(entry):
    return entry["url"], (CORPUS / entry["file"]).read_bytes(), entry["headers"]


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_corpus_page(entry):
    url, body, headers = _case(entry)
    got = parse_article(url, body, headers)
    if "not_article" in entry:
        shown = None if got is None else {f: got.get(f) for f in ("title", "published_at", "word_count")}
        assert got is None, f"{entry['file']}: expected not an article ({entry['not_article']}), got {shown}"
        assert why_not_article(url, body, headers) == entry["not_article"]
        return
    want = entry["article"]
    assert got is not None, f"{entry['file']}: no article ({why_not_article(url, body, headers)})"
    wrong = [
        f"{field}: expected {want[field]!r}, got {got.get(field)!r}"
        for field in FIELDS
        if got.get(field) != want[field]
    ]
    assert not wrong, f"{entry['file']}:\n" + "\n".join(wrong)


def test_corpus_covers_every_class():
    assert len(ENTRIES) >= 30
    files = [e["file"] for e in ENTRIES]
    assert len(set(files)) == len(files)
    markups = Counter(e["markup"] for e in ENTRIES)
    assert len(markups) >= 5, markups
    assert all(e["file"].startswith(e["markup"] + "/") for e in ENTRIES)
    checks = Counter(tag for e in ENTRIES for tag in e["checks"])
    assert not REQUIRED_CHECKS - set(checks), sorted(REQUIRED_CHECKS - set(checks))
    # "several pages each" for the page kinds, and all three languages among them
    reasons = Counter(e["not_article"] for e in ENTRIES if "not_article" in e)
    assert reasons["error"] >= 3 and reasons["listing"] >= 5 and reasons["no_text"] >= 2, reasons
    errors = {e["url"].split("/")[3] for e in ENTRIES if e.get("not_article") == "error"}
    assert {"en", "az", "ru"} <= errors
    langs = Counter(e["article"]["lang"] for e in ENTRIES if "article" in e)
    assert min(langs[lang] for lang in ("en", "az", "ru")) >= 3, langs


@pytest.mark.parametrize("entry", [e for e in ENTRIES if "article" in e], ids=lambda e: e["file"])
def test_expected_entry_is_well_formed(entry):
    """The expected values obey the corpus rules (README), so a failure above is the parser's, not a typo's."""
    a = entry["article"]
    assert set(a) == set(FIELDS)
    assert (CORPUS / entry["file"]).is_file()
    assert a["word_count"] == len(a["body"].split())
    for paragraph in a["body"].split("\n\n"):
        assert paragraph and paragraph == " ".join(paragraph.split())
    assert a["paywalled"] in (0, 1)
    assert a["lang"] in ("en", "az", "ru") and a["text_lang"] in ("en", "az", "ru")
    if a["published_at"] is not None:
        assert len(a["published_at"]) == 10 or a["published_at"][-6] in "+-", a["published_at"]
    if a["editor_code"] is not None:
        assert "-" not in a["editor_code"]
    assert a["image_url"] is None or a["image_url"].startswith("https://turan.az/")


def test_not_article_entries_name_a_reason():
    for entry in ENTRIES:
        assert ("article" in entry) != ("not_article" in entry), entry["file"]
        if "not_article" in entry:
            assert entry["not_article"] in REASONS, entry["file"]
