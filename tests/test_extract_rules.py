"""One rule of extraction per test, on small pages built for it, where the corpus does not isolate the rule.

Each page has the furniture a real page has (a page header with today's date, a menu, a sidebar of latest
news with dates) unless the test is about one of those. Every test here was seen to fail with its rule
taken out of the extractor.
"""

from __future__ import annotations

import json

import pytest
from conftest import ARTICLE_URL, BODY, HTML, SITE, TEXT

from turan_crawler.extract import extract
from turan_crawler.extract.body import wording
from turan_crawler.extract.dates import month_number, parse_date_text, parse_dateline
from turan_crawler.sites import TURAN

WORDS = wording(TURAN.furniture)
LATEST = (
    '<aside class="side"><h3>Latest news</h3><ul>'
    + "".join(
        f'<li><a href="/en/economics/story-{n}-79010{n}">Story number {n} of the day</a> '
        f"<span>1{n} January 2026, 1{n}:05</span></li>"
        for n in range(5)
    )
    + "</ul></aside>"
)


def page(article: str, head: str = "", lang: str = "en", sidebar: str = LATEST, title: str = "") -> bytes:
    """A page of the site around ``article``: page header with today's date and a menu, a sidebar."""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        '<body><div class="top-bar">Wednesday, 21 February 2024</div>'
        f'<header class="top"><nav><a href="/{lang}">Home</a> <a href="/{lang}/politics">Politics</a> '
        f'<a href="/{lang}/economics">Economics</a></nav></header>'
        f'<main><div class="col">{article}</div>{sidebar}</main>'
        "<footer><p>© 1990-2026 Turan Information Agency</p></footer></body></html>"
    ).encode()


def read(html: bytes, url: str = ARTICLE_URL):
    return extract(url, html, HTML, TURAN)


def article_with(header: str = "", text: str = TEXT, after: str = "", title: str = "Talks Resume") -> bytes:
    return page(f"<article><h1>{title}</h1>{header}<div class='txt'>{text}</div>{after}</article>")


# -- what is not an article --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "lang,heading,message",
    [
        ("en", "Page not found", "The page you are looking for has been removed or never existed."),
        ("az", "Səhifə tapılmadı", "Axtardığınız səhifə silinib və ya heç vaxt mövcud olmayıb."),
        ("ru", "Страница не найдена", "Запрашиваемая страница была удалена или никогда не существовала."),
    ],
)
def test_a_not_found_page_served_with_status_200_is_an_error(lang, heading, message):
    html = page(f"<section><h1>{heading}</h1><p>{message} {message}</p></section>", lang=lang, title="Turan")
    result = read(html, f"{SITE}/{lang}/politics/removed-story-780000")
    assert result.article is None and result.reason == "error"


def test_an_article_whose_headline_says_not_found_is_still_an_article():
    text = TEXT * 4
    result = read(article_with(text=text, title="Missing Journalist Not Found After Three Days"))
    assert result.reason is None and result.article["title"].startswith("Missing Journalist")


def _teasers(count: int) -> str:
    return "".join(
        f'<div class="row"><h2><a href="/en/politics/story-{n}-7900{n:02d}">Story {n} of the week</a></h2>'
        f"<span>{n + 1} March 2024</span><p>A teaser of the story number {n}, cut short after a sentence "
        "or two so that a reader wants to open the whole article and read it to the end, where the "
        "agency's correspondent explains what happened and why.</p></div>"
        for n in range(count)
    )


def test_a_list_of_dated_teasers_is_a_listing_whatever_its_url():
    html = page(f"<h1>Lachin corridor</h1><p>News about the road.</p>{_teasers(6)}")
    result = read(html, f"{SITE}/en/politics/lachin-corridor-topic-790999")  # an article-shaped URL
    assert result.article is None and result.reason == "listing"
    assert len(result.links["article"]) == 6 + 5


