"""The fence around what a crawl or a capture may reach: a loopback, link-local, private or reserved address
only when the user gave that host, however the address is written (one number, hex, octal, short forms)
and whatever a public-looking name resolves to. Each refusal is proven at a listener: nothing reaches it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from conftest import capture_args, counting_listener, index, run_cli, tiny_site
from scrapy.settings import Settings
from twisted.internet.error import DNSLookupError

from turan_crawler.addresses import PublicResolver, non_public_address

# 127.0.0.1 as the resolver also reads it (0 is 0.0.0.0, which Linux connects to the local host)
LOOPBACK_FORMS = ["2130706433", "0x7f000001", "127.1", "0177.0.0.1", "0"]


@pytest.mark.parametrize(
    "host,kind",
    [
        ("2852039166", "link-local"),
        ("0xa9fea9fe", "link-local"),
        ("169.254.169.254", "link-local"),
        ("127.1", "loopback"),
        ("0177.0.0.1", "loopback"),
        ("2130706433", "loopback"),
        ("[::1]", "loopback"),
        ("localhost.", "loopback"),
        ("10.0.0.1", "private"),
        ("100.64.0.1", "non-public"),
    ],
)
def test_an_internal_address_is_known_in_every_form_the_resolver_reads(host, kind):
    assert kind in non_public_address(host)


@pytest.mark.parametrize("host", ["turan.az", "8.8.8.8", "1e3", "999999999999", "[2606:4700::1111]"])
def test_public_hosts_and_names_are_not_internal(host):
    assert non_public_address(host) is None


def pointing_at(targets: list[str]):
    """A site whose /page shows an image from each target and whose /to/N redirects to target N."""
    images = "".join(f"<img src='{target}/image.png'>" for target in targets)
    page = f"<html><body><h1>A page</h1><p>Text.</p>{images}</body></html>".encode()

    def respond(path: str):
        if path.startswith("/to/"):
            return 302, [("Location", targets[int(path[4:])] + "/story")], b""
        if path == "/plain":
            return 200, [("Content-Type", "text/html")], b"<html><body><p>Plain.</p></body></html>"
        return 200, [("Content-Type", "text/html")], page

    return respond


def test_a_capture_reaches_no_form_of_a_loopback_address_it_was_not_given(tmp_path):
    with counting_listener("127.0.0.1") as listener:
        targets = [f"http://{form}:{listener.port}" for form in LOOPBACK_FORMS]
        with tiny_site(pointing_at(targets)) as base:
            redirects = [f"{base}/to/{n}" for n in range(len(targets))]
            result = run_cli(*capture_args(tmp_path, f"{base}/page", *redirects))
    assert "Traceback" not in result.stderr + result.stdout
    assert listener.connections == 0
    refused = {
        url for (url,) in index(tmp_path).execute("select url from captures where outcome = 'refused'")
    }
    assert {t + "/story" for t in targets} | {t + "/image.png" for t in targets} <= refused


def test_a_name_that_resolves_to_an_internal_address_is_reached_only_when_given(tmp_path, internal_name):
    name, address = internal_name
    with counting_listener(address) as listener:
        target = f"http://{name}:{listener.port}"
        with tiny_site(pointing_at([target]), host=address) as base:
            refused = run_cli(*capture_args(tmp_path / "a", f"{base}/page", f"{base}/to/0"))
            given = run_cli(
                *capture_args(tmp_path / "b", "--requisites", "none", f"{base}/plain".replace(address, name))
            )
    assert listener.connections == 0
    assert f"refused to connect to {name}: it resolves to {address}" in refused.stderr
    failed = dict(
        index(tmp_path / "a").execute("select url, outcome from captures where url like ?", [target + "%"])
    )
    assert failed == {f"{target}/image.png": "error", f"{target}/story": "error"}
    assert given.returncode == 0, given.stdout + given.stderr  # the user gave that name: it is reached


class Owner:
    """What Scrapy hands the resolver: its crawlers (with their spiders) and the settings."""

    def __init__(self, spider, archive_enabled: bool):
        self.crawlers = [SimpleNamespace(spider=spider)]
        self.settings = Settings({"ARCHIVE_ENABLED": archive_enabled})


def resolver_for(owner: Owner) -> PublicResolver:
    resolver = PublicResolver.__new__(PublicResolver)  # no reactor: only the fence is asked
    resolver.owner = owner
    return resolver


def test_an_internal_answer_is_kept_only_for_a_name_given_or_a_look_that_archives_nothing():
    given = SimpleNamespace(given_hosts=frozenset({"replica.test"}))
    unfenced = SimpleNamespace()  # Scrapy's own spider, in `scrapy shell URL`
    assert resolver_for(Owner(given, True))._public("127.0.0.1", "replica.test") == "127.0.0.1"
    with pytest.raises(DNSLookupError):
        resolver_for(Owner(given, True))._public("127.0.0.1", "metadata.example")
    assert resolver_for(Owner(unfenced, False))._public("127.0.0.1", "typed.example") == "127.0.0.1"
    with pytest.raises(DNSLookupError):  # `python -m scrapy shell` or runspider, archiving
        resolver_for(Owner(unfenced, True))._public("127.0.0.1", "typed.example")
