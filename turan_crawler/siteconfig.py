"""What turan-crawler knows about turan.az, in one place: hosts, URL grammar, listings, page furniture.

The spider and the extractor read this module instead of scattering literals. It describes the real site
as far as it is known (SITE.md); the replica is configured separately so that tests compare two
independent descriptions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

HOSTS = ("turan.az", "www.turan.az", "contact.az", "www.contact.az")
LANGS = ("en", "az", "ru")
DEFAULT_BASE_URL = "https://turan.az"

# Where a crawl starts, per language: the front page and the news line. The real site's news line has not
# been observed (SITE.md): these paths are the replica's; against the real site set TURAN_START_PATHS.
NEWS_LINE_SEGMENT = "news-line"
START_PATHS = ("/{lang}", "/{lang}/" + NEWS_LINE_SEGMENT)
PAGE_PARAM = "page"  # the query parameter of a listing's page number

# Category labels as printed, per slug (SITE.md); used when neither metadata nor page gives the label.
CATEGORY_LABELS = {
    "en": {
        "politics": "Politics",
        "economics": "Economics",
        "social": "Social",
        "question-answer": "Question-answer",
        "difficult-question": "Difficult question",
        "security": "Security",
        "want-to-say": "Want to say",
        "caucasus": "Caucasus",
        "great-east": "Great East",
    },
    "az": {"siyaset": "Siyasət", "cemiyyet": "Cəmiyyət", "iqtisadiyyat": "İqtisadiyyat"},
    "ru": {
        "politika": "Политика",
        "vopros-otvet": "Вопрос-ответ",
        "sloznyi-vopros": "Сложный вопрос",
        "media-obozrenie": "Медиа обозрение",
    },
}
# Path segments after the language that are not categories.
NON_CATEGORY_SEGMENTS = {NEWS_LINE_SEGMENT, "author", "search", "login", "tag", "storage", "print"}

# Headings of blocks that are never part of an article's text (lower case, any language).
LATEST_NEWS_HEADINGS = {
    "latest news",
    "son xəbərlər",
    "последние новости",
}
RELATED_HEADINGS = {
    "related news",
    "digər xəbərlər",
    "другие новости",
    "related",
    "oxşar xəbərlər",
    "похожие новости",
    "read also",
    "həmçinin oxuyun",
    "читайте также",
}
STOP_HEADINGS = (
    {
        "follow us on social networks",
        "bizi sosial şəbəkələrdə izləyin",
        "следите за нами в социальных сетях",
        "in focus",
        "diqqət mərkəzində",
        "в фокусе",
        "news line",
        "xəbər lenti",
        "лента новостей",
        "leave a review",
        "rəy yaz",
        "написать отзыв",
    }
    | LATEST_NEWS_HEADINGS
    | RELATED_HEADINGS
)
PAYWALL_MARKERS = (
    "please login or subscribe to read more",
    "daha çox oxumaq üçün daxil olun",
    "пожалуйста, войдите или подпишитесь",
    "abunə olun",
    "subscribe to read",
)
JOB_TITLES = (
    "journalist",
    "jurnalist",
    "журналист",
    "correspondent",
    "müxbir",
    "корреспондент",
    "analyst",
    "analitik",
    "аналитик",
    "editor",
    "redaktor",
    "редактор",
)
NOT_AUTHORS = {"turan", "туран", "turan information agency", "turan news agency", "ia turan", "иа туран"}

# Old layout classes (pre-2019, still linked): /ext/news/{YYYY}/{M}/{free|subsc}/{section}/{lang}/{id}.htm
OLD_CLASSES = {
    "title": "captxt",
    "urgent_title": "urgcaptxt",
    "body": "maincontent",
    "paywalled": "prvNews",
    "date": "manspdt",
}

_ARTICLE_PATH = re.compile(r"^/(en|az|ru)/([a-z0-9-]+)/([a-z0-9-]+?)(?:-(\d{6,7}))?/?$")
_OLD_ARTICLE_PATH = re.compile(r"^/ext/news/(\d{4})/(\d{1,2})/(free|subsc)/([^/]+)/(en|az|ru)/(\d+)\.htm$")


@dataclass(frozen=True)
class ArticleUrl:
    """What an article's URL says: language prefix, category slug, numeric id (or None)."""

    lang: str
    category_slug: str | None
    article_id: int | None
    subscribers_only: bool = False


def parse_article_url(url: str) -> ArticleUrl | None:
    """The URL-borne fields of an article URL (current or old layout); None for any other URL."""
    path = unquote(urlsplit(url).path)
    match = _ARTICLE_PATH.match(path)
    if match and match.group(2) not in NON_CATEGORY_SEGMENTS:
        lang, category, _slug, ident = match.groups()
        return ArticleUrl(lang, category, int(ident) if ident else None)
    match = _OLD_ARTICLE_PATH.match(path)
    if match:
        _y, _m, access, section, lang, ident = match.groups()
        return ArticleUrl(lang, section.replace(" ", "_"), int(ident), access == "subsc")
    return None


def listing_kind(url: str) -> str | None:
    """'front', 'news_line' or 'category' for a listing URL of the site; None otherwise."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if not parts or parts[0] not in LANGS:
        return None
    if len(parts) == 1:
        return "front"
    if len(parts) == 2 and parts[1] == NEWS_LINE_SEGMENT:
        return "news_line"
    if len(parts) == 2 and parts[1] not in NON_CATEGORY_SEGMENTS:
        return "category"
    return None


def lang_of(url: str) -> str | None:
    parsed = parse_article_url(url)
    if parsed:
        return parsed.lang
    parts = [p for p in urlsplit(url).path.split("/") if p]
    return parts[0] if parts and parts[0] in LANGS else None
