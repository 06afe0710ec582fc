"""Behind a TLS-terminating proxy: believe X-Forwarded-For/-Proto/-Host from trusted
proxies only.

A request whose peer is one of `TRUSTED_PROXIES` (loopback by default) is seen as
the proxy saw it: its scheme and host are the nearest proxy's `X-Forwarded-Proto`
and `X-Forwarded-Host`, and its client address is the right-most address in
`X-Forwarded-For` that is not itself a trusted proxy. Anything else is taken as it
arrived, headers ignored, so a client talking to us directly cannot claim another
address or scheme. Header parsing is aiohttp-remotes'; a malformed header is a 400.
"""

from __future__ import annotations

import ipaddress
from typing import Awaitable, Callable, Iterable

from aiohttp import web
from aiohttp_remotes.exceptions import IPAddress, RemoteError, UntrustedIP
from aiohttp_remotes.utils import check_ip, parse_trusted_element
from aiohttp_remotes.x_forwarded import XForwardedBase

from signpost.forwarding import nearest_client

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SCHEMES = ("http", "https")


def _peer(request: web.Request) -> IPAddress | None:
    peername = request.transport.get_extra_info("peername") if request.transport else None
    if not isinstance(peername, (tuple, list)) or not peername:
        return None  # a unix socket, or the connection has gone
    try:
        return ipaddress.ip_address(peername[0])
    except ValueError:
        return None


class TrustedProxies(XForwardedBase):
    def __init__(self, trusted: Iterable[str]) -> None:
        self._trusted = parse_trusted_element(list(trusted))

    def trusts(self, address: IPAddress) -> bool:
        try:
            check_ip(self._trusted, address)
        except UntrustedIP:
            return False
        return True

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        peer = _peer(request)
        if peer is None or not self.trusts(peer):
            return await handler(request)
        try:
            forwarded_for = self.get_forwarded_for(request.headers)
            proto = self.get_forwarded_proto(request.headers)
            host = self.get_forwarded_host(request.headers)
        except RemoteError as exc:
            exc.log(request)
            raise web.HTTPBadRequest(reason="Malformed forwarding header") from exc
        overrides: dict[str, str] = {}
        client = nearest_client(peer, forwarded_for, self.trusts)
        if client != peer:
            overrides["remote"] = str(client)
        if proto and proto[-1].lower() in SCHEMES:
            overrides["scheme"] = proto[-1].lower()
        if host and host[-1]:
            overrides["host"] = host[-1]
        return await handler(request.clone(**overrides) if overrides else request)  # type: ignore[arg-type]
