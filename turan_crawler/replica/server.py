"""The replica's HTTP/1.1 server on 127.0.0.1: threads, keep-alive, and the transports faults need.

A :class:`ReplicaServer` runs two listeners by default: the site, and its CDN on another port (the same
:class:`ReplicaApp`, asked with ``origin="cdn"``), started and stopped together.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .app import ReplicaApp, Response

log = logging.getLogger(__name__)
CHUNK = 16 * 1024


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    app: ReplicaApp  # set on the subclass made by ReplicaServer
    origin = "main"  # or "cdn"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self._serve("POST")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("replica: " + format, *args)

    def _serve(self, method: str) -> None:
        resp = self.app.respond(
            method,
            self.path,
            self.headers.get("Host", "127.0.0.1"),
            self.headers.get("Accept-Encoding", ""),
            headers=self.headers,
            origin=self.origin,
        )
        if resp.delay:
            time.sleep(resp.delay)
        self.send_response(resp.status)
        for name, value in resp.headers:
            self.send_header(name, value)
        if method == "HEAD":  # the GET's headers, no body
            if resp.transport != "headers_only":
                self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            return
        writer = {
            "headers_only": self._headers_only,
            "plain": self._plain,
            "chunked": self._chunked,
            "drop_mid_body": self._drop_mid_body,
            "short_body": self._short_body,
        }[resp.transport]
        writer(resp)

    def _headers_only(self, resp: Response) -> None:
        """A 304: no body, and no Content-Length (it would describe the representation, not this reply)."""
        self.end_headers()

    def _plain(self, resp: Response) -> None:
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        self.wfile.write(resp.body)

    def _chunked(self, resp: Response) -> None:
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for start in range(0, len(resp.body), CHUNK):
            piece = resp.body[start : start + CHUNK]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        self.wfile.write(b"0\r\n\r\n")

    def _drop_mid_body(self, resp: Response) -> None:
        """A chunked body whose connection dies half way: no terminating chunk ever comes."""
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        half = resp.body[: len(resp.body) // 2]
        self.wfile.write(b"%x\r\n%s\r\n" % (len(half), half))
        self._hang_up()

    def _short_body(self, resp: Response) -> None:
        """Content-Length promises more than is sent, then the connection closes."""
        self.send_header("Content-Length", str(len(resp.body) + 4096))
        self.end_headers()
        self.wfile.write(resp.body)
        self._hang_up()

    def _hang_up(self) -> None:
        self.wfile.flush()
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up (a killed crawl) is normal here: log it, do not print a traceback."""
        log.debug("replica: connection from %s ended abruptly", client_address, exc_info=True)


class ReplicaServer:
    """A running replica: ``with ReplicaServer(app) as server: server.url``.

    ``cdn=True`` (the default) also listens on ``cdn_port`` (0: any free port) for the site's CDN and tells
    the app its base (``server.cdn_url``), so pages reference it; ``cdn=False``: no second listener, the
    main host serves the CDN's files itself.
    """

    def __init__(
        self, app: ReplicaApp, host: str = "127.0.0.1", port: int = 0, cdn: bool = True, cdn_port: int = 0
    ):
        handler = type("ReplicaHandler", (_Handler,), {"app": app})
        self.httpd = _QuietServer((host, port), handler)
        self.cdn_httpd: _QuietServer | None = None
        if cdn:
            cdn_handler = type(
                "ReplicaCdnHandler",
                (_Handler,),
                {"app": app, "origin": "cdn", "server_version": "replica-cdn"},
            )
            try:
                self.cdn_httpd = _QuietServer((host, cdn_port), cdn_handler)
            except OSError:
                self.httpd.server_close()
                raise
        self.app = app
        app.base_url = self.url
        app.cdn_base = self.cdn_url
        self._threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cdn_port(self) -> int | None:
        return self.cdn_httpd.server_address[1] if self.cdn_httpd else None

    @property
    def cdn_url(self) -> str | None:
        """The CDN's base, ``http://127.0.0.1:PORT``; None without a separate CDN."""
        return f"http://127.0.0.1:{self.cdn_port}" if self.cdn_httpd else None

    def _servers(self) -> list[_QuietServer]:
        return [self.httpd] + ([self.cdn_httpd] if self.cdn_httpd else [])

    def start(self) -> ReplicaServer:
        for name, httpd in zip(("replica", "replica-cdn"), self._servers(), strict=False):
            thread = threading.Thread(target=httpd.serve_forever, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for httpd in self._servers():
            httpd.shutdown()
        self.close()

    def close(self) -> None:
        """Close the listening sockets (after ``serve_forever`` returned, or instead of ``stop``)."""
        for httpd in self._servers():
            httpd.server_close()

    def serve_forever(self) -> None:
        """Serve in this thread (the CDN, if any, in a background one) until interrupted."""
        if self.cdn_httpd:
            thread = threading.Thread(target=self.cdn_httpd.serve_forever, name="replica-cdn", daemon=True)
            thread.start()
            self._threads.append(thread)
        self.httpd.serve_forever()

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
