"""Turan Information Agency (turan.az): hosts, URL grammar, furniture in three languages, old layout.

It describes the real site as far as it is known (../shared/SITE.md); the replica is configured
separately, so tests compare two independent descriptions.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from .base import PAGE_SUFFIX, ArticleUrl, Furniture, Site

LANGS = ("en", "az", "ru")
# The real site's news line has not been observed (SITE.md): this path is the replica's guess; against
# the real site a crawl also finds listings by structure and sitemaps, and TURAN_START_PATHS can add more.
NEWS_LINE_SEGMENT = "news-line"
# Path segments after the language that are not categories.
NON_CATEGORY_SEGMENTS = {NEWS_LINE_SEGMENT, "author", "search", "login", "tag", "storage", "print"}
# Path segments of pages that are never listings (service pages, accounts, files).
NOT_LISTING_SEGMENTS = {
    "about",
    "contacts",
    "contact",
    "subscription",
    "subscribe",
    "login",
    "logout",
    "register",
    "user",
    "newsletter",
    "storage",
    "print",
    "rss",
    "feed",
    "img",
    "css",
    "js",
}
_FILE = re.compile(r"\.(?:jpe?g|png|gif|svg|webp|pdf|docx?|xlsx?|zip|mp[34]|css|js|xml|gz|txt)$", re.I)

LATEST_NEWS = frozenset({"latest news", "son xəbərlər", "последние новости"})
RELATED = frozenset(
    {
        "other news",
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
)
STOP = frozenset(
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
)
# The line under a paywalled teaser, whole (a reader asked to subscribe in the text is no paywall). en and
# ru are observed (SITE.md); the az line is not: these are two translations of it, the replica's and the
# corpus's guesses.
PAYWALL_MARKERS = (
    "please login or subscribe to read more",
    "пожалуйста, войдите или подпишитесь, чтобы читать больше",
    "daha çox oxumaq üçün daxil olun və ya abunə olun",
    "davamını oxumaq üçün zəhmət olmasa daxil olun və ya abunə olun",
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
NOT_AUTHORS = frozenset(
    {
        "turan",
        "туран",
        "turan.az",
        "turan information agency",
        "turan news agency",
        "turan i̇nformasiya agentliyi",
        "turan informasiya agentliyi",
        "ia turan",
        "иа туран",
        "информационное агентство туран",
        "агентство туран",
    }
)
# Bylines open with a label ("By John Smith", "Müəllif: ...", "Автор: ...", Drupal's "Submitted by").
BYLINE_LABELS = ("by", "author", "submitted by", "posted by", "müəllif", "автор")
# Photo credits under pictures: "Foto: Turan", "Фото: Туран", "Photo: State Department".
CREDIT_LABELS = ("photo", "photos", "foto", "fotolar", "фото", "şəkil", "video", "видео")
# A printed date after one of these words is not the publication date.
NOT_PUBLISHED_LABELS = (
    "updated",
    "last update",
    "printed",
    "yenilənib",
    "son yenilənmə",
    "çap",
    "обновлено",
    "последнее обновление",
    "распечатано",
    "напечатано",
)
# The words of pagination anchors, besides numbers and arrows (« » ‹ › ← →).
PAGE_WORDS = frozenset(
    {
        "next",
        "next page",
        "older",
        "older posts",
        "older entries",
        "previous",
        "newer",
        "newer posts",
        "növbəti",
        "sonrakı",
        "əvvəlki",
        "daha əvvəlki",
        "следующая",
        "следующая страница",
        "предыдущая",
        "далее",
        "вперед",
        "вперёд",
        "назад",
        "ранее",
    }
)
ERROR_PHRASES = (
    "page not found",
    "not found",
    "page does not exist",
    "səhifə tapılmadı",
    "səhifə mövcud deyil",
    "страница не найдена",
    "страница не существует",
    "ошибка 404",
)
# Category labels as printed (SITE.md, and those of the other category slugs it lists): a line that is one
# is a label (a kicker, a breadcrumb's last step), never a headline or an author.
CATEGORY_LABELS = frozenset(
    {
        *("Politics", "Economics", "Social", "Question-answer", "Difficult question", "Security"),
        *("Want to say", "Caucasus", "Great East"),
        *("Siyasət", "Cəmiyyət", "İqtisadiyyat"),
        *("Политика", "Вопрос-ответ", "Сложный вопрос", "Медиа обозрение"),
    }
)
# Old layout (pre-2019, still linked): /ext/news/{YYYY}/{M}/{free|subsc}/{section}/{lang}/{id}.htm
OLD_CLASSES = {
    "title": "captxt",
    "urgent_title": "urgcaptxt",
    "body": "maincontent",
    "paywalled": "prvNews",
    "date": "manspdt",
}

# A slug has a letter: /en/politics/2 is page 2 of a listing, not an article.
_ARTICLE_PATH = re.compile(r"^/(en|az|ru)/([a-z0-9-]+)/([a-z0-9-]*[a-z][a-z0-9-]*?)(?:-(\d{6,7}))?/?$")
_OLD_ARTICLE_PATH = re.compile(r"^/ext/news/(\d{4})/(\d{1,2})/(free|subsc)/([^/]+)/(en|az|ru)/(\d+)\.htm$")
# The print view of an article, /print/{lang}/{category}/{slug}[-{id}]: a guess [I]. SITE.md records no
# print view of the current site; the replica and the corpus (tests/fixtures/corpus/print) both guess this
# path. A print view is read as the article it shows, and is never a listing.
_PRINT_PREFIX = "/print"


@lru_cache(maxsize=16384)
def _article_path(path: str) -> ArticleUrl | None:
    """The fields of an article path (memoised: the same links recur on every page of a crawl)."""
    path = unquote(path)
    match = _ARTICLE_PATH.match(path)
    if match and match.group(2) not in NON_CATEGORY_SEGMENTS:
        lang, category, _slug, ident = match.groups()
        return ArticleUrl(lang, category, int(ident) if ident else None)
    match = _OLD_ARTICLE_PATH.match(path)
    if match:
        _y, _m, access, section, lang, ident = match.groups()
        return ArticleUrl(lang, section.replace(" ", "_"), int(ident), access == "subsc")
    return None


@lru_cache(maxsize=16384)
def _listing_path(path: str) -> bool:
    """Whether a path may be a listing's: not a file, a print view or a service page."""
    path = unquote(path)
    if _FILE.search(path) or path.startswith(_PRINT_PREFIX + "/"):
        return False
    return not any(part.lower() in NOT_LISTING_SEGMENTS for part in path.split("/"))


