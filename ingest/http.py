"""The one polite HTTP client every source fetches through.

httpx with explicit timeouts; a minimum interval per host slot (subdomains can share one, as
arXiv's API, RSS and OAI-PMH do); retries with backoff on 429/5xx and dropped connections that
honour Retry-After; no retry when a host is unresolvable or refuses the connection (fail in
seconds); conditional GET; a byte cap per response; a User-Agent with the contact address.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from leanwatch import __version__
from leanwatch.errors import (
    FetchError,
    HttpStatusError,
    ResponseTooLargeError,
    SourceUnreachableError,
)
from leanwatch.settings import Settings

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    content: bytes
    headers: httpx.Headers

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


def user_agent(contact_email: str) -> str:
    contact = f" (mailto:{contact_email})" if contact_email else ""
    return f"leanwatch/{__version__}{contact}"


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class HttpClient:
    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
        self._clock = clock
        self._last_request: dict[str, float] = {}
        timeout = httpx.Timeout(settings.http_timeout, connect=settings.http_connect_timeout)
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": user_agent(settings.contact_email)},
            transport=transport,
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        accept_status: Collection[int] = (),
    ) -> FetchResult:
        """GET `url`. 2xx and 304 return; a status in `accept_status` returns too; others raise."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts = self._settings.http_retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            self._wait_for_slot(url)
            try:
                result = self._fetch_once(url, params, headers)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as exc:
                raise SourceUnreachableError(url, _reason(exc)) from exc
            except (
                httpx.ReadTimeout,
                httpx.WriteTimeout,
                httpx.PoolTimeout,
                httpx.ReadError,
                httpx.WriteError,
                httpx.RemoteProtocolError,
            ) as exc:
                if last:
                    raise FetchError(url, f"{_reason(exc)} (after {attempts} attempts)") from exc
                self._backoff(url, attempt, None, _reason(exc))
                continue
            except httpx.HTTPError as exc:
                raise FetchError(url, _reason(exc)) from exc
            if result.status in RETRY_STATUSES and not last:
                self._backoff(url, attempt, result.headers.get("retry-after"), f"HTTP {result.status}")
                continue
            if result.status < 400 or result.status in accept_status:
                return result
            snippet = result.content[:200].decode("utf-8", "replace").strip().replace("\n", " ")
            raise HttpStatusError(url, result.status, f"HTTP {result.status}: {snippet}")
        raise AssertionError("unreachable: the loop returns or raises")

    def _fetch_once(
        self, url: str, params: Mapping[str, str | int] | None, headers: Mapping[str, str]
    ) -> FetchResult:
        cap = self._settings.http_max_bytes
        with self._client.stream("GET", url, params=params, headers=headers) as response:
            final_url = str(response.url)
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > cap:
                raise ResponseTooLargeError(final_url, f"declares {declared} bytes, cap is {cap}")
            chunks = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise ResponseTooLargeError(final_url, f"body passed the {cap}-byte cap")
                chunks.append(chunk)
            log.debug("GET %s -> %d (%d bytes)", final_url, response.status_code, size)
            return FetchResult(final_url, response.status_code, b"".join(chunks), response.headers)

    def _wait_for_slot(self, url: str) -> None:
        slot, interval = self._settings.interval_for(urlsplit(url).hostname or "")
        previous = self._last_request.get(slot)
        if previous is not None:
            remaining = previous + interval - self._clock()
            if remaining > 0:
                self._sleep(remaining)
        self._last_request[slot] = self._clock()

    def _backoff(self, url: str, attempt: int, retry_after: str | None, why: str) -> None:
        asked = retry_after_seconds(retry_after)
        delay = asked if asked is not None else 2.0**attempt
        delay = min(delay, self._settings.http_max_retry_wait)
        log.warning("%s: %s; retrying in %.1fs", url, why, delay)
        self._sleep(delay)


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0]
