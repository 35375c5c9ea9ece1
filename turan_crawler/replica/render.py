"""HTML of the replica's pages: articles, front pages, news lines, category pages, robots.txt, sitemaps.

The markup is the replica's own guess at a Laravel-era news site. Pages carry the real site's furniture
(menus, inline CSS and scripts, social blocks) so that an article page weighs ~100-200 KB, as on turan.az.

Articles come in three skins (templates) with their own class names, element order and furniture:
``classic`` (the original guess), ``magazine`` (an ``<article>`` with a ``<header>``, ``<time datetime>``,
share bar and newsletter box, related before latest) and ``legacy`` (tables, ``<br><br>`` paragraphs, no
metadata). The layout (``classic`` or ``sitemaps``) decides the site-wide words: the sitemaps layout prints
its latest and related blocks under other headings than the classic one.

Every page links the site's stylesheet and script and shows the logo and the social icons (requisites.py
names their URLs); article pages add their lead image (a ``<figure>`` with a ``<figcaption>`` in the classic
and magazine skins, a table cell in the legacy one; ``og:image`` and JSON-LD ``image`` where there is
metadata) and the photos in their text, in the form the content gives each (plain, ``<picture>``, lazy).
"""

from __future__ import annotations

import html
import json
import random
from datetime import datetime
from functools import cache

from . import requisites as req
from . import texts
from .requisites import CDN, Bases
from .site import Article, Picture, Site
from .structure import Listing, Month, page_path

NO_BASES = Bases("", "")  # root-relative URLs: for pages rendered without knowing their host
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


def format_legacy(lang: str, when: datetime) -> str:
    """The legacy skin's date, after the old layout's: '2017 October 28 ( Saturday )  15:07:00'."""
    month = texts.MONTHS["ru_nom" if lang == "ru" else lang][when.month - 1]
    weekday = texts.WEEKDAYS[lang][when.weekday()]
    return f"{when.year} {month} {when.day} ( {weekday} )  {when:%H:%M:%S}"


def _latest_date(site: Site, when: datetime) -> str:
    """A date in the latest block: '09.Jan.2026' (classic layout) or '14:05 | 09.01.2026' (sitemaps)."""
    return format_short(when) if site.layout == "classic" else f"{when:%H:%M} | {when:%d.%m.%Y}"


def headings(site: Site, lang: str) -> tuple[str, str]:
    """The (latest, related) block headings: each layout prints its own words."""
    words = texts.FURNITURE[lang]
    if site.layout == "classic":
        return words["latest"], words["related"]
    return words["fresh"], words["on_topic"]


def teaser(art: Article, limit: int = 180) -> str:
    """A listing's teaser: the opening of the first real paragraph, cut at a word."""
    text = next((p for p in art.paragraphs if len(p) > 40), art.paragraphs[0])
    if len(text) <= limit:
        return text
    return text[: text.rfind(" ", 0, limit)].rstrip(" ,.;:") + "…"


@cache
def _assets(lang: str) -> tuple[str, str]:
    """(head extras, SVG sprite) for a language: inline CSS, a config script, icons."""
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
    return head, sprite


def _icon(bases: Bases, name: str) -> str:
    """A social icon from the CDN, by a protocol-relative URL."""
    src = bases.protocol_relative(CDN, req.SOCIAL_ICONS[name])
    return f'<img src="{src}" alt="" width="16" height="16">'


def _social(bases: Bases, sep: str = " ") -> str:
    return sep.join(
        f'<a href="https://{host}/turan">{_icon(bases, name)}{label}</a>'
        for name, host, label in (
            ("facebook", "facebook.com", "Facebook"),
            ("x", "x.com", "X"),
            ("telegram", "t.me", "Telegram"),
        )
    )


