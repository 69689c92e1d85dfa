"""Fetching a web page (or a PDF) by URL, keeping what was received and when.

Evidence handling needs the URL asked for, the URL finally answered, the bytes as received and the
UTC time of capture. Only content-encoding (gzip/deflate) is undone; the body is otherwise exactly
what the server sent, and :attr:`FetchedPage.content_encoding` says what was undone.
"""

from __future__ import annotations

import time
import urllib.request
import zlib
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ReadTimeoutError,
)

from app import __version__
from app.clock import utcnow
from app.importers.base import ImportRefused

USER_AGENT = f"Dossier/{__version__}"
#: Response headers kept with the capture.
KEPT_HEADERS = ("content-type", "last-modified", "etag")
MAX_REDIRECTS = 10
_REDIRECT_STATUSES = (301, 302, 303, 307, 308)
_CHUNK = 64 * 1024
_ACCEPTED_TYPES = ("text/", "application/xhtml+xml", "application/xml", "application/pdf",
                   "application/x-pdf")
_MAYBE_PDF_TYPES = ("application/octet-stream", "binary/octet-stream", "application/download",
                    "application/force-download")
_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,text/*;q=0.8,*/*;q=0.5",
    "Accept-Encoding": "gzip, deflate",
}


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


def _pool_for(url: str) -> urllib3.PoolManager:
    """A connection pool for ``url``, through the proxy the environment names for it, if any."""
    parts = urlsplit(url)
    proxy = urllib.request.getproxies().get(parts.scheme.lower())
    if proxy and not urllib.request.proxy_bypass(parts.hostname or ""):
        return urllib3.ProxyManager(proxy, headers=_HEADERS)
    return urllib3.PoolManager(headers=_HEADERS)


def _check_scheme(url: str, came_from: str | None = None) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme in {"http", "https"}:
        return
    if came_from is not None:
        raise ImportRefused(f"{came_from} redirects to {url}, which is not an http(s) address; "
                            "Dossier only fetches web pages")
    hint = f" (did you mean https://{url}?)" if not scheme else ""
    raise ImportRefused(f"{url} is not an http(s) address{hint}; Dossier only fetches web pages")


def fetch_url(url: str, *, timeout: float = 30, max_bytes: int = 50_000_000) -> FetchedPage:
    """Fetch ``url`` (http or https), following redirects; refuse errors with a clear message.

    ``timeout`` bounds the whole exchange (every redirect, connection and read), not just each
    read. Refused: other schemes, HTTP errors, time-outs, bodies over ``max_bytes``, and
    content that is neither a web page, text nor a PDF. Redirects are followed one by one (at
    most ten, http(s) only) and each URL that redirected is recorded. The caller detects the
    format of the body (:func:`~app.importers.detect`).
    """
    url = url.strip()
    _check_scheme(url)
    deadline = time.monotonic() + timeout
    chain: list[str] = []
    current = url
    pool = _pool_for(url)
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _timed_out(url, timeout)
            response = pool.request(
                "GET", current, redirect=False, retries=False, preload_content=False,
                decode_content=False, timeout=urllib3.Timeout(connect=remaining, read=remaining))
            try:
                location = response.headers.get("location")
                if response.status in _REDIRECT_STATUSES and location:
                    if len(chain) >= MAX_REDIRECTS:
                        raise ImportRefused(f"{url} redirects more than {MAX_REDIRECTS} times; "
                                            "open it in a browser and save the page")
                    target = urljoin(current, location.strip())
                    _check_scheme(target, came_from=current)
                    chain.append(current)
                    current = target
                    if urlsplit(target).netloc != urlsplit(chain[-1]).netloc:
                        pool = _pool_for(target)
                    continue
                if response.status >= 400:
                    raise ImportRefused(
                        f"{current}: the server answered {response.status} {response.reason}; "
                        "check the address, or save the page from a browser and import the file"
                    )
                return _read_page(url, current, response, chain=chain, retrieved_at=utcnow(),
                                  deadline=deadline, timeout=timeout, max_bytes=max_bytes)
            finally:
                response.close()  # never reused half-read: each hop gets its own connection
    except NewConnectionError as exc:  # (a subclass of ConnectTimeoutError in urllib3)
        reason = str(exc).split(": ", 1)[-1]
        raise ImportRefused(f"{url}: could not connect ({reason}); check the address "
                            "and the network connection") from exc
    except (ConnectTimeoutError, ReadTimeoutError, TimeoutError) as exc:
        raise _timed_out(url, timeout) from exc
    except (HTTPError, OSError) as exc:
        raise ImportRefused(f"{url}: the connection failed ({exc}); try again later") from exc
    finally:
        pool.clear()


def _read_page(url: str, final_url: str, response: urllib3.BaseHTTPResponse, *,
               chain: list[str], retrieved_at: str, deadline: float, timeout: float,
               max_bytes: int) -> FetchedPage:
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
        if deadline - time.monotonic() <= 0:
            raise _timed_out(url, timeout)
        chunk = response.read1(_CHUNK, decode_content=False)  # what one network read brought
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


def _timed_out(url: str, timeout: float) -> ImportRefused:
    return ImportRefused(f"{url}: no complete answer within {timeout:g} s (timed out); "
                         "try again later, or save the page from a browser and import the file")


def _too_large(url: str, max_bytes: int) -> ImportRefused:
    return ImportRefused(f"{url} is larger than {max_bytes:,} bytes, more than Dossier fetches; "
                         "download it and import the file")
