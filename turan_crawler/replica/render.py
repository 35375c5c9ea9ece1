"""HTML of the replica's pages: articles, front pages, news lines, category pages, robots.txt, sitemaps.

The markup is the replica's own guess at a Laravel-era news site. Pages carry the real site's furniture
(menus, inline CSS and scripts, social blocks) so that an article page weighs ~100-200 KB, as on turan.az.
"""

from __future__ import annotations

import html
import json
import random
from datetime import datetime
from functools import cache

from . import texts
from .site import Article, Site

PAGE_SIZE = 20
LATEST_COUNT = 10
esc = html.escape


def format_date(lang: str, when: datetime, genitive: bool = False, comma: bool = False) -> str:
    """An article date as the site prints it: '26 August 2024, 17:13', '27 Avqust 2016 11:21', ..."""
    if lang == "ru":
        month = texts.MONTHS["ru_gen" if genitive else "ru_nom"][when.month - 1]
    else:
        month = texts.MONTHS[lang][when.month - 1]
    sep = ", " if comma else " "
    return f"{when.day:02d} {month} {when.year}{sep}{when:%H:%M}"


def format_today(lang: str, when: datetime) -> str:
    """The header's 'today' line: 'Wednesday, 14 January 2026'. Never an article's date."""
    weekday = texts.WEEKDAYS[lang][when.weekday()]
    month = texts.MONTHS["ru_nom" if lang == "ru" else lang][when.month - 1]
    return f"{weekday}, {when.day} {month} {when.year}"


def format_short(when: datetime) -> str:
    """The Latest-news date: '09.Jan.2026'."""
    return f"{when.day:02d}.{texts.SHORT_MONTHS_EN[when.month - 1]}.{when.year}"


@cache
def boilerplate(lang: str) -> tuple[str, str]:
    """(head extras, footer) for a language: inline CSS, an SVG sprite, menus and a config script."""
    rng = random.Random(f"boilerplate:{lang}")
    css = "\n".join(
        f".c{n}{{margin:{rng.randint(0, 40)}px {rng.randint(0, 40)}px;color:#{rng.randrange(16**6):06x};"
        f"font-size:{rng.randint(10, 30)}px;line-height:1.{rng.randint(1, 9)}}}"
        for n in range(1400)
    )
    sprite = "".join(
        f'<symbol id="i{n}" viewBox="0 0 24 24"><path d="M{rng.randint(0, 24)} {rng.randint(0, 24)}'
        + "".join(f" L{rng.randint(0, 24)} {rng.randint(0, 24)}" for _ in range(30))
        + ' Z"/></symbol>'
        for n in range(120)
    )
    config = json.dumps(
        {
            "locale": lang,
            "tracking": [rng.randrange(10**9) for _ in range(1500)],
            "routes": {f"r{n}": f"/{lang}/route/{n}" for n in range(300)},
        }
    )
    head = f"<style>{css}</style>\n<script>window.__APP__ = {config};</script>"
    menu = "".join(
        f'<li><a href="/{lang}/{slug}">{esc(label)}</a></li>' for slug, label in texts.CATEGORIES[lang]
    )
    words = texts.FURNITURE[lang]
    footer = (
        f'<svg style="display:none">{sprite}</svg>'
        f'<div class="social-block"><p>{words["follow"]}</p><a href="https://facebook.com/turan">Facebook</a> '
        f'<a href="https://x.com/turan">X</a> <a href="https://t.me/turan">Telegram</a></div>'
        f'<footer class="site-footer"><ul class="menu">{menu}</ul><p>© 1990-2026 Turan Information Agency'
        f"</p></footer>"
    )
    return head, footer


def _menu(lang: str) -> str:
    words = texts.FURNITURE[lang]
    cats = "".join(
        f'<li><a href="/{lang}/{slug}">{esc(label)}</a></li>' for slug, label in texts.CATEGORIES[lang]
    )
    langs = "".join(f'<a class="lang" href="/{code}">{code.upper()}</a>' for code in texts.LANGS)
    return (
        f'<nav class="main-menu"><ul><li><a href="/{lang}/news-line">{words["newsline"]}</a></li>{cats}'
        f'</ul><div class="langs">{langs}</div><form action="/search"><input name="q" '
        f'placeholder="{words["search"]}"></form></nav>'
    )