@cache
def boilerplate(lang: str, bases: Bases = NO_BASES) -> tuple[str, str]:
    """(head extras, footer) for a language: inline CSS, an SVG sprite, menus and a config script."""
    head, sprite = _assets(lang)
    menu = "".join(
        f'<li><a href="/{lang}/{slug}">{esc(label)}</a></li>' for slug, label in texts.CATEGORIES[lang]
    )
    words = texts.FURNITURE[lang]
    footer = (
        f'<svg style="display:none">{sprite}</svg>'
        f'<div class="social-block"><p>{words["follow"]}</p>{_social(bases)}</div>'
        f'<footer class="site-footer"><ul class="menu">{menu}</ul><p>© 1990-2026 Turan Information Agency'
        f"</p></footer>"
    )
    return head, footer


def _menu(lang: str, layout: str = "classic") -> str:
    words = texts.FURNITURE[lang]
    cats = "".join(
        f'<li><a href="/{lang}/{slug}">{esc(label)}</a></li>' for slug, label in texts.CATEGORIES[lang]
    )
    langs = "".join(f'<a class="lang" href="/{code}">{code.upper()}</a>' for code in texts.LANGS)
    if layout != "classic":  # no news line in the sitemaps layout: home, then the category listings
        return (
            f'<nav class="primary-menu" aria-label="{words["home"]}"><ul><li><a href="/{lang}">'
            f'{words["home"]}</a></li>{cats}</ul><div class="langs">{langs}</div></nav>'
        )
    return (
        f'<nav class="main-menu"><ul><li><a href="/{lang}/news-line">{words["newsline"]}</a></li>{cats}'
        f'</ul><div class="langs">{langs}</div><form action="/search"><input name="q" '
        f'placeholder="{words["search"]}"></form></nav>'
    )


def _latest(site: Site, lang: str) -> list[Article]:
    return site.live_articles(lang)[:LATEST_COUNT]


def _related(site: Site, art: Article) -> list[Article]:
    return [a for a in site.live_articles(art.lang, art.category_slug) if a is not art][:4]


def _latest_block(site: Site, lang: str) -> str:
    heading = headings(site, lang)[0]
    if site.layout == "classic":
        items = "".join(
            f'<a class="latest-item" href="{a.path}"><div class="latest-title">{esc(a.title)}</div>'
            f'<div class="latest-date">{format_short(a.published)}</div></a>'
            for a in _latest(site, lang)
        )
        return f'<aside class="latest-news"><h3>{heading}</h3>{items}</aside>'
    items = "".join(
        f'<li><a href="{a.path}">{esc(a.title)}</a><span class="fresh-date">{_latest_date(site, a.published)}'
        "</span></li>"
        for a in _latest(site, lang)
    )
    return f'<aside class="fresh-block"><h3 class="block-title">{heading}</h3><ul>{items}</ul></aside>'


def _page(
    site: Site,
    lang: str,
    title: str,
    head: str,
    main: str,
    header_line: str | None = None,
    bases: Bases = NO_BASES,
) -> str:
    extra_head, footer = boilerplate(lang, bases)
    words = texts.FURNITURE[lang]
    line = header_line if header_line is not None else format_today(lang, site.now)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>{esc(title)}</title>\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="stylesheet" href="{req.STYLESHEET}">\n<script src="{req.SCRIPT}" defer></script>\n'
        f"{head}\n{extra_head}\n</head>\n"
        f'<body>\n<header class="site-header"><div class="top-date">{esc(line)}</div>'
        f'<a class="logo" href="/{lang}"><img src="{req.LOGO}" alt="Turan"></a>{_menu(lang, site.layout)}'
        "</header>\n"
        f'<main class="container">\n{main}\n{_latest_block(site, lang)}\n'
        f'<div class="page-date">{site.now.day} {texts.SHORT_MONTHS_EN[site.now.month - 1]} {site.now.year}</div>\n'
        f'<div class="in-focus-title">{words["focus"]}</div>\n</main>\n{footer}\n</body>\n</html>\n'
    )


