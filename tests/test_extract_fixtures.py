"""Extraction on hand-written pages in markups that are NOT the replica's: every field, every page.

Each case is a page as some other layout of turan.az might serve it, with all the fields a reader would
write down for it. A field the page does not give must come out as None, never as a guess.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from turan_crawler.extract import extract, parse_article, why_not_article
from turan_crawler.replica.site import TRUTH_FIELDS

PAGES = Path(__file__).parent / "fixtures" / "pages"
SITE = "https://turan.az"
HTML_UTF8 = {"Content-Type": "text/html; charset=utf-8"}

SEED_BODY = (
    (PAGES.parent.parent.parent / "turan_crawler" / "replica" / "data" / "seed-article.txt")
    .read_text(encoding="utf-8")
    .split("\n\n", 1)[1]
    .strip()
    .replace("\n", "\n\n")
)

CASES = {
    "jsonld_only.html": dict(
        url="/en/economics/gas-exports-to-europe-will-not-double-experts-say-785500",
        title="Gas Exports to Europe Will Not Double, Experts Say",
        author="Shahla Sultanova",
        published_at="2024-03-05T10:15:00+04:00",
        category="Economics",
        category_slug="economics",
        article_id=785500,
        editor_code="06D",
        paywalled=0,
        lang="en",
        text_lang="en",
        body="Azerbaijan will not be able to double its gas exports to Europe by 2027, as promised in the "
        "memorandum signed with the European Commission, independent experts told Turan.\n\n"
        "According to them, the Shah Deniz field has reached its production plateau, and new fields will "
        "not give significant volumes before the end of the decade.\n\n"
        "The Ministry of Energy did not respond to a request for comment.",
        latest_news=[f"{SITE}/en/politics/some-story-790001", f"{SITE}/en/politics/another-story-790002"],
    ),
    "jsonld_graph_az.html": dict(
        url="/az/siyaset/muxalifet-secki-qanununa-deyisiklikleri-tenqid-edir-780400",
        title="Müxalifət seçki qanununa dəyişiklikləri tənqid edir",
        author=None,  # the agency is no author
        published_at="2022-11-17T16:40:00+04:00",
        category="Siyasət",
        category_slug="siyaset",
        article_id=780400,
        editor_code="05D04",
        paywalled=0,
        lang="az",
        text_lang="az",
        body="Bakı/17.11.22/Turan: Müxalifət partiyaları Seçki Məcəlləsinə təklif olunan dəyişiklikləri siyasi "
        "rəqabəti daha da məhdudlaşdıran addım kimi qiymətləndirirlər.\n\n"
        "Onların fikrincə, namizədlərin qeydiyyatı üçün tələb olunan imzaların sayının artırılması kiçik "
        "partiyaları seçkidən kənarda qoyacaq.\n\n"
        "Milli Məclisin deputatları isə dəyişikliklərin seçki prosesini şəffaflaşdıracağını bildirirlər.",
    ),
    "opengraph_only_ru.html": dict(
        url="/ru/politika/ceny-na-xleb-v-baku-vyrosli-na-20-procentov-781200",
        title="Цены на хлеб в Баку выросли на 20 процентов",
        author="Нурлан Алиев",
        published_at="2023-02-10T09:30:00+00:00",
        category="Политика",
        category_slug="politika",
        article_id=781200,
        editor_code=None,
        paywalled=0,
        lang="ru",
        text_lang="ru",
        body="Баку/10.02.23/Туран: Цены на хлеб в столичных магазинах за месяц выросли в среднем на 20 процентов, "
        "сообщили Turan жители нескольких районов.\n\n"
        "Пекарни объясняют подорожание ростом цен на муку и электроэнергию.\n\n"
        "Антимонопольная служба заявила, что изучает ситуацию на рынке.",
    ),
    "no_metadata_byline.html": dict(
        url="/en/economics/why-the-middle-corridor-matters-for-georgia-781500",
        title="Why the Middle Corridor Matters for Georgia",
        author="Kamran Mahmudov",
        published_at="2023-05-15T16:21:00+04:00",  # not the header's "today", not the related item's date
        category="Economics",
        category_slug="economics",
        article_id=781500,
        editor_code=None,
        paywalled=0,
        lang="en",
        text_lang="en",
        body="The Middle Corridor, which links China with Europe through Central Asia, the Caspian Sea and the "
        "South Caucasus, has gained new importance since 2022.\n\n"
        "Georgian ports on the Black Sea are already working at the limit of their capacity, and the "
        "construction of the deep-water port in Anaklia has been delayed again.\n\n"
        "Analysts believe that without new investments the route will not be able to compete with the "
        "northern corridor through Russia.",
        related=[f"{SITE}/en/economics/the-bank-raised-its-rate-781000"],
    ),
    "old_layout_free.html": dict(
        url="/ext/news/2017/10/free/politics/az/1234567.htm",
        title="Neft Fondu büdcəyə əlavə vəsait köçürəcək",
        author=None,
        published_at="2017-10-28T15:07:34+04:00",
        category=None,
        category_slug="politics",
        article_id=1234567,
        editor_code="0",
        paywalled=0,
        lang="az",
        text_lang="az",
        body="Bakı/28.10.17/Turan: Dövlət Neft Fondu gələn il dövlət büdcəsinə əlavə iki milyard manat "
        "köçürəcək.\n\nİqtisadçılar hesab edirlər ki, fondun vəsaitlərinin büdcə xərclərinə yönəldilməsi "
        "gələcək nəsillərin maraqlarına ziddir.",
    ),
    "old_layout_subscribers.html": dict(
        url="/ext/news/2016/3/subsc/politics%20news/en/1854816.htm",
        title="Opposition leader detained in Baku",
        author=None,
        published_at="2016-03-03T11:20:05+04:00",
        category=None,
        category_slug="politics_news",
        article_id=1854816,
        editor_code=None,
        paywalled=1,
        lang="en",
        text_lang="en",
        body="Baku/03.03.16/Turan: Police detained the leader of the opposition movement on Thursday morning "
        "near his home in the Yasamal district, his lawyer told Turan. The reasons for the detention have "
        "not been explained...",
    ),
    "az_relative_dates.html": dict(
        url="/az/cemiyyet/seki-sakinleri-su-qitligindan-sikayet-edirler-752100",
        title="Şəki sakinləri su qıtlığından şikayət edirlər",
        author=None,
        published_at="2016-08-27T11:21:00+04:00",
        category="Cəmiyyət",
        category_slug="cemiyyet",
        article_id=752100,
        editor_code="02D",
        paywalled=0,
        lang="az",
        text_lang="az",
        body="Bakı/27.08.16/Turan: Şəki şəhərinin bir neçə məhəlləsində sakinlər iki həftədir ki, içməli su "
        "ala bilmirlər.\n\nYerli icra hakimiyyəti problemin su xəttində aparılan təmir işləri ilə bağlı "
        "olduğunu bildirir.\n\nSakinlər isə deyirlər ki, oxşar vədlər ötən il də verilmişdi.",
        latest_news=[f"{SITE}/az/siyaset/x-790010"],
    ),
    "ru_windows1251.html": dict(
        headers={"Content-Type": "text/html; charset=windows-1251"},
        url="/ru/politika/ministerstvo-ne-otvetilo-na-zapros-turan-770300",
        title="Министерство не ответило на запрос Turan",
        author=None,
        published_at="2021-07-14T12:24:00+04:00",
        category="Политика",
        category_slug="politika",
        article_id=770300,
        editor_code="06В",
        paywalled=0,
        lang="ru",
        text_lang="ru",
        body="Баку/14.07.21/Туран: Министерство экономики не ответило на запрос Turan о причинах задержки выплат "
        "фермерам.\n\nФермеры из южных районов страны ждут компенсаций уже третий месяц.",
        latest_news=[f"{SITE}/ru/politika/x-790100"],
    ),
    "ru_cp1251_wrong_header.html": dict(
        headers=HTML_UTF8,  # the server lies: the bytes are windows-1251, as <meta> says
        url="/ru/politika/ziteli-zaluiutsia-na-nexvatku-vody-790734",
        title="Жители жалуются на нехватку воды",
        author=None,
        published_at="2026-03-19T15:32:00+04:00",
        category=None,  # the page shows no category label (the slug is in category_slug)
        category_slug="politika",
        article_id=790734,
        editor_code=None,
        paywalled=0,
        lang="ru",
        text_lang="ru",
        body="Жители нескольких районов Баку жалуются, что вода в их домах появляется только по ночам.\n\n"
        "В компании «Азерсу» объясняют перебои ремонтом магистрального водопровода.",
    ),
    "paywalled_en.html": dict(
        url="/en/economics/who-profits-from-the-new-customs-rules-789000",
        title="Who Profits from the New Customs Rules?",
        author=None,
        published_at="2024-08-26T17:13:00+04:00",
        category="Economics",
        category_slug="economics",
        article_id=789000,
        editor_code=None,
        paywalled=1,
        lang="en",
        text_lang="en",
        body="The new customs rules that came into force on August 1 have already doubled the cost of importing "
        "used cars, and importers say the changes benefit a narrow circle of companies close to the "
        "authorities. According to the State Customs Committee, the number of imported cars fell by a third "
        "in the first three weeks of the month, while the prices of new cars sold by official dealers rose "
        "by 15 percent...",
    ),
    "paywalled_ru.html": dict(
        url="/ru/politika/kto-vyigryvaet-ot-novyx-tamozennyx-pravil-790500",
        title="Кто выигрывает от новых таможенных правил?",
        author="Шахла Султанова",
        published_at="2026-03-19T15:32:00+04:00",
        category="Политика",
        category_slug="politika",
        article_id=790500,
        editor_code=None,
        paywalled=1,
        lang="ru",
        text_lang="ru",
        body="Новые таможенные правила, вступившие в силу первого августа, уже вдвое увеличили стоимость ввоза "
        "подержанных автомобилей, а импортеры говорят, что изменения выгодны узкому кругу компаний. По "
        "данным Государственного таможенного комитета, число ввезенных автомобилей за первые три недели "
        "месяца сократилось на треть...",
    ),
    "live_updates.html": dict(
        url="/en/caucasus/live-protests-in-tbilisi-788800",
        title="Live: Protests in Tbilisi",
        author=None,
        published_at="2024-12-08T10:05:00+04:00",
        category=None,  # the page shows no category label (the slug is in category_slug)
        category_slug="caucasus",
        article_id=788800,
        editor_code=None,
        paywalled=0,
        lang="en",
        text_lang="en",
        body="2024-12-08 13:33\n\nPolice have begun to disperse the protesters near the parliament building, "
        "Turan's correspondent reports.\n\n* * *\n\n2024-12-08 12:10\n\nSeveral thousand people have "
        "gathered on Rustaveli Avenue for the tenth day in a row.",
    ),
    "author_after_body.html": dict(
        url="/en/caucasus/washington-hosts-baku-and-yerevan-ministers-775000",
        title="Washington Hosts Baku and Yerevan Ministers",
        author="Alex Raufoglu",
        published_at="2023-05-01T09:02:00+04:00",
        category="Caucasus",
        category_slug="caucasus",
        article_id=775000,
        editor_code="0",
        paywalled=0,
        lang="en",
        text_lang="en",
        body="The foreign ministers of Azerbaijan and Armenia began a new round of talks near Washington on "
        "Monday, diplomatic sources told Turan.\n\nThe talks are expected to last four days and will focus "
        "on the text of the peace treaty.",
    ),
    "seed_page.html": dict(
        url="/en/politics/peace-is-possible-blinken-tells-aliyev-on-a-sunday-call-as-washington-talks-kick-off-764817",
        title="'Peace Is Possible', Blinken Tells Aliyev On A Sunday Call As Washington Talks Kick Off",
        author="Alex Raufoglu",
        published_at=None,  # "14 Jan 2026" is the page's date and the Latest-news dates are other articles'
        category=None,  # the page shows no category label (the slug is in category_slug)
        category_slug="politics",
        article_id=764817,
        editor_code=None,
        paywalled=0,
        lang="en",
        text_lang="en",
        body=SEED_BODY,
        latest_news=[
            f"{SITE}/en/politics/the-use-of-the-oreshnik-missile-790700",
            f"{SITE}/en/politics/solidarity-deferred-790690",
            f"{SITE}/en/caucasus/the-south-caucasus-in-the-context-790650",
        ],
    ),
    "generic_divs.html": dict(
        url="/en/economics/farmers-count-the-cost-of-the-drought-791000",
        title="Farmers Count the Cost of the Drought",
        author=None,
        published_at="2025-07-21T14:05:00+04:00",
        category=None,  # the page shows no category label (the slug is in category_slug)
        category_slug="economics",
        article_id=791000,
        editor_code=None,
        paywalled=0,
        lang="en",
        text_lang="en",
        body="Farmers in the south of Azerbaijan say this summer's drought has destroyed at least half of the "
        "grain harvest, and many fear they will not be able to repay their loans.\n\n"
        "In the Jalilabad and Masalli districts, irrigation canals dried up in early July, and the water "
        "promised by local authorities never arrived.\n\n"
        "The Ministry of Agriculture has promised compensation, but farmers say the procedure is too "
        "complicated and the amounts too small.",
    ),
    "translations.html": dict(
        url="/en/economics/baku-and-ankara-sign-new-energy-deal-789900",
        title="Baku and Ankara Sign New Energy Deal",
        author=None,
        published_at="2025-11-03T18:20:00+04:00",
        category=None,  # the page shows no category label (the slug is in category_slug)
        category_slug="economics",
        article_id=789900,
        editor_code=None,
        paywalled=0,
        lang="en",
        text_lang="en",
        body="Azerbaijan and Turkey signed an agreement on Monday on the supply of an additional two billion cubic "
        "meters of gas per year starting from 2027.\n\nThe document was signed in Ankara by the energy "
        "ministers of the two countries.",
        translations=[
            f"{SITE}/az/iqtisadiyyat/baki-ve-ankara-yeni-enerji-sazisi-imzaladi-789901",
            f"{SITE}/ru/politika/baku-i-ankara-podpisali-novoe-energeticheskoe-soglashenie-789902",
        ],
    ),
    "en_url_az_text.html": dict(
        url="/en/social/jurnalistlerin-hebsi-beynelxalq-teskilatlari-narahat-edir",
        title="Jurnalistlərin həbsi beynəlxalq təşkilatları narahat edir",
        author=None,
        published_at="2025-06-05T10:00:00+04:00",
        category=None,  # the page shows no category label (the slug is in category_slug)
        category_slug="social",
        article_id=None,
        editor_code=None,
        paywalled=0,
        lang="en",
        text_lang="az",
        body="Beynəlxalq insan hüquqları təşkilatları Azərbaycanda jurnalistlərin həbsindən narahat olduqlarını "
        "bildiriblər.\n\nOnlar həbs olunan jurnalistlərin dərhal azad edilməsini tələb edirlər.\n\n"
        "Hökumət isə jurnalistlərin qanunsuz fəaliyyətdə ittiham olunduqlarını bildirir.",
    ),
}
FIELDS = TRUTH_FIELDS[:-1]  # word_count is checked on its own


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_page_gives_every_field(name):
    case = dict(CASES[name])
    url = SITE + case.pop("url")
    article = parse_article(url, (PAGES / name).read_bytes(), case.pop("headers", HTML_UTF8))
    assert article is not None, f"{name}: {why_not_article(url, (PAGES / name).read_bytes(), HTML_UTF8)}"
    assert {f: article[f] for f in FIELDS} == {f: case[f] for f in FIELDS}
    assert article["word_count"] == len(case["body"].split())
    assert article["extracted_by"] == case.get("extracted_by", "site")
    for kind in ("latest_news", "related", "translations"):
        assert article[kind] == case.get(kind, []), kind


@pytest.mark.parametrize(
    "headers", [{"Content-Type": "text/html; charset=UTF-8", "cf-mitigated": "challenge"}, HTML_UTF8]
)
def test_challenge_page_is_not_an_article(headers):
    body = (PAGES / "challenge.html").read_bytes()
    assert parse_article(f"{SITE}/en/politics/some-story-790001", body, headers) is None
    assert why_not_article(f"{SITE}/en/politics/some-story-790001", body, headers) == "challenge"


def test_listing_page_is_not_an_article_but_offers_its_links():
    result = extract(f"{SITE}/en/news-line?page=3", (PAGES / "listing.html").read_bytes(), HTML_UTF8)
    assert result.article is None and result.reason == "listing"
    assert result.links["next_page"] == [f"{SITE}/en/news-line?page=2", f"{SITE}/en/news-line?page=4"]
    assert result.links["article"] == [
        f"{SITE}/en/politics/amnesty-international-condemns-arrests-of-meydan-tv-journalists-in-azerbaijan-788211",
        f"{SITE}/en/social/turan-news-agencys-statement",
    ]


def test_error_page_is_not_an_article():
    body = (PAGES / "not_found.html").read_bytes()
    assert why_not_article(f"{SITE}/en/politics/removed-story-780000", body, HTML_UTF8) == "error"


# -- bad input: never an exception, never a bogus article ----------------------------------------


@pytest.mark.parametrize(
    "body,headers,reason",
    [
        (b"", HTML_UTF8, "empty"),
        (b"   \n", HTML_UTF8, "empty"),
        (
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)),
            {"Content-Type": "application/pdf"},
            "not_html",
        ),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)), HTML_UTF8, "not_html"),  # a JPEG that says HTML
        (b"\x00\x01\x02garbage\x00", {}, "not_html"),
    ],
)
def test_non_html_input_is_refused_with_a_reason(body, headers, reason):
    assert why_not_article(f"{SITE}/en/politics/x-780000", body, headers) == reason


def test_page_without_title_or_text_is_refused():
    body = b"<html><body><div>Menu</div><p>Short.</p></body></html>"
    assert why_not_article(f"{SITE}/en/politics/x-780000", body, HTML_UTF8) in ("no_text", "no_title")


def test_truncated_html_keeps_what_is_certain():
    full = (PAGES / "no_metadata_byline.html").read_bytes()
    cut = full[: full.index(b"Analysts believe")]
    article = parse_article(
        f"{SITE}/en/economics/why-the-middle-corridor-matters-for-georgia-781500", cut, HTML_UTF8
    )
    assert article is not None
    assert article["title"] == "Why the Middle Corridor Matters for Georgia"
    assert article["published_at"] == "2023-05-15T16:21:00+04:00"
    assert article["body"].count("\n\n") == 1 and "Analysts" not in article["body"]


def test_twenty_megabyte_page_is_parsed():
    page = (PAGES / "jsonld_only.html").read_bytes()
    huge = page.replace(b"</body>", b"<script>var x='" + b"y" * (20 * 1024 * 1024) + b"';</script></body>")
    article = parse_article(
        f"{SITE}/en/economics/gas-exports-to-europe-will-not-double-experts-say-785500", huge, HTML_UTF8
    )
    assert article is not None and article["editor_code"] == "06D"