class TuranSite(Site):
    """turan.az's URL grammar: ``/{lang}/{category}/{slug}[-{id}]`` and the old ``/ext/news/...`` pages."""

    def article_url(self, url: str) -> ArticleUrl | None:
        return _article_path(urlsplit(url).path)

    def article_view(self, url: str) -> ArticleUrl | None:
        """The article URL's fields, also for its print view (``/print/en/politics/slug-790001``)."""
        split = urlsplit(url)
        if split.path.startswith(_PRINT_PREFIX + "/"):
            return self.article_url(split._replace(path=split.path[len(_PRINT_PREFIX) :]).geturl())
        return self.article_url(url)

    def listing_kind(self, url: str) -> str | None:
        path = urlsplit(url).path.rstrip("/")
        paged = PAGE_SUFFIX.match(path)
        if paged and paged.group(1).count("/") == 2:  # /{lang}/{section}/page/N or /{lang}/{section}/N
            path = paged.group(1)
        parts = [p for p in path.split("/") if p]
        if not parts or parts[0] not in self.langs:
            return None
        if len(parts) == 1:
            return "front"
        if len(parts) == 2 and parts[1] == NEWS_LINE_SEGMENT:
            return "news_line"
        if len(parts) == 2 and parts[1] not in NON_CATEGORY_SEGMENTS | NOT_LISTING_SEGMENTS:
            return "category"
        return None

    def is_listing_candidate(self, url: str) -> bool:
        return _listing_path(urlsplit(url).path)


TURAN = TuranSite(
    name="turan",
    hosts=("turan.az", "contact.az"),
    langs=LANGS,
    home="https://turan.az",
    start_paths=("/{lang}",),  # the front page; its navigation leads to the listings (news line, categories)
    sitemap_paths=("/storage/sitemap/{lang}/sitemap_index_0.xml",),  # SITE.md: seen for az, likely for all
    furniture=Furniture(
        latest_news=LATEST_NEWS,
        related=RELATED,
        stop=STOP,
        paywall_markers=PAYWALL_MARKERS,
        job_titles=JOB_TITLES,
        not_authors=NOT_AUTHORS,
        category_labels=CATEGORY_LABELS,
        byline_labels=BYLINE_LABELS,
        credit_labels=CREDIT_LABELS,
        not_published_labels=NOT_PUBLISHED_LABELS,
        page_words=PAGE_WORDS,
        error_phrases=ERROR_PHRASES,
        old_classes=OLD_CLASSES,
    ),
    site_rules=True,
)