def test_a_category_page_with_a_single_teaser_is_a_listing():
    html = page(f"<h1>Politics — Page 5</h1>{_teasers(1)}")
    result = read(html, f"{SITE}/en/politics/page/5")
    assert result.article is None and result.reason == "listing"


def test_a_short_article_linking_to_itself_is_no_teaser():
    post = (
        '<div class="post"><b>Talks Resume</b> <a href="/en/politics/talks-resume-in-washington-790001">'
        f"Permalink</a> <span>15 May 2023</span><p>{BODY}</p></div>"
    )
    article = read(page(post, title="Talks Resume | Turan")).article
    assert article is not None and article["published_at"] == "2023-05-15"


def test_a_two_line_notice_has_too_little_text():
    html = article_with(
        "<div>20 August 2025, 17:30</div>",
        "<p>The site will be down for maintenance tonight.</p><p>We apologise for the inconvenience.</p>",
    )
    result = read(html)
    assert result.article is None and result.reason == "no_text"


# Another site's pages are read by the generic rules (no URL grammar, no furniture words, trafilatura for the
# text): what a page is, is still read from its structure.
BLOG = "https://example.org"
BLOG_TEXT = (
    "<p>The boulevard along the Caspian was crowded on Sunday evening, as families walked in the cool wind "
    "and children queued for ice cream near the fountains.</p>"
    "<p>Prices in the old city have risen again this spring, and many small shops that sold carpets and "
    "copper have closed for good.</p>"
)
BLOG_BODY = (
    "The boulevard along the Caspian was crowded on Sunday evening, as families walked in the cool wind and "
    "children queued for ice cream near the fountains.\n\nPrices in the old city have risen again this "
    "spring, and many small shops that sold carpets and copper have closed for good."
)


def blog_page(main: str, title: str = "A Blog") -> bytes:
    """A page of a blog no site module owns: a menu, ``main``, a footer."""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'<nav><a href="/">Home</a> <a href="/about">About</a></nav><main>{main}</main>'
        "<footer>(c) A Blog</footer></body></html>"
    ).encode()


def dated_teasers(count: int) -> str:
    return "".join(
        f'<article><h2><a href="/2025/04/story-{n}">Story {n} of the week in the capital</a></h2>'
        f'<time datetime="2025-04-{n + 1:02d}">{n + 1} April 2025</time><p>A teaser of the story number {n}, '
        "cut short after a sentence or two so that a reader wants to open the whole article.</p></article>"
        for n in range(count)
    )


def test_a_soft_404_on_another_site_is_an_error():
    sorry = (
        "<p>Sorry, the page you were looking for could not be found. It may have been moved or deleted.</p>"
        "<p>Try the search box above or go back to the home page to find what you need.</p>"
    )
    html = blog_page(f"<h1>404: Page not found</h1>{sorry}", title="Page not found | A Blog")
    result = extract(f"{BLOG}/2025/05/missing", html, HTML)
    assert result.article is None and result.reason == "error"


def test_an_article_of_another_site_laid_out_in_tables_is_read_by_its_own_prose_block():
    """Table layouts (no <article>, no h1, the headline in <b>, the site's name in <title>) give the
    generic main-text extractor nothing: the page's own prose block is read instead."""
    sidebar = "".join(
        f'<tr><td class="s"><a href="/archive/{n}.html">Story {n} of the week</a><br>'
        f"<small>0{n + 1}.04.2025</small></td></tr>"
        for n in range(6)
    )
    html = (
        "<html><head><title>The Old Gazette :: Notes from Baku</title></head><body>"
        '<table width="100%"><tr><td>Wednesday, 14 May 2025</td><td><a href="/">The Old Gazette</a></td></tr>'
        '</table><table width="900"><tr><td width="200" valign="top"><table>'
        f'<tr><td><b>Latest stories</b></td></tr>{sidebar}</table></td><td valign="top">'
        '<font size="4"><b>Notes from Baku</b></font><br><font size="1">02.05.2025 08:00</font><br>'
        f"{BLOG_TEXT}</td></tr></table></body></html>"
    ).encode()
    result = extract(f"{BLOG}/archive/notes-from-baku.html", html, HTML)
    assert result.reason is None, result.reason  # not a listing for its sidebar of dated stories
    article = result.article
    assert article["title"] == "Notes from Baku" and article["body"] == BLOG_BODY
    assert article["published_at"].startswith("2025-05-02") and article["extracted_by"] == "generic"


