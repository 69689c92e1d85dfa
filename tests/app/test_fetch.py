"""Fetching pages from a local HTTP server on 127.0.0.1: bytes, redirects, errors, time-outs."""

from __future__ import annotations

import gzip
import re
import threading
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app import __version__
from app.importers.base import ImportRefused
from app.importers.fetch import FetchedPage, fetch_url
from tests.helpers.corpus import corpus_dir

CORPUS = corpus_dir()
PAGE_NAME = "theverge.com.ios13.html"
FALLBACK_PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Local page</title></head>"
    "<body><article><p>Grüße — a page served by the test server.</p></article></body></html>"
).encode()
PAGE = (CORPUS / "html" / PAGE_NAME).read_bytes() if CORPUS else FALLBACK_PAGE
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
SLOW_SECONDS = 1.5
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen_user_agents: list[str] = []

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
              **extra: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        _Handler.seen_user_agents.append(self.headers.get("User-Agent", ""))
        path = self.path
        try:
            if path == "/article.html":
                self._send(200, PAGE, ETag='"v1"',
                           Last_Modified="Wed, 03 Jul 2019 12:00:00 GMT", X_Other="dropped")
            elif path == "/redirect":
                self._send(302, b"", Location="/hop")
            elif path == "/hop":
                self._send(301, b"", Location="/article.html")
            elif path == "/loop":
                self._send(302, b"", Location="/loop")
            elif path == "/to-ftp":
                self._send(302, b"", Location="ftp://127.0.0.1/file")
            elif path == "/gzip":
                self._send(200, gzip.compress(PAGE), Content_Encoding="gzip")
            elif path == "/deflate":
                self._send(200, zlib.compress(PAGE), Content_Encoding="deflate")
            elif path == "/report.pdf":
                self._send(200, PDF, content_type="application/pdf")
            elif path == "/download":
                self._send(200, PDF, content_type="application/octet-stream")
            elif path == "/blob":
                self._send(200, bytes(range(256)), content_type="application/octet-stream")
            elif path == "/image.png":
                self._send(200, b"\x89PNG\r\n\x1a\n" + bytes(20), content_type="image/png")
            elif path == "/big":
                self._send(200, b"<html>" + b"x" * 5000 + b"</html>")
            elif path == "/cut-gzip":
                self._send(200, gzip.compress(PAGE)[:-40], Content_Encoding="gzip")
            elif path == "/bomb":
                self._send(200, gzip.compress(b" " * 200_000), Content_Encoding="gzip")
            elif path == "/slow":
                time.sleep(SLOW_SECONDS)
                self._send(200, PAGE)
            elif path == "/trickle":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "100")
                self.end_headers()
                for _ in range(10):
                    self.wfile.write(b"<p>x</p>  ")
                    self.wfile.flush()
                    time.sleep(SLOW_SECONDS / 5)
            elif path == "/chunked":
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for start in range(0, len(PAGE), 7000):
                    piece = PAGE[start:start + 7000]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")
            elif path == "/error":
                self._send(500, b"<html>oops</html>")
            else:
                self._send(404, b"<html>not here</html>")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (time-out tests)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)


