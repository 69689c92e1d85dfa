"""Fetching a web page (or a PDF) by URL, keeping what was received and when.

Evidence handling needs the URL asked for, the URL finally answered, the bytes as received and the
UTC time of capture. Only content-encoding (gzip/deflate) is undone; the body is otherwise exactly
what the server sent, and :attr:`FetchedPage.content_encoding` says what was undone.
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from email.message import Message
from http.client import HTTPException, HTTPMessage, HTTPResponse
from typing import IO
from urllib.parse import urlsplit

from app import __version__
from app.clock import utcnow
from app.importers.base import ImportRefused

USER_AGENT = f"Dossier/{__version__}"
#: Response headers kept with the capture.
KEPT_HEADERS = ("content-type", "last-modified", "etag")
MAX_REDIRECTS = 10
_CHUNK = 64 * 1024
_ACCEPTED_TYPES = ("text/", "application/xhtml+xml", "application/xml", "application/pdf",
                   "application/x-pdf")
_MAYBE_PDF_TYPES = ("application/octet-stream", "binary/octet-stream", "application/download",
                    "application/force-download")


@dataclass
class FetchedPage:
    """What a server answered for a URL: the final address, status, key headers and body bytes."""

    requested_url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    retrieved_at: str  # UTC, ISO 8601 with "Z"
    content_encoding: str | None = None  # "gzip"/"deflate" when undone, else None
    redirects: list[str] = field(default_factory=list)  # each URL that answered with a redirect

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower case (``"text/html"``), or ``""``."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The charset the Content-Type header declares, if any."""
        message = Message()
        message["content-type"] = self.headers.get("content-type", "")
        value = message.get_param("charset")
        return value if isinstance(value, str) else None


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows http(s) redirects only, and remembers every URL that redirected."""

    max_redirections = MAX_REDIRECTS

    def __init__(self) -> None:
        self.chain: list[str] = []

    def redirect_request(  # noqa: PLR0917 - the signature urllib calls
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
        headers: HTTPMessage, newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() not in {"http", "https"}:
            raise ImportRefused(
                f"{req.full_url} redirects to {newurl}, which is not an http(s) address; "
                "Dossier only fetches web pages"
            )
        self.chain.append(req.full_url)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_url(url: str, *, timeout: float = 30, max_bytes: int = 50_000_000) -> FetchedPage:
    """Fetch ``url`` (http or https), following redirects; refuse errors with a clear message.

    ``timeout`` bounds the whole exchange, not just each read. Refused: other schemes, HTTP
    errors, time-outs, bodies over ``max_bytes``, and content that is neither a web page, text
    nor a PDF. The caller detects the format of the body (:func:`~app.importers.detect`).
    """
    url = url.strip()
    scheme = urlsplit(url).scheme.lower()
    if scheme not in {"http", "https"}:
        hint = f" (did you mean https://{url}?)" if not scheme else ""
        raise ImportRefused(
            f"{url} is not an http(s) address{hint}; Dossier only fetches web pages"
        )
    redirects = _Redirects()
    opener = urllib.request.build_opener(redirects)
    request = urllib.request.Request(url, headers={
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,text/*;q=0.8,*/*;q=0.5",
        "Accept-Encoding": "gzip, deflate",
    })
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            retrieved_at = utcnow()
            return _read_page(url, response, chain=redirects.chain, retrieved_at=retrieved_at,
                              deadline=deadline, timeout=timeout, max_bytes=max_bytes)
    except urllib.error.HTTPError as exc:
        raise ImportRefused(
            f"{exc.url or url}: the server answered {exc.code} {exc.reason}; "
            "check the address, or save the page from a browser and import the file"
        ) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise _timed_out(url, timeout) from exc
        raise ImportRefused(f"{url}: could not connect ({exc.reason}); check the address "
                            "and the network connection") from exc
    except TimeoutError as exc:
        raise _timed_out(url, timeout) from exc
    except (HTTPException, OSError) as exc:
        raise ImportRefused(f"{url}: the connection failed ({exc}); try again later") from exc


def _read_page(url: str, response: HTTPResponse, *, chain: list[str], retrieved_at: str,
               deadline: float, timeout: float, max_bytes: int) -> FetchedPage:
    final_url = response.geturl()
    headers = {name: value for name in KEPT_HEADERS if (value := response.headers.get(name))}
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    maybe_pdf = media_type in _MAYBE_PDF_TYPES
    if media_type and not maybe_pdf and not media_type.startswith(_ACCEPTED_TYPES):
        raise ImportRefused(
            f"{final_url} is {media_type}, not a web page, text or PDF; "
            "Dossier imports PDF, HTML and text"
        )
    length = response.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise _too_large(final_url, max_bytes)
    raw = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _timed_out(url, timeout)
        if response.fp is not None:
            _set_socket_timeout(response, remaining)
        chunk = response.read1(_CHUNK)  # one network read: the deadline is checked often
        if not chunk:
            break
        raw += chunk
        if len(raw) > max_bytes:
            raise _too_large(final_url, max_bytes)
    encoding = (response.headers.get("content-encoding") or "").strip().lower() or None
    body = _decode_content(bytes(raw), encoding, final_url, max_bytes)
    if maybe_pdf and b"%PDF-" not in body[:1024]:
        raise ImportRefused(
            f"{final_url} is {media_type} and not a PDF; Dossier imports PDF, HTML and text"
        )
    return FetchedPage(
        requested_url=url,
        final_url=final_url,
        status=response.status,
        headers=headers,
        body=body,
        retrieved_at=retrieved_at,
        content_encoding=encoding if encoding not in (None, "identity") else None,
        redirects=list(chain),
    )


def _decode_content(raw: bytes, encoding: str | None, url: str, max_bytes: int) -> bytes:
    """Undo gzip/deflate content-encoding, never inflating past ``max_bytes``."""
    if encoding in (None, "identity"):
        return raw
    if encoding in ("gzip", "x-gzip"):
        decoders = [zlib.decompressobj(16 + zlib.MAX_WBITS)]
    elif encoding == "deflate":  # zlib-wrapped per the RFC, raw deflate by common practice
        decoders = [zlib.decompressobj(), zlib.decompressobj(-zlib.MAX_WBITS)]
    else:
        raise ImportRefused(f"{url} was sent with content-encoding {encoding!r}, which Dossier "
                            "cannot decode; save the page from a browser and import the file")
    for decoder in decoders:
        try:
            body = decoder.decompress(raw, max_bytes + 1)
        except zlib.error:
            continue
        if len(body) > max_bytes or decoder.unconsumed_tail:
            raise _too_large(url, max_bytes)
        if decoder.eof:
            return body
    raise ImportRefused(
        f"{url}: the {encoding}-compressed body is corrupt or cut short; try again later"
    )


def _set_socket_timeout(response: HTTPResponse, seconds: float) -> None:
    raw = getattr(response.fp, "raw", None)
    sock = getattr(raw, "_sock", None)
    if isinstance(sock, socket.socket):
        sock.settimeout(max(seconds, 0.001))


def _timed_out(url: str, timeout: float) -> ImportRefused:
    return ImportRefused(f"{url}: no complete answer within {timeout:g} s (timed out); "
                         "try again later, or save the page from a browser and import the file")


def _too_large(url: str, max_bytes: int) -> ImportRefused:
    return ImportRefused(f"{url} is larger than {max_bytes:,} bytes, more than Dossier fetches; "
                         "download it and import the file")