def test_a_list_of_dated_teasers_on_another_site_is_a_listing():
    result = extract(f"{BLOG}/news", blog_page(f"<h1>News</h1>{dated_teasers(10)}"), HTML)
    assert result.article is None and result.reason == "listing"


def test_an_article_on_another_site_with_dated_teasers_beside_it_is_an_article():
    related = f"<section><h3>More from the blog</h3>{dated_teasers(5)}</section>"
    html = blog_page(f"<article><h1>Notes from Baku</h1>{BLOG_TEXT}</article>{related}")
    article = extract(f"{BLOG}/2025/05/notes-from-baku", html, HTML).article
    assert article["body"] == BLOG_BODY and article["lang"] == "en" and article["extracted_by"] == "generic"
    assert article["latest_news"] == [f"{BLOG}/2025/04/story-{n}" for n in range(5)]


# -- where the date comes from -------------------------------------------------------------------------
RELATED = (
    '<div class="more"><h4>More on this topic</h4>'
    + "".join(
        f'<p><a href="/en/politics/older-story-{n}-78000{n}">An older story {n}</a> Politics - 1{n} May 2023 16:21</p>'
        for n in range(3)
    )
    + "</div>"
)


def test_the_page_headers_date_of_today_is_not_the_articles():
    assert read(article_with()).article["published_at"] is None


def test_a_related_items_date_is_not_the_articles():
    related = '<p>See <a href="/en/politics/older-story-780001">An older story</a> of 15 May 2023 16:21</p>'
    assert read(article_with(after=related)).article["published_at"] is None
    assert read(article_with(after=RELATED)).article["published_at"] is None


def test_a_printed_on_date_is_not_the_articles():
    printed = "<div>Printed from turan.az on 21 Feb 2024, 10:12</div>"
    assert read(article_with(header=printed)).article["published_at"] is None
    assert read(article_with(after=printed)).article["published_at"] is None


def test_an_updated_date_is_not_the_publication_date():
    both = "<div>June 12, 2023 at 09:40 Updated: June 13, 2023 at 11:02</div>"
    assert read(article_with(both)).article["published_at"] == "2023-06-12T09:40:00+04:00"
    assert read(article_with("<div>Updated: 13 June 2023</div>")).article["published_at"] is None


def test_the_date_in_the_articles_header_is_taken_and_a_date_alone_stays_a_date():
    assert read(article_with("<div>Tuesday, 10 June 2025</div>")).article["published_at"] == "2025-06-10"
    timed = read(article_with("<div>10 June 2025, 09:15</div>")).article
    assert timed["published_at"] == "2025-06-10T09:15:00+04:00"


def test_a_time_element_in_the_header_beats_the_printed_date():
    header = '<time datetime="2018-06-28T11:40:00+00:00">28.06.2018 15:40</time>'
    assert read(article_with(header)).article["published_at"] == "2018-06-28T11:40:00+00:00"
    header = '<time datetime="2018-06-28T15:40">Thursday afternoon</time>'
    assert read(article_with(header)).article["published_at"] == "2018-06-28T15:40:00+04:00"