def _assert_retrieved_now(page: FetchedPage, before: datetime) -> None:
    assert ISO_Z.match(page.retrieved_at), page.retrieved_at
    when = datetime.strptime(page.retrieved_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert before - timedelta(seconds=1) <= when <= datetime.now(UTC) + timedelta(seconds=1)


def test_fetches_exact_bytes_status_and_headers(server: str) -> None:
    before = datetime.now(UTC)
    page = fetch_url(f"{server}/article.html", timeout=10)
    assert page.body == PAGE
    assert page.status == 200
    assert page.requested_url == page.final_url == f"{server}/article.html"
    assert page.headers == {
        "content-type": "text/html; charset=utf-8",
        "last-modified": "Wed, 03 Jul 2019 12:00:00 GMT",
        "etag": '"v1"',
    }
    assert page.content_type == "text/html"
    assert page.charset == "utf-8"
    assert page.content_encoding is None
    assert page.redirects == []
    _assert_retrieved_now(page, before)
    assert _Handler.seen_user_agents[-1] == f"Dossier/{__version__}"


def test_follows_redirects_and_records_final_url(server: str) -> None:
    page = fetch_url(f"{server}/redirect", timeout=10)
    assert page.requested_url == f"{server}/redirect"
    assert page.final_url == f"{server}/article.html"
    assert page.redirects == [f"{server}/redirect", f"{server}/hop"]
    assert page.status == 200
    assert page.body == PAGE


def test_chunked_transfer_is_reassembled(server: str) -> None:
    assert fetch_url(f"{server}/chunked", timeout=10).body == PAGE


@pytest.mark.parametrize(("path", "encoding"), [("/gzip", "gzip"), ("/deflate", "deflate")])
def test_content_encoding_is_undone_and_noted(server: str, path: str, encoding: str) -> None:
    page = fetch_url(f"{server}{path}", timeout=10)
    assert page.body == PAGE
    assert page.content_encoding == encoding


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/error", 500)])
def test_http_errors_are_refused_with_status_and_url(server: str, path: str, status: int) -> None:
    with pytest.raises(ImportRefused) as caught:
        fetch_url(f"{server}{path}", timeout=10)
    message = str(caught.value)
    assert f"{server}{path}" in message
    assert f"answered {status}" in message


def test_slow_server_times_out(server: str) -> None:
    with pytest.raises(ImportRefused, match="timed out"):  # not the page, sent later
        fetch_url(f"{server}/slow", timeout=0.3)


def test_trickling_body_is_bounded_by_the_overall_timeout(server: str) -> None:
    with pytest.raises(ImportRefused, match="timed out"):  # each piece comes in time; the
        fetch_url(f"{server}/trickle", timeout=0.5)  # whole body does not


def test_too_large_bodies_are_refused(server: str) -> None:
    with pytest.raises(ImportRefused, match="larger than 1,000 bytes"):
        fetch_url(f"{server}/big", timeout=10, max_bytes=1000)


def test_decompression_is_bounded_too(server: str) -> None:
    with pytest.raises(ImportRefused, match="larger than 100,000 bytes"):
        fetch_url(f"{server}/bomb", timeout=10, max_bytes=100_000)


def test_truncated_gzip_is_refused(server: str) -> None:
    with pytest.raises(ImportRefused, match="corrupt or cut short"):
        fetch_url(f"{server}/cut-gzip", timeout=10)


def test_pdf_urls_return_the_pdf_bytes(server: str) -> None:
    assert fetch_url(f"{server}/report.pdf", timeout=10).body == PDF
    assert fetch_url(f"{server}/download", timeout=10).body == PDF


@pytest.mark.parametrize(("path", "what"), [("/image.png", "image/png"),
                                            ("/blob", "application/octet-stream")])
def test_other_content_types_are_refused(server: str, path: str, what: str) -> None:
    with pytest.raises(ImportRefused, match=re.escape(what)):
        fetch_url(f"{server}{path}", timeout=10)


def test_endless_redirects_are_refused(server: str) -> None:
    with pytest.raises(ImportRefused, match="redirects more than 10 times"):
        fetch_url(f"{server}/loop", timeout=10)


def test_redirect_to_another_scheme_is_refused(server: str) -> None:
    with pytest.raises(ImportRefused, match="not an http"):
        fetch_url(f"{server}/to-ftp", timeout=10)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "javascript:alert(1)",
                                 "news.example.org/story"])
def test_non_http_schemes_are_refused(url: str) -> None:
    with pytest.raises(ImportRefused, match=r"is not an http\(s\) address"):
        fetch_url(url)


def test_connection_refused_is_a_clear_message() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ImportRefused, match="could not connect"):
        fetch_url(f"http://127.0.0.1:{port}/", timeout=5)


def test_fetched_page_imports_as_html(server: str) -> None:
    from app.importers.detect import detect_format
    from app.importers.html import extract_html

    page = fetch_url(f"{server}/article.html", timeout=10)
    assert detect_format(page.body, page.final_url) == "html"
    doc = extract_html(page.body, url=page.final_url, charset=page.charset)
    assert doc.metadata["source_url"] == f"{server}/article.html"
    assert doc.text


def test_page_bytes_match_the_corpus_file() -> None:
    if CORPUS is None:
        pytest.skip("../shared/corpus not found beside the checkout")
    assert Path(CORPUS / "html" / PAGE_NAME).read_bytes() == PAGE