def _metadata(art: Article, base: str, translations: list[tuple[str, str]], bases: Bases = NO_BASES) -> str:
    url = base + art.path
    lead = req.lead_paths(art)
    image = bases.url(CDN, lead["src"]) if lead else None
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
        if image:
            tags.append(f'<meta property="og:image" content="{image}">')
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
        if image:
            doc["image"] = {"@type": "ImageObject", "url": image, "width": 1280, "height": 800}
        if art.metadata == "graph":
            doc = {"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "url": base + "/"}, doc]}
        else:
            doc = {"@context": "https://schema.org", **doc}
        tags.append(f'<script type="application/ld+json">{json.dumps(doc, ensure_ascii=False)}</script>')
    return "\n".join(tags)


def _picture(art: Article, pic: Picture, bases: Bases) -> str:
    """A photo in the text, in its form: plain <img> (relative or absolute), <picture> with a WebP source,
    a lazy placeholder (data-src, data-srcset, a <noscript> fallback) or <img loading="lazy">."""
    paths = req.picture_paths(art, pic)
    origin, src = paths["src"]
    dims = 'width="640" height="427"'
    if pic.form == "relative":
        return f'<img src="{src}" alt="" {dims}>'
    if pic.form == "lazy":
        double = paths["2x"][1]
        return (
            f'<img class="lazyload" src="{req.TRANSPARENT_GIF}" data-src="{src}" '
            f'data-srcset="{src} 1x, {double} 2x" alt="" {dims}><noscript><img src="{src}" alt=""></noscript>'
        )
    url = bases.url(origin, src)
    if pic.form == "picture":
        webp = bases.url(*paths["webp"])
        return f'<picture><source srcset="{webp}" type="image/webp"><img src="{url}" alt="" {dims}></picture>'
    if pic.form == "native_lazy":
        return f'<img src="{url}" alt="" loading="lazy" decoding="async" {dims}>'
    return f'<img src="{url}" alt="" {dims}>'  # absolute, private


def _lead_img(art: Article, bases: Bases, title: str, extra: str = "") -> str:
    """The lead image from the CDN, with its srcset; '' when the article has none."""
    lead = req.lead_paths(art)
    if not lead:
        return ""
    src, small, large = (bases.url(CDN, lead[k]) for k in ("src", "640", "1280"))
    return (
        f'<img src="{src}" srcset="{small} 640w, {large} 1280w" sizes="(max-width: 760px) 100vw, 760px" '
        f'alt="{title}" width="1280" height="800"{extra}>'
    )


def _caption(art: Article) -> str:
    return esc(texts.PHOTO_CAPTIONS[art.lang][art.caption])


def _body_parts(art: Article, bases: Bases = NO_BASES) -> list[tuple[str, str]]:
    """The printed body as (kind, escaped text): "p" paragraphs, "stamp" live-update times, "code" alone,
    "pic" a photo's markup (never on a paywalled page)."""
    paragraphs = art.paragraphs if not art.paywalled else [art.teaser]
    pictures = [] if art.paywalled else art.pictures
    parts: list[tuple[str, str]] = []
    for n, text in enumerate(paragraphs):
        last = n == len(paragraphs) - 1
        if art.live and len(text) == 16 and text[4] == "-":
            parts.append(("stamp", text))
        elif last and art.editor_code_printed and art.editor_code_inline and not art.paywalled:
            parts.append(("p", f"{esc(text)} {art.editor_code_printed}"))
        else:
            parts.append(("p", esc(text)))
        parts += [("pic", _picture(art, pic, bases)) for pic in pictures if pic.after == n]
    if art.editor_code_printed and not art.editor_code_inline and not art.paywalled:
        parts.append(("code", art.editor_code_printed))
    return parts


def _body_html(art: Article, bases: Bases) -> str:
    wrap = {"stamp": "<p><strong>{}</strong></p>", "pic": '<div class="news-photo">{}</div>'}
    return "\n".join(wrap.get(kind, "<p>{}</p>").format(text) for kind, text in _body_parts(art, bases))


def article_page(site: Site, art: Article, base: str, cdn: str | None = None) -> str:
    """The full HTML of an article page, in the article's skin. ``base`` is the page's own
    ``http://host:port``, ``cdn`` the CDN's (None: the CDN's files are on this host)."""
    bases = Bases(base, cdn or base)
    translations = [(site.articles[i].path, site.articles[i].lang) for i in art.translations]
    words = texts.FURNITURE[art.lang]
    header_line = words["updated"].format(n=art.index % 23 + 1) if art.header_style == "updated" else None
    render = {"classic": _classic_article, "magazine": _magazine_article, "legacy": _legacy_article}[art.skin]
    return render(site, art, bases, translations, header_line)


def _classic_article(
    site: Site, art: Article, bases: Bases, translations: list[tuple[str, str]], header_line: str | None
) -> str:
    lang, words = art.lang, texts.FURNITURE[art.lang]
    title = esc(art.title)
    parts = [f'<div class="news-inner" data-id="{art.article_id or ""}">']
    if art.lead_image:
        parts.append(
            f'<figure class="news-img">{_lead_img(art, bases, title)}'
            f'<figcaption class="news-img-caption">{_caption(art)}</figcaption></figure>'
        )
    parts.append(f'<h1 class="news-title">{title}</h1>')
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
    parts.append(f'<div class="news-content">\n{_body_html(art, bases)}\n</div>')
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
    parts.append(
        f'<div class="related-news"><h3>{headings(site, lang)[1]}</h3>'
        + "".join(
            f'<div class="related-item"><a href="{a.path}">{esc(a.title)}</a>'
            f"<span>{esc(a.category)} - {format_date(lang, a.published)}</span></div>"
            for a in _related(site, art)
        )
        + "</div>"
    )
    head = _metadata(art, bases.main, translations, bases)
    return _page(site, lang, f"{art.title} | Turan", head, "\n".join(parts), header_line, bases)


def _magazine_article(
    site: Site, art: Article, bases: Bases, translations: list[tuple[str, str]], header_line: str | None
) -> str:
    """A WordPress-like template: <article> with a <header>, share bar and newsletter box inside it, and a
    sidebar where the related block comes before the latest one."""
    lang, words = art.lang, texts.FURNITURE[art.lang]
    head_extra, sprite = _assets(lang)
    latest_heading, related_heading = headings(site, lang)
    title, url = esc(art.title), bases.main + art.path
    line = header_line if header_line is not None else format_today(lang, site.now)
    byline = ""
    if art.author_style == "byline":
        byline = (
            f'<span class="byline">{words["by"]} <a class="author-name" rel="author" '
            f'href="/{lang}/author/{art.index % 7}">{esc(art.author)}</a></span>'
        )
    wrap = {
        "stamp": '<p class="update-time"><em>{}</em></p>',
        "pic": '<figure class="wp-block-image">{}</figure>',
    }
    body = "\n".join(wrap.get(kind, "<p>{}</p>").format(text) for kind, text in _body_parts(art, bases))
    figure = ""
    if art.lead_image:
        img = _lead_img(art, bases, title, ' loading="lazy" decoding="async"')
        figure = (
            f'<figure class="entry-figure wp-caption">{img}'
            f'<figcaption class="wp-caption-text">{_caption(art)}</figcaption></figure>'
        )
    parts = [
        f'<article class="post-single" id="post-{art.article_id or art.index}">',
        '<header class="entry-header">',
        f'<div class="entry-kicker"><a rel="category tag" href="/{lang}/{art.category_slug}">'
        f"{esc(art.category)}</a></div>",
        f'<h1 class="entry-title">{title}</h1>',
        f'<div class="entry-meta"><time class="entry-date" datetime="{art.published.isoformat()}">'
        f"{format_date(lang, art.published, art.ru_genitive, comma=True)}</time>{byline}</div>",
        "</header>",
        figure,
        f'<div class="share-bar"><span class="share-label">{words["share"]}</span>'
        f'<a class="share-fb" href="https://www.facebook.com/sharer/sharer.php?u={url}">Facebook</a>'
        f'<a class="share-x" href="https://x.com/intent/post?url={url}">X</a>'
        f'<a class="share-tg" href="https://t.me/share/url?url={url}">Telegram</a>'
        f'<a class="share-wa" href="https://wa.me/?text={url}">WhatsApp</a></div>',
        f'<div class="entry-content">\n{body}\n</div>',
    ]
    if art.paywalled:
        parts.append(
            f'<div class="paywall-notice"><p>{texts.PAYWALL_MARKER[lang]}</p>'
            '<a class="btn" href="/login">Login</a></div>'
        )
    if art.author_style == "after":
        parts.append(
            f'<div class="author-box"><span class="author-label">{words["by"]}</span> '
            f'<span class="author-name">{esc(art.author)}</span></div>'
        )
    if translations:
        parts.append(
            '<div class="entry-translations">'
            + "".join(
                f'<a hreflang="{p_lang}" href="{path}">{p_lang.upper()}</a>' for path, p_lang in translations
            )
            + "</div>"
        )
    parts += [
        f'<aside class="newsletter-box"><h4>{words["newsletter"]}</h4><p>{words["newsletter_text"]}</p>'
        f'<form action="/newsletter" method="post"><input type="email" name="email">'
        f'<button type="submit">{words["subscribe"]}</button></form></aside>',
        f'<footer class="entry-footer"><a href="#comments">{words["review"]}</a> '
        f'<a href="/print{art.path}">{words["print"]}</a></footer>',
        "</article>",
        '<aside class="sidebar">',
        f'<section class="widget widget-posts"><h2 class="widget-title">{related_heading}</h2><ul>'
        + "".join(
            f'<li><a href="{a.path}">{esc(a.title)}</a><small>{esc(a.category)} · '
            f"{format_date(lang, a.published)}</small></li>"
            for a in _related(site, art)
        )
        + "</ul></section>",
        f'<section class="widget widget-stream"><h2 class="widget-title">{latest_heading}</h2><ol>'
        + "".join(
            f'<li><a href="{a.path}">{esc(a.title)}</a> <span class="when">{_latest_date(site, a.published)}'
            "</span></li>"
            for a in _latest(site, lang)
        )
        + "</ol></section>",
        "</aside>",
    ]
    langs = "".join(f'<a href="/{code}">{code.upper()}</a>' for code in texts.LANGS)
    social = _social(bases)
    links = (
        f"<link rel='stylesheet' id='turan-style-css' href='{bases.main}{req.STYLESHEET}' type='text/css' "
        f"media='all' />\n"
        f'<link rel="preload" href="{bases.url(CDN, req.CDN_FONT)}" as="font" type="font/woff2" crossorigin>\n'
        f'<script src="{bases.main}{req.SCRIPT}" id="turan-app-js" defer></script>'
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" class="theme-magazine">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{title} — Turan</title>\n'
        f"{links}\n{_metadata(art, bases.main, translations, bases)}\n{head_extra}\n</head>\n"
        f'<body class="single single-post">\n<div class="topbar"><span class="topbar-today">{esc(line)}</span>'
        f'<div class="topbar-langs">{langs}</div></div>\n'
        f'<header class="masthead"><a class="brand" href="/{lang}"><img src="{bases.main}{req.LOGO}" '
        f'alt="Turan" width="160" height="40"></a>{_menu(lang, site.layout)}</header>\n'
        f'<div class="wrap content-area">\n' + "\n".join(parts) + "\n</div>\n"
        f'<footer class="colophon"><svg style="display:none">{sprite}</svg><div class="follow"><p>'
        f'{words["follow"]}</p>{social}</div><p class="colophon-date">{site.now.day} '
        f"{texts.SHORT_MONTHS_EN[site.now.month - 1]} {site.now.year}</p>"
        "<p>© 1990-2026 Turan Information Agency</p></footer>\n</body>\n</html>\n"
    )


def _legacy_article(
    site: Site, art: Article, bases: Bases, translations: list[tuple[str, str]], header_line: str | None
) -> str:
    """An old table layout: latest news in the left column before the article, the title in a <td>, the
    date after it in a <span>, paragraphs separated by <br><br>, no JSON-LD or OpenGraph."""
    lang, words = art.lang, texts.FURNITURE[art.lang]
    head_extra, sprite = _assets(lang)
    latest_heading, related_heading = headings(site, lang)
    title = esc(art.title)
    line = header_line if header_line is not None else format_today(lang, site.now)
    menu = " | ".join(f'<a href="/{lang}/{slug}">{esc(label)}</a>' for slug, label in texts.CATEGORIES[lang])
    text = "<br><br>".join(f"<b>{t}</b>" if kind == "stamp" else t for kind, t in _body_parts(art, bases))
    rows = [
        f'<tr><td class="art-ttl"><font size="4"><b>{title}</b></font></td></tr>',
        f'<tr><td class="art-inf"><span class="art-when">{format_legacy(lang, art.published)}</span> &middot; '
        f'<a href="/{lang}/{art.category_slug}">{esc(art.category)}</a></td></tr>',
    ]
    if art.lead_image:
        img = _lead_img(art, bases, title, ' border="0"')
        rows.append(f'<tr><td class="art-img" align="center">{img}</td></tr>')
    if art.author_style in ("byline", "meta"):  # no metadata here: the author is printed
        rows.append(f'<tr><td class="art-by"><i>{esc(art.author)}</i></td></tr>')
    rows.append(f'<tr><td class="art-txt">{text}</td></tr>')
    if art.paywalled:
        rows.append(
            f'<tr><td class="art-lock"><font color="#cc0000">{texts.PAYWALL_MARKER[lang]}</font> '
            '<a href="/login">Login</a></td></tr>'
        )
    if art.author_style == "after":
        rows.append(f'<tr><td class="art-sign" align="right"><b>{esc(art.author)}</b></td></tr>')
    if translations:
        rows.append(
            '<tr><td class="art-lng">'
            + " ".join(
                f'<a hreflang="{p_lang}" href="{path}">[{p_lang.upper()}]</a>'
                for path, p_lang in translations
            )
            + "</td></tr>"
        )
    rows.append(
        f'<tr><td class="art-tools"><a href="#review">{words["review"]}</a> | '
        f'<a href="/print{art.path}">{words["print"]}</a></td></tr>'
    )
    latest = "".join(
        f'<tr><td class="box-item"><a href="{a.path}">{esc(a.title)}</a><br>'
        f'<font size="1" color="#888888">{_latest_date(site, a.published)}</font></td></tr>'
        for a in _latest(site, lang)
    )
    related = "".join(
        f'<tr><td class="rel-item"><a href="{a.path}">{esc(a.title)}</a> '
        f'<font size="1">({esc(a.category)} - {format_date(lang, a.published)})</font></td></tr>'
        for a in _related(site, art)
    )
    return (
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n'
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>Turan :: {title}</title>\n'
        f'<link href="{req.STYLESHEET}" rel="stylesheet" type="text/css">\n'
        f"{head_extra}\n</head>\n"
        '<body bgcolor="#FFFFFF" leftmargin="0" topmargin="0">\n'
        '<table width="100%" border="0" cellpadding="0" cellspacing="0" class="hdr">'
        f'<tr><td class="hdr-date">{esc(line)}</td><td class="hdr-logo" align="right"><a href="/{lang}">'
        f'<img src="{req.LOGO}" alt="Turan" border="0"></a></td></tr>'
        f'<tr><td colspan="2" class="hdr-menu">{menu}</td></tr></table>\n'
        '<table width="980" border="0" cellpadding="4" cellspacing="0" align="center" class="layout"><tr>\n'
        f'<td width="220" valign="top" class="col-l"><table width="100%" class="box-l">'
        f'<tr><td class="box-head"><b>{latest_heading}</b></td></tr>{latest}</table></td>\n'
        '<td valign="top" class="col-c">\n<table width="100%" border="0" cellpadding="2" cellspacing="0" '
        'class="art">\n' + "\n".join(rows) + "\n</table>\n"
        f'<table width="100%" class="rel"><tr><td class="rel-head"><b>{related_heading}</b></td></tr>'
        f"{related}</table>\n</td></tr></table>\n"
        f'<table width="100%" class="ftr"><tr><td>{words["follow"]}: {_social(bases, " | ")}</td></tr>'
        f"<tr><td>{site.now.day} {texts.SHORT_MONTHS_EN[site.now.month - 1]} {site.now.year} &middot; "
        "© 1990-2026 Turan Information Agency</td></tr></table>\n"
        f'<div style="display:none"><svg>{sprite}</svg></div>\n'
        f'<script type="text/javascript" src="{req.SCRIPT}"></script>\n</body>\n</html>\n'
    )


def listing_page(
    site: Site,
    lang: str,
    path: str,
    title: str,
    items: list[Article],
    page: int,
    extra: str = "",
    bases: Bases = NO_BASES,
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
    return _page(site, lang, f"{title} | Turan", "", main, bases=bases)


def robots_txt(base: str, cdn_here: bool = False) -> str:
    """The main host's robots.txt; ``cdn_here``: the CDN's files are on this host, and so its rules."""
    lines = [
        "User-agent: *",
        "Disallow: /_replica/",
        "Disallow: /search",
        "Disallow: /print/",
        "Disallow: /en/closed/",
        *(f"Disallow: {p}" for p in (req.CDN_ROBOTS_DISALLOWED if cdn_here else [])),
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


# -- the sitemaps layout -------------------------------------------------------------------------


def path_listing_page(site: Site, listing: Listing, extra: str = "", bases: Bases = NO_BASES) -> str:
    """A front page or category page of the sitemaps layout: dated items with teasers; category pages are
    paginated by path, with <link rel=prev/next>, numbered pages and a worded next anchor."""
    lang, words = listing.lang, texts.FURNITURE[listing.lang]
    rows = "".join(
        f'<li class="archive-item"><a class="archive-link" href="{a.path}">{esc(a.title)}</a>'
        f'<time datetime="{a.published.isoformat()}">{format_date(lang, a.published)}</time>'
        f'<p class="archive-teaser">{esc(teaser(a))}</p></li>'
        for a in listing.items
    )
    head, pager = [], ""
    if listing.base:
        base, page, pages = listing.base, listing.page, listing.pages
        nav = []
        if page > 1:
            head.append(f'<link rel="prev" href="{page_path(base, page - 1)}">')
            nav.append(
                f'<a class="pager-prev" rel="prev" href="{page_path(base, page - 1)}">{words["newer"]}</a>'
            )
        for n in range(1, pages + 1):
            if n == page:
                nav.append(f'<span class="pager-current" aria-current="page">{n}</span>')
            else:
                nav.append(f'<a class="pager-num" href="{page_path(base, n)}">{n}</a>')
        if page < pages:
            head.append(f'<link rel="next" href="{page_path(base, page + 1)}">')
            nav.append(
                f'<a class="pager-next" rel="next" href="{page_path(base, page + 1)}">{words["older"]}</a>'
            )
        pager = f'<nav class="pager">{"".join(nav)}</nav>'
    title = listing.title if listing.page == 1 else f"{listing.title} — {words['page']} {listing.page}"
    main = f'<h1 class="archive-title">{esc(title)}</h1>{extra}<ul class="archive-list">{rows}</ul>{pager}'
    return _page(site, lang, f"{title} | Turan", "\n".join(head), main, bases=bases)


def month_index(base: str, months: list[Month]) -> str:
    """A language's sitemap index: one <sitemap> per month, its <lastmod> the month's newest change."""
    entries = "".join(
        f"\n<sitemap><loc>{base}{m.path}</loc><lastmod>{m.lastmod.isoformat()}</lastmod></sitemap>"
        for m in months
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}\n</sitemapindex>\n'
    )


def month_sitemap(base: str, month: Month) -> str:
    """One month's urlset, newest first."""
    urls = "".join(
        f"\n<url><loc>{base}{a.path}</loc><lastmod>{a.lastmod.isoformat()}</lastmod></url>"
        for a in month.articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}\n</urlset>\n'
    )