@pytest.mark.parametrize(
    "dateline,date",
    [
        ("Baku/28.06.18/Turan:", "2018-06-28"),
        ("Baku / 28.06.18 / Turan:", "2018-06-28"),
        ("Bakı/10.02.2023/Turan:", "2023-02-10"),
        ("Баку/14.07.21/Туран:", "2021-07-14"),
        ("New York/01.02.23/Turan:", "2023-02-01"),
        ("Gəncə/05.03.19/Turan:", "2019-03-05"),
    ],
)
def test_a_dateline_gives_the_date_in_every_shape(dateline, date):
    assert parse_dateline(f"{dateline} The talks opened.") == date
    text = TEXT.replace("<p>The foreign", f"<p>{dateline} The foreign", 1)
    assert read(article_with(text=text)).article["published_at"] == date


@pytest.mark.parametrize(
    "printed,iso",
    [
        ("May 15, 2023 16:21", "2023-05-15T16:21:00+04:00"),
        ("June 12, 2023 at 09:40", "2023-06-12T09:40:00+04:00"),
        ("05/15/2023", "2023-05-15"),  # only month first can be right
        ("03/04/2025", "2025-04-03"),  # ambiguous: day first, as the site prints dates
        ("21/02/2024 - 14:05", "2024-02-21T14:05:00+04:00"),
    ],
)
def test_month_first_dates_are_read_when_unambiguous(printed, iso):
    assert parse_date_text(printed) == iso
    assert read(article_with(f"<div>{printed}</div>")).article["published_at"] == iso


AZ_MONTHS = ["Yanvar", "Fevral", "Mart", "Aprel", "May", "İyun", "İyul", "Avqust", "Sentyabr", "Oktyabr"]
RU_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября"]


@pytest.mark.parametrize(
    "word,month",
    [(w, n) for n, w in enumerate(AZ_MONTHS + ["Noyabr", "Dekabr"], 1)]
    + [(w, n) for n, w in enumerate(RU_MONTHS + ["октября", "ноября", "декабря"], 1)]
    + [("Июнь", 6), ("ИЮЛЬ", 7), ("Sept", 9), ("avq", 8)],
)
def test_month_names_in_azerbaijani_and_russian(word, month):
    assert month_number(word) == month


@pytest.mark.parametrize(
    "printed,iso",
    [
        ("Çərşənbə axşamı, 10 İyun 2025", "2025-06-10"),
        ("Cümə axşamı, 12 İyul 2025, 10:00", "2025-07-12T10:00:00+04:00"),
        ("2025 İyun 10 ( Çərşənbə axşamı )  10:00:00", "2025-06-10T10:00:00+04:00"),
        ("Понедельник, 19 марта 2026 г., 15:32", "2026-03-19T15:32:00+04:00"),
        ("14 июль 2021 12:24", "2021-07-14T12:24:00+04:00"),
    ],
)
def test_azerbaijani_and_russian_weekdays_and_months_are_read(printed, iso):
    assert read(article_with(f"<div>{printed}</div>")).article["published_at"] == iso


@pytest.mark.parametrize(
    "line", ["Çərşənbə axşamı, 10 İyun 2025", "Среда, 10 июня 2025, 10:00", "Tuesday, June 10, 2025 at 10:00"]
)
def test_a_date_line_opening_the_text_is_not_text(line):
    article = read(article_with(text=f"<p>{line}</p>{TEXT}")).article
    assert article["body"] == BODY and article["published_at"].startswith("2025-06-10")


# -- what is body text ---------------------------------------------------------------------------------
def test_captions_are_not_text():
    text = (
        TEXT + '<figure><img src="/a.jpg"><figcaption>The ministers at the table. Photo: State Department'
        "</figcaption></figure>"
        '<p><img src="/b.jpg"></p><p><em>Protesters outside the parliament on Tuesday.</em></p>'
        '<p><img src="/c.jpg"><br><small>Containers waiting at the port of Alat.</small></p>'
    )
    assert read(article_with(text=text)).article["body"] == BODY


@pytest.mark.parametrize("credit", ["Foto: Turan", "Фото: Туран", "Photo: State Department"])
def test_photo_credits_are_not_text(credit):
    text = f"<p>{credit}</p>" + TEXT
    assert read(article_with(text=text)).article["body"] == BODY


