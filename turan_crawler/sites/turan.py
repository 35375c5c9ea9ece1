"""Turan Information Agency (turan.az): hosts, URL grammar, furniture in three languages, old layout.

It describes the real site as far as it is known (../shared/SITE.md); the replica is configured
separately, so tests compare two independent descriptions.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from .base import ArticleUrl, Furniture, Site

LANGS = ("en", "az", "ru")
# The real site's news line has not been observed (SITE.md): this path is the replica's guess; against
# the real site a crawl also finds listings by structure and sitemaps, and TURAN_START_PATHS can add more.
NEWS_LINE_SEGMENT = "news-line"
# Path segments after the language that are not categories.
NON_CATEGORY_SEGMENTS = {NEWS_LINE_SEGMENT, "author", "search", "login", "tag", "storage", "print"}

LATEST_NEWS = frozenset({"latest news", "son xəbərlər", "последние новости"})
RELATED = frozenset(
    {
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
NOT_AUTHORS = frozenset(
    {"turan", "туран", "turan information agency", "turan news agency", "ia turan", "иа туран"}
)
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
# Old layout (pre-2019, still linked): /ext/news/{YYYY}/{M}/{free|subsc}/{section}/{lang}/{id}.htm
OLD_CLASSES = {
    "title": "captxt",
    "urgent_title": "urgcaptxt",
    "body": "maincontent",
    "paywalled": "prvNews",
    "date": "manspdt",
}

_ARTICLE_PATH = re.compile(r"^/(en|az|ru)/([a-z0-9-]+)/([a-z0-9-]+?)(?:-(\d{6,7}))?/?$")
_OLD_ARTICLE_PATH = re.compile(r"^/ext/news/(\d{4})/(\d{1,2})/(free|subsc)/([^/]+)/(en|az|ru)/(\d+)\.htm$")


class TuranSite(Site):
    """turan.az's URL grammar: ``/{lang}/{category}/{slug}[-{id}]`` and the old ``/ext/news/...`` pages."""

    def article_url(self, url: str) -> ArticleUrl | None:
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

    def listing_kind(self, url: str) -> str | None:
        parts = [p for p in urlsplit(url).path.split("/") if p]
        if not parts or parts[0] not in self.langs:
            return None
        if len(parts) == 1:
            return "front"
        if len(parts) == 2 and parts[1] == NEWS_LINE_SEGMENT:
            return "news_line"
        if len(parts) == 2 and parts[1] not in NON_CATEGORY_SEGMENTS:
            return "category"
        return None


TURAN = TuranSite(
    name="turan",
    hosts=("turan.az", "contact.az"),
    langs=LANGS,
    home="https://turan.az",
    start_paths=("/{lang}", "/{lang}/" + NEWS_LINE_SEGMENT),
    sitemap_paths=("/storage/sitemap/{lang}/sitemap_index_0.xml",),  # SITE.md: seen for az, likely for all
    furniture=Furniture(
        latest_news=LATEST_NEWS,
        related=RELATED,
        stop=STOP,
        paywall_markers=PAYWALL_MARKERS,
        job_titles=JOB_TITLES,
        not_authors=NOT_AUTHORS,
        category_labels=CATEGORY_LABELS,
        old_classes=OLD_CLASSES,
    ),
    site_rules=True,
)
