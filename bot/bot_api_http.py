"""The HTTP client the bot talks to the Bot API with: python-telegram-bot's request
interface (`telegram.request.BaseRequest`) on aiohttp.

PTB's own client is httpx, and each request costs it several times aiohttp's CPU: its
pool checks every pooled connection's socket on each request and on each response, and
parses HTTP in Python, where aiohttp parses it in C and learns of a connection the
server closed from the event loop. With hundreds of people tapping at once, replying is
much of what the bot does: a reply cost 8.0 ms of CPU on httpx and 3.1 ms on aiohttp
(issue 15; bench/README.md).

Same contract as PTB's HTTPXRequest: the same default timeouts, the same parameters
(as one JSON object; with files, a multipart form), proxies from the environment, and errors as PTB's
`TimedOut` / `NetworkError`, so PTB turns Telegram's answers into the same exceptions.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# HTTPXRequest's defaults, seconds.
CONNECT = 5.0
READ = 5.0
WRITE = 5.0
POOL = 1.0
MEDIA_WRITE = 20.0
JSON_BODY = {"Content-Type": "application/json"}


class BotApiRequest(BaseRequest):
    """`pool_size` connections at most (PTB: 256 for the bot's calls, 1 for getUpdates).
    aiohttp has one time-out for getting a connection, waiting for a free one and
    connecting together: it is the pool and connect time-outs added up."""

    def __init__(
        self,
        pool_size: int = 256,
        *,
        connect_timeout: float | None = CONNECT,
        read_timeout: float | None = READ,
        write_timeout: float | None = WRITE,
        pool_timeout: float | None = POOL,
        media_write_timeout: float | None = MEDIA_WRITE,
    ) -> None:
        self._pool_size = pool_size
        self._connect, self._read, self._write, self._pool = connect_timeout, read_timeout, write_timeout, pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets none; keep nothing between calls
                # Not trust_env: with it aiohttp reads the proxy variables and ~/.netrc on
                # every request, on a worker thread each (two thread hops per reply).
                # The proxy is looked up once per host instead (`_proxy`).
                trust_env=False,
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This BotApiRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, files)
        try:
            data, headers = _body(request_data)
            proxy = self._proxy(url)
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout, proxy=proxy
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's time-outs are TimeoutErrors
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error

    def _proxy(self, url: str) -> str | None:
        """The proxy for `url` from the environment (HTTPS_PROXY, NO_PROXY... as httpx
        honours them; aiohttp sends credentials in its URL as Proxy-Authorization),
        looked up once per host."""
        target = urlsplit(url)
        key = (target.scheme, target.hostname or "")
        if key not in self._proxies:
            bypass = bool(target.hostname) and proxy_bypass(target.hostname or "")
            self._proxies[key] = None if bypass else getproxies().get(target.scheme)
        return self._proxies[key]

    def _timeout(
        self,
        read: ODVInput[float],
        write: ODVInput[float],
        connect: ODVInput[float],
        pool: ODVInput[float],
        media: bool,
    ) -> aiohttp.ClientTimeout:
        read_s = self._read if isinstance(read, DefaultValue) else read
        write_s = (self._media_write if media else self._write) if isinstance(write, DefaultValue) else write
        connect_s = self._connect if isinstance(connect, DefaultValue) else connect
        pool_s = self._pool if isinstance(pool, DefaultValue) else pool
        # aiohttp's `connect` is the wait for a pooled connection plus making a new one;
        # it has no write time-out of its own: sending counts towards the whole call.
        getting = None if connect_s is None or pool_s is None else connect_s + pool_s
        whole = None  # no cap when any part has none
        if getting is not None and write_s is not None and read_s is not None:
            whole = getting + write_s + read_s
        return aiohttp.ClientTimeout(total=whole, connect=getting, sock_connect=connect_s, sock_read=read_s)


def _body(request_data: RequestData | None) -> tuple[bytes | aiohttp.FormData | None, dict[str, str] | None]:
    """The parameters as one JSON object, which the Bot API takes for every method but
    uploads; with files, a multipart form as PTB sends it. (A form-encoded reply of a
    few kilobytes of non-ASCII text cost more CPU to quote than the rest of sending it.)"""
    if request_data is None:
        return None, None
    if not request_data.contains_files:
        return json.dumps(request_data.parameters, ensure_ascii=False).encode(), JSON_BODY
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime)
    return form, None