@pytest.mark.parametrize(
    "embed",
    [
        '<blockquote class="twitter-tweet"><p>Peace is within reach, we will keep working with both sides '
        'to get there.</p>— Desk (@Desk) <a href="https://twitter.com/Desk/status/1">June 11, 2023</a>'
        "</blockquote>",
        "<blockquote><p>Yeni piyada küçəmiz hazırdır! Həftəsonu hamınızı gəzintiyə dəvət edirik, gəlin.</p>"
        '<a href="https://www.instagram.com/p/C3m8xYzN2aB/">Bu paylaşımı Instagram-da göstər</a></blockquote>',
        '<blockquote cite="https://www.facebook.com/port/posts/1"><p>Another record quarter for the port, '
        "thank you to all our partners along the corridor.</p>Posted by Port</blockquote>",
        '<blockquote data-telegram-post="union/214"><div>Наш товарищ задержан в Гяндже. Требуем немедленно '
        'освободить его!</div><a href="https://t.me/union/214">t.me/union/214</a></blockquote>',
        '<p><iframe src="https://www.youtube.com/embed/x">Watch the press briefing of the department on '
        "YouTube right now</iframe></p>",
        '<amp-twitter data-tweetid="1"><blockquote placeholder>Another unjust verdict in Baku today, two young '
        "activists get four years.</blockquote></amp-twitter>",
    ],
)
def test_embedded_posts_are_not_text(embed):
    text = TEXT.replace("</p>", f"</p>{embed}", 1)
    assert read(article_with(text=text)).article["body"] == BODY


def test_a_share_bar_is_not_text():
    share = (
        '<div class="s"><span>Share this article with friends:</span><a href="https://www.facebook.com/'
        'sharer.php?u=x">f</a><a href="https://x.com/intent/tweet?url=x">x</a><a href="https://t.me/share/url'
        '?url=x">t</a></div>'
    )
    assert read(article_with(text=TEXT + share)).article["body"] == BODY


def test_a_newsletter_box_is_not_text():
    box = (
        "<div><h3>Subscribe to our newsletter</h3><p>The day's main stories from Turan in your inbox every "
        'morning.</p><form action="/newsletter"><input type="email" name="email"><button>Subscribe</button>'
        "</form></div>"
    )
    article = read(article_with(text=TEXT.replace("</p>", "</p>" + box, 1))).article
    assert article["body"] == BODY and article["paywalled"] == 0


def test_a_paywall_marker_split_by_links_inside_its_words_is_recognised():
    text = (
        TEXT + '<p>Please <a href="/login">log</a>in or <a href="/subscribe">sub</a>scribe to read more</p>'
    )
    article = read(article_with(text=text)).article
    assert article["paywalled"] == 1 and article["body"] == BODY


def test_the_paywall_marker_is_recognised_with_the_login_buttons_label_after_it():
    locked = (
        '<div class="lock"><b>Please login or subscribe to read more.</b> <a href="/login">Login</a></div>'
    )
    article = read(article_with(text=TEXT, after=locked)).article
    assert article["paywalled"] == 1 and article["body"] == BODY


@pytest.mark.parametrize(
    "line", ["Telegram kanalımıza abunə olun.", "Subscribe to read our digest every Friday."]
)
def test_a_line_of_the_text_asking_readers_to_subscribe_is_no_paywall(line):
    article = read(article_with(text=TEXT.replace("</p>", f"</p><p>{line}</p>", 1))).article
    assert article["paywalled"] == 0 and article["body"] == BODY.replace("\n\n", f"\n\n{line}\n\n")


def test_an_editor_code_split_by_a_tag_is_recognised():
    article = read(article_with(text=TEXT + "<p>-<b>06</b>D-</p>")).article
    assert article["editor_code"] == "06D" and article["body"] == BODY


