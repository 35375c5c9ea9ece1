"""The replica's content model: a deterministic set of Turan-like articles and the ground truth about them.

Every article is generated from ``(seed, index)`` alone, so publishing more articles never changes the
existing ones, and the same ``seed``, ``articles``, ``layout`` and ``skins`` always give the same site.

The site has its own clock: ``now`` (14 Jan 2026 by default), moved on by a minute per change (publish,
edit, remove), never this machine's time. Sitemap ``<lastmod>`` values come from it.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from importlib import resources

from . import texts

BAKU = timezone(timedelta(hours=4))
DEFAULT_NOW = datetime(2026, 1, 14, 12, 0, tzinfo=BAKU)  # the seed page's "14 Jan 2026"
FIRST_DATE = datetime(2016, 3, 1, 9, 0, tzinfo=BAKU)
FIRST_ID = 700000
SEED_ARTICLE_PATH = (
    "/en/politics/peace-is-possible-blinken-tells-aliyev-on-a-sunday-call-as-washington-talks-kick-off-764817"
)

# The fields the truth states for every article, which a correct parser reproduces exactly.
TRUTH_FIELDS = (
    "title",
    "author",
    "published_at",
    "category",
    "category_slug",
    "article_id",
    "editor_code",
    "paywalled",
    "lang",
    "text_lang",
    "body",
    "word_count",
)

LAYOUTS = ("classic", "sitemaps")
# Article templates. The content and the truth of an article never depend on its skin; the seed article is
# always classic, and ``skins=False`` serves every article in the classic skin.
SKINS = ("classic", "magazine", "legacy")

# Served variants: how an article reaches the client (the content and its truth do not change).
VARIANTS = (
    "cp1251",
    "cp1251_meta_only",
    "wrong_charset",
    "latin1_header",
    "malformed",
    "gzip",
    "chunked",
    "slow",
    "huge",
)


# The forms a photo in an article's text takes (see requisites.py for the URLs, render.py for the markup):
# a plain <img> with a relative or an absolute (CDN) src, a <picture> with a WebP <source>, a lazy-loaded
# placeholder with data-src/data-srcset, an <img loading="lazy">, and a scan the CDN's robots.txt disallows.
PICTURE_FORMS = ("relative", "absolute", "picture", "lazy", "native_lazy")


@dataclass(frozen=True)
class Picture:
    """A photo in the text of an article, printed after its paragraph ``after`` (0-based)."""

    n: int
    form: str
    after: int


@dataclass
class Article:
    """One article of the replica site, with everything needed to render it and to state its truth."""

    index: int
    lang: str
    text_lang: str
    category_slug: str
    category: str
    article_id: int | None
    slug: str
    title: str
    published: datetime
    paragraphs: list[str]
    author: str | None = None
    author_style: str | None = None  # "byline" (top), "after" (below body), "meta" (metadata only)
    editor_code_printed: str | None = None
    editor_code: str | None = None
    editor_code_inline: bool = False
    paywalled: bool = False
    live: bool = False
    metadata: str = "none"  # "jsonld", "graph", "og", "none"
    title_twice: bool = False
    ru_genitive: bool = False
    header_style: str = "today"  # "today" or "updated"
    variant: str | None = None
    translations: list[int] = field(default_factory=list)
    revision: int = 1
    removed_status: int | None = None
    skin: str = "classic"
    modified: datetime | None = None  # set by the site's clock when published by publish() or edited
    lead_image: bool = False  # a photo above the text (CDN), also og:image / JSON-LD image
    caption: int = 0  # which photo caption the skins that print one print
    pictures: list[Picture] = field(default_factory=list)  # photos in the text

    @property
    def lastmod(self) -> datetime:
        """When the page last changed, as the sitemaps say: its publication, or its latest change."""
        return self.modified or self.published

    @property
    def path(self) -> str:
        suffix = f"-{self.article_id}" if self.article_id else ""
        return f"/{self.lang}/{self.category_slug}/{self.slug}{suffix}"

    @property
    def teaser(self) -> str:
        """The paywalled page's visible text: cut at a word boundary after ~420 characters, then '...'."""
        text = " ".join(p for p in self.paragraphs)
        cut = text.rfind(" ", 0, 420)
        return text[:cut].rstrip(" ,.;:") + "..."

    @property
    def body(self) -> str:
        return self.teaser if self.paywalled else "\n\n".join(self.paragraphs)