def _latest_block(site: Site, lang: str) -> str:
    words = texts.FURNITURE[lang]
    items = "".join(
        f'<a class="latest-item" href="{a.path}"><div class="latest-title">{esc(a.title)}</div>'
        f'<div class="latest-date">{format_short(a.published)}</div></a>'
        for a in site.live_articles(lang)[:LATEST_COUNT]
    )
    return f'<aside class="latest-news"><h3>{words["latest"]}</h3>{items}</aside>'


def _page(site: Site, lang: str, title: str, head: str, main: str, header_line: str | None = None) -> str:
    extra_head, footer = boilerplate(lang)
    words = texts.FURNITURE[lang]
    line = header_line if header_line is not None else format_today(lang, site.now)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>{esc(title)}</title>\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n{head}\n{extra_head}\n</head>\n'
        f'<body>\n<header class="site-header"><div class="top-date">{esc(line)}</div>'
        f'<a class="logo" href="/{lang}"><img src="/img/logo.svg" alt="Turan"></a>{_menu(lang)}</header>\n'
        f'<main class="container">\n{main}\n{_latest_block(site, lang)}\n'
        f'<div class="page-date">{site.now.day} {texts.SHORT_MONTHS_EN[site.now.month - 1]} {site.now.year}</div>\n'
        f'<div class="in-focus-title">{words["focus"]}</div>\n</main>\n{footer}\n</body>\n</html>\n'
    )