def test_a_word_split_by_an_inline_tag_gains_no_space():
    text = TEXT.replace("Washington", '<a href="/en/tag/x">Washing</a>ton')
    assert read(article_with(text=text)).article["body"] == BODY


@pytest.mark.parametrize("review", ["Leave a review (2)", "Rəy yazın", "Написать отзыв (0)"])
def test_review_links_end_the_text_in_every_variant(review):
    text = (
        TEXT + f'<div><a href="#review">{review}</a></div><p>Comments of readers would follow here, long.</p>'
    )
    assert read(article_with(text=text)).article["body"] == BODY


def test_a_read_also_line_is_not_text():
    also = (
        '<p><strong>Read also:</strong> <a href="/en/politics/rules-for-border-commissions-785700">Baku and '
        "Yerevan Agree on Rules for Border Commissions</a></p>"
    )
    assert read(article_with(text=TEXT.replace("</p>", "</p>" + also, 1))).article["body"] == BODY


# -- bytes to text -------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_page_in_utf16_with_a_byte_order_mark_is_read_whatever_the_header_says(encoding):
    html = "\ufeff".encode(encoding) + article_with().decode().replace('<meta charset="utf-8">', "").encode(
        encoding
    )
    article = extract(ARTICLE_URL, html, {"Content-Type": "text/html; charset=iso-8859-1"}, TURAN).article
    assert article["title"] == "Talks Resume" and article["body"] == BODY


def test_valid_utf8_is_utf8_even_under_a_latin1_header():
    html = article_with(title="Danışıqlar bərpa olunur")
    article = extract(ARTICLE_URL, html, {"Content-Type": "text/html; charset=iso-8859-1"}, TURAN).article
    assert article["title"] == "Danışıqlar bərpa olunur"


def test_windows1251_bytes_under_a_utf8_header_are_read_by_their_meta_charset():
    html = article_with(title="Переговоры возобновились").decode()
    html = html.replace('<meta charset="utf-8">', '<meta charset="windows-1251">').encode("cp1251")
    assert read(html).article["title"] == "Переговоры возобновились"


# -- title ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cut", ["Talks Resume in Washington as Ministers Me...", "Talks Resume in Washington…"]
)
def test_a_metadata_headline_cut_short_loses_to_the_visible_one(cut):
    full = "Talks Resume in Washington as Ministers Meet Again"
    head = f'<meta property="og:title" content="{cut}">'
    html = page(f"<article><h1>{full}</h1><div>{TEXT}</div></article>", head=head)
    assert read(html).article["title"] == full


@pytest.mark.parametrize(
    "title",
    ["Talks Resume | Turan", "Turan :: Talks Resume", "Talks Resume - Turan.az", "Talks Resume | ИА Туран"],
)
def test_the_site_name_is_cut_from_the_page_title(title):
    html = page(f"<div class='print'><b>Talks Resume</b></div><div>{TEXT}</div>", title=title)
    assert read(html).article["title"] == "Talks Resume"


# -- author --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "byline,name",
    [
        ("By John Smith, Washington", "John Smith"),
        ("Kamran Mahmudov, Baku", "Kamran Mahmudov"),
        ("Müəllif: Səbinə Qasımlı", "Səbinə Qasımlı"),
        ("Автор: Нигяр Салманова", "Нигяр Салманова"),
        ("Gunel Safarova / Journalist", "Gunel Safarova"),
        ("Эльмира Ахмедова / Корреспондент", "Эльмира Ахмедова"),
        ("by Jane Doe", "Jane Doe"),
    ],
)
def test_a_byline_with_a_place_role_or_label_gives_the_person(byline, name):
    assert WORDS.author_name(byline) == name
    header = f'<div class="meta"><span>{byline}</span> · <span>15 May 2023 16:21</span></div>'
    assert read(article_with(header)).article["author"] == name


def test_a_credit_with_by_is_no_byline():
    header = "<div>Photos by Reuters</div><div>By Jane Doe · 15 May 2023 16:21</div>"
    assert read(article_with(header)).article["author"] == "Jane Doe"