def slugify(title: str) -> str:
    """Lowercase ASCII slug, transliterating az and ru letters as the real site does."""
    out = []
    for ch in title.lower():
        out.append(texts.SLUG_LETTERS.get(ch, ch))
    slug = re.sub(r"[^a-z0-9]+", "-", "".join(out))
    return slug.strip("-")


def _pick_category(rng: random.Random, lang: str) -> tuple[str, str]:
    return rng.choice(texts.CATEGORIES[lang])


class Site:
    """The articles of the replica and the operations that make its time move (publish, edit, remove)."""

    def __init__(
        self,
        articles: int = 300,
        seed: int = 1,
        now: datetime = DEFAULT_NOW,
        faults: bool = True,
        layout: str = "classic",
        skins: bool = True,
    ):
        if layout not in LAYOUTS:
            raise ValueError(f"unknown layout {layout!r} (one of {', '.join(LAYOUTS)})")
        self.seed = seed
        self.now = now
        self.faults = faults
        self.layout = layout
        self.skins = skins
        self.lock = threading.Lock()
        self.generation = 0  # bumped on every change, so caches can key on it
        self._live_cache: dict[tuple, list[Article]] = {}
        self._span = (now - timedelta(days=1)) - FIRST_DATE
        self._count = articles
        self.articles: list[Article] = [self._generate(i) for i in range(articles)]
        self.seed_article = self._seed_article()
        self._link_translations()
        self._assign_variants()
        self.by_path = {a.path: a for a in self.all_articles()}
        self.clock = now  # the site's clock: moves a minute (or past the newest date) on every change
        self.month_touched: dict[tuple[str, str], datetime] = {}  # (lang, "YYYY-MM") -> last removal

    # -- generation -------------------------------------------------------------------------------
    def _published_at(self, index: int, rng: random.Random) -> datetime:
        if index < self._count:
            base = FIRST_DATE + self._span * (index / max(self._count - 1, 1))  # the last: a day before now
        else:  # published later by publish(): after the newest generated article, minutes apart
            base = self.now - timedelta(days=1) + timedelta(minutes=7 * (index - self._count + 1))
        return (base + timedelta(minutes=rng.randint(0, 50))).replace(second=0, microsecond=0)

    def _generate(self, index: int) -> Article:
        rng = random.Random(f"{self.seed}:{index}")
        lang = texts.LANGS[index % 3]
        text_lang = lang
        if lang != "az" and rng.random() < 0.05:
            text_lang = "az"  # SITE.md: some /en/ and /ru/ URLs hold Azerbaijani text
        slug_c, label = _pick_category(rng, lang)
        published = self._published_at(index, rng)
        title = rng.choice(texts.TITLE_PATTERNS[text_lang]).format(
            s=rng.choice(texts.SUBJECTS[text_lang]), o=rng.choice(texts.OBJECTS[text_lang])
        )
        title = title[0].upper() + title[1:]
        sentences = texts.SENTENCES[text_lang]
        paragraphs = [" ".join(rng.sample(sentences, rng.randint(2, 4))) for _ in range(rng.randint(3, 9))]
        art = Article(
            index=index,
            lang=lang,
            text_lang=text_lang,
            category_slug=slug_c,
            category=label,
            article_id=None,
            slug="",
            title=title,
            published=published,
            paragraphs=paragraphs,
        )
        if published.year <= 2023 and rng.random() < 0.7:
            city, agency = texts.DATELINE_CITY[text_lang]
            art.paragraphs[0] = f"{city}/{published:%d.%m.%y}/{agency}: " + art.paragraphs[0]
        if published.year >= 2024 and rng.random() < 0.15:
            art.live = True
            art.paragraphs = self._live_blocks(rng, published, sentences)
        id_roll = rng.random()
        if id_roll < 0.10:
            art.article_id = None
        elif published.year < 2019 and id_roll < 0.30:
            art.article_id = 1800000 + index * 37 % 400000  # legacy 7-digit ids of migrated items
        else:
            art.article_id = FIRST_ID + index * 3 + rng.randint(0, 2)
        art.slug = slugify(title)
        if art.article_id is None:
            art.slug = f"{art.slug}-{slugify(rng.choice(texts.SUBJECTS['en']))}-{index}"
        roll = rng.random()
        if roll < 0.25:
            art.author, art.author_style = rng.choice(texts.AUTHORS[text_lang]), "byline"
        elif roll < 0.40:
            art.author, art.author_style = rng.choice(texts.AUTHORS[text_lang]), "after"
        art.metadata = rng.choice(["jsonld", "jsonld", "graph", "og", "og", "none", "none"])
        if art.author is None and art.metadata in ("jsonld", "graph") and rng.random() < 0.3:
            art.author, art.author_style = rng.choice(texts.AUTHORS[text_lang]), "meta"
        code_chance = 0.75 if published.year < 2024 else 0.2
        if not art.live and rng.random() < code_chance:
            art.editor_code_printed, art.editor_code = rng.choice(texts.EDITOR_CODES)
            art.editor_code_inline = rng.random() < 0.4
        art.paywalled = not art.live and rng.random() < 0.12
        if art.paywalled:  # code and author line close the full text, which a paywalled page does not show
            art.editor_code_printed = art.editor_code = None
            if art.author_style == "after":
                art.author = art.author_style = None
        art.title_twice = rng.random() < 0.3
        art.ru_genitive = rng.random() < 0.5
        art.header_style = "updated" if rng.random() < 0.2 else "today"
        if self.skins:  # its own random stream, so skins never change an article's content
            art.skin = SKINS[int(random.Random(f"{self.seed}:{index}:skin").random() * len(SKINS))]
        self._illustrate(art)
        return art

    def _illustrate(self, art: Article) -> None:
        """Photos: most articles have a lead image; some have photos in the text (never a paywalled or live
        one: their text is cut or in blocks). Every 50th article (index 3, 53, ...) also shows a scan from
        the CDN's disallowed /private/ directory. Its own random stream: nothing else changes."""
        rng = random.Random(f"{self.seed}:{art.index}:images")
        art.lead_image = rng.random() < 0.85
        art.caption = rng.randrange(3)
        slots = len(art.paragraphs) - 1  # never after the last paragraph (its editor code or author line)
        if art.paywalled or art.live or slots < 1:
            return
        count = min(rng.choice((0, 0, 1, 1, 2, 3)), slots)
        places = sorted(rng.sample(range(slots), count))
        art.pictures = [Picture(n + 1, rng.choice(PICTURE_FORMS), after) for n, after in enumerate(places)]
        if art.index % 50 == 3:
            art.pictures.append(Picture(len(art.pictures) + 1, "private", slots - 1))

    @staticmethod
    def _live_blocks(rng: random.Random, published: datetime, sentences: list[str]) -> list[str]:
        blocks: list[str] = []
        stamp = published + timedelta(hours=rng.randint(3, 6))
        for n in range(rng.randint(2, 4)):
            if n:
                blocks.append("* * *")
            blocks.append(f"{stamp:%Y-%m-%d %H:%M}")
            blocks.append(" ".join(rng.sample(sentences, rng.randint(2, 3))))
            stamp -= timedelta(minutes=rng.randint(20, 90))
        return blocks

    def _seed_article(self) -> Article:
        raw = resources.files(__package__).joinpath("data/seed-article.txt").read_text(encoding="utf-8")
        title, _, body = raw.partition("\n\n")
        return Article(
            index=-1,
            lang="en",
            text_lang="en",
            category_slug="politics",
            category="Politics",
            article_id=764817,
            slug=SEED_ARTICLE_PATH.split("/")[3].rsplit("-", 1)[0],
            title=title.strip(),
            published=datetime(2023, 4, 30, 20, 41, tzinfo=BAKU),
            paragraphs=[line for line in body.splitlines() if line.strip()],
            author="Alex Raufoglu",
            author_style="after",
            metadata="none",
            lead_image=True,
        )

    def _link_translations(self) -> None:
        """Every 10th article gets a translation: the next article in another language, same story."""
        for art in self.articles:
            if art.index % 10 == 1 and art.index + 1 < self._count:
                other = self.articles[art.index + 1]
                if other.text_lang == other.lang and art.text_lang == art.lang:
                    other.published = art.published
                    art.translations.append(other.index)
                    other.translations.append(art.index)

    def _assign_variants(self) -> None:
        """Give the first suitable articles each served variant, so small sites have every one."""
        wanted = [v for v in VARIANTS if v != "huge" or self.faults]
        for variant in wanted:
            for art in self.articles:
                ru_only = variant.startswith("cp1251") or variant == "wrong_charset"
                if art.variant or art.paywalled or (ru_only and art.text_lang != "ru"):
                    continue
                if variant == "latin1_header" and art.text_lang == "en":
                    continue
                art.variant = variant
                break

    # -- views ------------------------------------------------------------------------------------
    def all_articles(self) -> list[Article]:
        return [*self.articles, self.seed_article]

    def live_articles(self, lang: str | None = None, category: str | None = None) -> list[Article]:
        """Articles still online, newest first (memoised until the site changes)."""
        key = (self.generation, lang, category)
        if key not in self._live_cache:
            found = [
                a
                for a in self.all_articles()
                if a.removed_status is None
                and (lang is None or a.lang == lang)
                and (category is None or a.category_slug == category)
            ]
            if len(self._live_cache) > 64:
                self._live_cache.clear()
            self._live_cache[key] = sorted(found, key=lambda a: (a.published, a.index), reverse=True)
        return self._live_cache[key]

    def article_truth(self, art: Article) -> dict:
        return {
            "url": art.path,
            "lang": art.lang,
            "text_lang": art.text_lang,
            "category": art.category,
            "category_slug": art.category_slug,
            "article_id": art.article_id,
            "title": art.title,
            "author": art.author,
            "published_at": art.published.isoformat(),
            "editor_code": art.editor_code,
            "paywalled": int(art.paywalled),
            "body": art.body,
            "word_count": len(art.body.split()),
            "translations": [self.articles[i].path for i in art.translations],
            "revision": art.revision,
            "variant": art.variant,
            "removed_status": art.removed_status,
            "skin": art.skin,
        }

    # -- time that moves --------------------------------------------------------------------------
    def _tick(self) -> datetime:
        """The site's clock for one change: a minute on, and later than any date the site has shown."""
        newest = max(a.lastmod for a in self.all_articles())
        self.clock = max(self.clock, newest) + timedelta(minutes=1)
        return self.clock

    def publish(self, count: int) -> list[Article]:
        """Publish ``count`` new articles, dated after every existing one."""
        with self.lock:
            new = [self._generate(len(self.articles) + k) for k in range(count)]
            for art in new:
                self.articles.append(art)
                self.by_path[art.path] = art
            stamp = self._tick()
            for art in new:
                art.modified = max(stamp, art.published)
            self.generation += 1
            return new

    def edit(self, path: str) -> Article:
        """Edit an article: its text gains a correction paragraph, and its lastmod moves to the clock."""
        with self.lock:
            art = self.by_path[path]
            art.modified = self._tick()
            art.revision += 1
            note = {
                "en": "Correction: an earlier version of this article misstated a figure.",
                "az": "Düzəliş: məqalənin əvvəlki versiyasında rəqəm səhv göstərilmişdi.",
                "ru": "Поправка: в предыдущей версии статьи была неверно указана цифра.",
            }[art.text_lang]
            art.paragraphs.append(f"{note} (rev. {art.revision})")
            self.generation += 1
            return art

    def remove(self, path: str, status: int = 410) -> Article:
        """Take an article down: it answers ``status`` (404 or 410) from now on."""
        with self.lock:
            art = self.by_path[path]
            art.removed_status = status
            self.month_touched[(art.lang, f"{art.published:%Y-%m}")] = self._tick()
            self.generation += 1
            return art