def _metadata(art: Article, base: str, translations: list[tuple[str, str]]) -> str:
    url = base + art.path
    tags = [f'<link rel="canonical" href="{url}">']
    for other_path, other_lang in translations:
        tags.append(f'<link rel="alternate" hreflang="{other_lang}" href="{base}{other_path}">')
    if art.metadata == "og":
        tags += [
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{esc(art.title)}">',
            f'<meta property="og:url" content="{url}">',
            f'<meta property="article:published_time" content="{art.published.isoformat()}">',
            f'<meta property="article:section" content="{esc(art.category)}">',
        ]
        if art.author:
            tags.append(f'<meta name="author" content="{esc(art.author)}">')
    elif art.metadata in ("jsonld", "graph"):
        author = (
            {"@type": "Person", "name": art.author}
            if art.author
            else {"@type": "Organization", "name": "Turan Information Agency"}
        )
        doc = {
            "@type": "NewsArticle",
            "headline": art.title,
            "datePublished": art.published.isoformat(),
            "author": author,
            "articleSection": art.category,
            "inLanguage": art.text_lang,
            "mainEntityOfPage": url,
            "publisher": {"@type": "Organization", "name": "Turan"},
        }
        if art.metadata == "graph":
            doc = {"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "url": base + "/"}, doc]}
        else:
            doc = {"@context": "https://schema.org", **doc}
        tags.append(f'<script type="application/ld+json">{json.dumps(doc, ensure_ascii=False)}</script>')
    return "\n".join(tags)


def _body_html(art: Article) -> str:
    paragraphs = art.paragraphs if not art.paywalled else [art.teaser]
    parts = []
    for n, text in enumerate(paragraphs):
        last = n == len(paragraphs) - 1
        if art.live and len(text) == 16 and text[4] == "-":
            parts.append(f"<p><strong>{text}</strong></p>")
            continue
        if last and art.editor_code_printed and art.editor_code_inline and not art.paywalled:
            parts.append(f"<p>{esc(text)} {art.editor_code_printed}</p>")
        else:
            parts.append(f"<p>{esc(text)}</p>")
    if art.editor_code_printed and not art.editor_code_inline and not art.paywalled:
        parts.append(f"<p>{art.editor_code_printed}</p>")
    return "\n".join(parts)


def article_page(site: Site, art: Article, base: str) -> str:
    """The full HTML of an article page."""
    lang, words = art.lang, texts.FURNITURE[art.lang]
    translations = [(site.articles[i].path, site.articles[i].lang) for i in art.translations]
    header_line = words["updated"].format(n=art.index % 23 + 1) if art.header_style == "updated" else None
    title = esc(art.title)
    parts = [
        f'<div class="news-inner" data-id="{art.article_id or ""}">',
        f'<div class="news-img"><img src="/storage/news/{art.published:%Y/%m/%d}/{art.index}.jpg" '
        f'alt="{title}"></div>',
        f'<h1 class="news-title">{title}</h1>',
    ]
    if art.title_twice:
        parts.append(f'<div class="news-title-second">{title}</div>')
    if art.author_style == "byline":
        parts.append(
            f'<div class="news-byline"><a href="/{lang}/author/{art.index % 7}">{esc(art.author)}</a>'
            f" / {words['journalist']}</div>"
        )
    parts.append(
        f'<div class="news-date">'
        f"{format_date(lang, art.published, art.ru_genitive, comma=art.index % 2 == 0)}</div>"
    )
    parts.append(f'<div class="news-content">\n{_body_html(art)}\n</div>')
    if art.paywalled:
        parts.append(
            f'<div class="subscribe-box"><p>{texts.PAYWALL_MARKER[lang]}</p><a href="/login">Login</a></div>'
        )
    if art.author_style == "after":
        parts.append(f'<p class="news-author"><b>{esc(art.author)}</b></p>')
    parts.append(f'<div class="news-review"><a href="#review">{words["review"]}</a></div>')
    parts.append(
        f'<div class="news-category"><a href="/{lang}/{art.category_slug}">{esc(art.category)}</a></div>'
    )
    if art.translations:
        parts.append(
            '<div class="news-langs">'
            + "".join(
                f'<a hreflang="{p_lang}" href="{path}">{p_lang.upper()}</a>' for path, p_lang in translations
            )
            + "</div>"
        )
    parts.append(f'<a class="print" href="/print{art.path}">{words["print"]}</a>')
    parts.append("</div>")
    related = [a for a in site.live_articles(lang, art.category_slug) if a is not art][:4]
    parts.append(
        f'<div class="related-news"><h3>{words["related"]}</h3>'
        + "".join(
            f'<div class="related-item"><a href="{a.path}">{esc(a.title)}</a>'
            f"<span>{esc(a.category)} - {format_date(lang, a.published)}</span></div>"
            for a in related
        )
        + "</div>"
    )
    head = _metadata(art, base, translations)
    return _page(site, lang, f"{art.title} | Turan", head, "\n".join(parts), header_line)


def listing_page(
    site: Site, lang: str, path: str, title: str, items: list[Article], page: int, extra: str = ""
) -> str:
    """A front page, news line or category page: items with dates, then pagination links."""
    pages = max(1, -(-len(items) // PAGE_SIZE))
    chunk = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    rows = "".join(
        f'<div class="news-list-item"><a href="{a.path}"><h3>{esc(a.title)}</h3></a>'
        f'<span class="date">{format_date(lang, a.published)}</span>'
        f'<a class="cat" href="/{lang}/{a.category_slug}">{esc(a.category)}</a></div>'
        for a in chunk
    )
    nav = []
    if page > 1:
        nav.append(f'<a rel="prev" href="{path}?page={page - 1}">&laquo;</a>')
    for n in range(max(1, page - 3), min(pages, page + 3) + 1):
        nav.append(f'<a href="{path}?page={n}">{n}</a>' if n != page else f"<span>{n}</span>")
    if page < pages:
        nav.append(f'<a rel="next" href="{path}?page={page + 1}">&raquo;</a>')
    main = (
        f'<h1 class="page-title">{esc(title)}</h1>{extra}<div class="news-list">{rows}</div>'
        f'<div class="pagination">{"".join(nav)}</div>'
    )
    return _page(site, lang, f"{title} | Turan", "", main)


def robots_txt(base: str) -> str:
    lines = [
        "User-agent: *",
        "Disallow: /_replica/",
        "Disallow: /search",
        "Disallow: /print/",
        "Disallow: /en/closed/",
        "",
    ]
    lines += [f"Sitemap: {base}/storage/sitemap/{lang}/sitemap_index_0.xml" for lang in texts.LANGS]
    return "\n".join(lines) + "\n"


def sitemap_index(base: str, lang: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base}/storage/sitemap/{lang}/sitemap_0.xml</loc></sitemap></sitemapindex>\n"
    )


def sitemap(site: Site, base: str, lang: str) -> str:
    urls = "".join(
        f"<url><loc>{base}{a.path}</loc><lastmod>{a.published.isoformat()}</lastmod></url>"
        for a in site.live_articles(lang)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    )
