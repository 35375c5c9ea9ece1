"""The site rules that turn a block of paragraphs into the article text: where the text stops, and what
is peeled off its ends (title, byline, date line, author line, editor code) and recorded instead."""

from __future__ import annotations

from turan_crawler.extract import body as rules
from turan_crawler.sites import GENERIC, TURAN

TURAN_WORDS = rules.wording(TURAN.furniture)


def blocks(texts: list[str], groups: list[int] | None = None) -> list[rules.Block]:
    return [rules.Block(text, n, groups[n] if groups else n) for n, text in enumerate(texts)]


def peel(paragraphs: list[str], title: str | None = None) -> tuple[list[str], rules.Found]:
    found = rules.Found()
    return [block.text for block in rules.peel(blocks(paragraphs), title, found, TURAN_WORDS)], found


def read(found: rules.Found, texts: list[str], groups: list[int]) -> list[str]:
    return [block.text for block in rules.body_paragraphs(blocks(texts, groups), found, TURAN_WORDS)]


def test_title_byline_and_date_line_are_peeled_off_the_top_and_recorded():
    text, found = peel(
        [
            "Talks resume",
            "Kamran Mahmudov / Journalist",
            "26 August 2024, 17:13",
            "The talks resumed.",
            "More.",
        ],
        title="Talks resume",
    )
    assert text == ["The talks resumed.", "More."]
    assert found.byline == "Kamran Mahmudov"
    assert found.printed_date == "2024-08-26T17:13:00+04:00"


def test_editor_code_and_author_line_are_peeled_off_the_end():
    text, found = peel(["The talks resumed.", "Both sides agreed.", "Alex Raufoglu", "-06В-"])
    assert text == ["The talks resumed.", "Both sides agreed."]
    assert found.editor_code == "06В" and found.author_line == "Alex Raufoglu"


def test_an_editor_code_glued_to_the_last_sentence_is_cut_from_it():
    text, found = peel(["The talks resumed.", "Both sides agreed. -05D04-"])
    assert text == ["The talks resumed.", "Both sides agreed."] and found.editor_code == "05D04"


def test_a_sentence_is_never_taken_for_an_author_line():
    text, found = peel(["The talks resumed.", "Both sides agreed on a date."])
    assert text == ["The talks resumed.", "Both sides agreed on a date."] and found.author_line is None


def test_the_text_stops_at_the_paywall_marker_and_the_page_furniture():
    found = rules.Found()
    texts = ["The talks resumed.", "Please login or subscribe to read more", "Latest news"]
    assert read(found, texts, [0, 1, 2]) == ["The talks resumed."]
    assert found.paywalled


def test_furniture_before_the_text_is_skipped_whole():
    found = rules.Found()
    texts = ["Latest news", "An older story", "The talks resumed.", "More."]
    assert read(found, texts, [0, 0, 1, 1]) == ["The talks resumed.", "More."]


def test_the_agency_and_category_labels_are_not_authors():
    assert TURAN_WORDS.author_name("Turan") is None
    assert TURAN_WORDS.author_name("Politics") is None
    assert TURAN_WORDS.author_name("Alex Raufoglu") == "Alex Raufoglu"


def test_another_site_has_none_of_turans_words():
    generic = rules.wording(GENERIC.furniture)
    assert not generic.is_stop("Latest news") and not generic.is_paywall_marker(
        "Please login or subscribe to read more"
    )
    assert generic.byline.match("Kamran Mahmudov / Journalist") is None