@pytest.mark.parametrize(
    "head,header",
    [
        (
            '<script type="application/ld+json">{"@type":"NewsArticle","author":{"@type":"Person","name":"Turan"}}'
            "</script>",
            "",
        ),
        ('<meta name="author" content="ИА Туран">', ""),
        ("", "<div>By Turan</div>"),
        ("", "<div>Turan Information Agency · 26 August 2024, 17:13</div>"),
    ],
)
def test_the_agency_is_never_an_author(head, header):
    html = page(f"<article><h1>Talks Resume</h1>{header}<div>{TEXT}</div></article>", head=head)
    assert read(html).article["author"] is None


def test_text_the_site_rules_cannot_place_is_read_by_the_generic_fallback():
    prose = " ".join(
        ["The ministers met again in Washington on Monday and agreed to continue the talks."] * 4
    )
    html = f"<html><head><title>Talks Resume | Turan</title></head><body>{prose}<br>{prose}</body></html>"
    article = read(html.encode()).article
    assert article["extracted_by"] == "generic" and article["title"] == "Talks Resume"
    assert "agreed to continue" in article["body"]


def test_the_lead_image_is_the_articles_not_its_publishers_logo():
    graph = [
        {"@type": "Organization", "name": "Turan", "image": "/img/logo.png"},
        {
            "@type": "NewsArticle",
            "headline": "Talks Resume",
            "image": {"@type": "ImageObject", "url": "/talks.jpg"},
        },
    ]
    head = f'<script type="application/ld+json">{json.dumps({"@graph": graph})}</script>'
    html = page(f"<article><h1>Talks Resume</h1><div>{TEXT}</div></article>", head=head)
    assert read(html).article["image_url"] == f"{SITE}/talks.jpg"


# -- links ---------------------------------------------------------------------------------------------
def _listing(url_path: str, pager: str, head: str = "") -> dict:
    html = page(f"<h1>Politics</h1>{_teasers(6)}<div class='pager'>{pager}</div>", head=head)
    return read(html, f"{SITE}{url_path}").links


def test_next_pages_in_query_style():
    links = _listing("/en/politics?page=2", '<a href="?page=1">1</a> <a href="?page=3">3</a>')
    assert links["next_page"] == [f"{SITE}/en/politics?page=1", f"{SITE}/en/politics?page=3"]


def test_next_pages_in_path_style_with_rel_next_numbers_and_words():
    head = '<link rel="next" href="/en/politics/page/3">'
    pager = '<a href="/en/politics">1</a> <a href="/en/politics/page/3">Older »</a> <a href="/en/social">Social</a>'
    links = _listing("/en/politics/page/2", pager, head)
    assert links["next_page"] == [f"{SITE}/en/politics/page/3", f"{SITE}/en/politics"]
    assert _listing("/en/politics/2", '<a href="/en/politics/3">›</a>')["next_page"] == [
        f"{SITE}/en/politics/3"
    ]


@pytest.mark.parametrize("label", ["Növbəti", "Следующая ›", "Next", "→", "»"])
def test_next_page_anchors_in_three_languages_and_as_arrows(label):
    links = _listing("/az/siyaset", f'<a href="/az/siyaset/page/2">{label}</a>')
    assert links["next_page"] == [f"{SITE}/az/siyaset/page/2"]


def test_pages_of_another_listing_are_not_next_pages():
    pager = '<a href="/en/economics/page/2">2</a> <a href="/en/archive/2017/10/01.htm">1</a>'
    assert _listing("/en/politics", pager)["next_page"] == []


def test_listing_links_are_the_sites_other_listings_not_articles_files_or_service_pages():
    extra = (
        '<a href="/en/news-line">News Line</a> <a href="/en/archive/2024-02-21">Archive</a> '
        '<a href="/en/about">About us</a> <a href="/storage/report.pdf">Report</a> '
        '<a href="https://facebook.com/turan">Facebook</a> <a href="/en/politics/story-1-790001">Story</a>'
    )
    html = page(f"<h1>Turan</h1>{_teasers(6)}<div>{extra}</div>")
    links = read(html, f"{SITE}/en").links
    assert links["listing"] == [
        f"{SITE}/en/politics",
        f"{SITE}/en/economics",
        f"{SITE}/en/news-line",
        f"{SITE}/en/archive/2024-02-21",
    ]


def test_latest_and_related_blocks_are_found_by_structure_whatever_their_heading():
    fresh = LATEST.replace("Latest news", "Fresh from the agency").replace("/economics/", "/social/", 2)
    html = page(f"<article><h1>Talks Resume</h1><div>{TEXT}</div>{RELATED}</article>", sidebar=fresh)
    article = read(html).article
    assert len(article["latest_news"]) == 5 and len(article["related"]) == 3
    assert all("/en/politics/older-story-" in url for url in article["related"])


def test_a_latest_news_heading_directly_in_the_page_body_heads_its_links():
    latest = "".join(
        f'<p><a href="/en/economics/story-{n}-79010{n}">Story {n}</a><br>0{n + 1}.Jan.2026</p>'
        for n in range(3)
    )
    html = (
        f"<html><body><h1>Talks Resume</h1>{TEXT}<p>Latest news</p>{latest}<p>14 Jan 2026</p></body></html>"
    )
    article = read(html.encode()).article
    assert len(article["latest_news"]) == 3 and article["published_at"] is None and article["body"] == BODY


def test_hreflang_alternates_are_translations_but_a_links_own_language_is_not():
    head = '<link rel="alternate" hreflang="az" href="/az/siyaset/danisiqlar-790002">'
    own = '<p><a hreflang="en" href="/en/economics/other-790003">Other</a></p>'
    html = page(f"<article><h1>Talks Resume</h1><div>{TEXT}</div>{own}</article>", head=head)
    assert read(html).links["translation"] == [f"{SITE}/az/siyaset/danisiqlar-790002"]


def test_links_in_any_scheme_but_http_are_never_followed_whatever_their_case():
    head = (
        '<link rel="alternate" hreflang="az" href="JAVASCRIPT:alert(1)">'
        '<link rel="alternate" hreflang="ru" href="Data:text/html,<b>x</b>">'
    )
    own = '<p><a hreflang="ru" href="VBScript:MsgBox(1)">RU</a> <a href="java\nscript:alert(1)">AZ</a></p>'
    links = read(page(f"<article><h1>Talks Resume</h1><div>{TEXT}</div>{own}</article>", head=head)).links
    assert links["translation"] == []
    assert all(url.startswith(f"{SITE}/") for kind in ("article", "listing") for url in links[kind])


def test_links_are_resolved_against_the_pages_base_href():
    relative = LATEST.replace('href="/en/economics/', 'href="en/economics/')
    html = page(
        f"<article><h1>Talks Resume</h1><div>{TEXT}</div></article>", head='<base href="/">', sidebar=relative
    )
    article = read(html).article
    assert article["latest_news"] == [f"{SITE}/en/economics/story-{n}-79010{n}" for n in range(5)]


def test_a_base_href_that_is_no_url_is_ignored():
    html = page(
        f"<article><h1>Talks Resume</h1><div>{TEXT}</div></article>", head='<base href="http://[::1">'
    )
    result = read(html)
    assert result.article["body"] == BODY and len(result.article["latest_news"]) == 5


def test_json_ld_not_accessible_for_free_marks_a_paywall():
    head = (
        '<script type="application/ld+json">'
        + json.dumps({"@type": "NewsArticle", "headline": "Talks Resume", "isAccessibleForFree": "False"})
        + "</script>"
    )
    html = page(f"<article><h1>Talks Resume</h1><div>{TEXT}</div></article>", head=head)
    assert read(html).article["paywalled"] == 1
