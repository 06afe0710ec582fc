"""Which client a request came from, when it may have passed through proxies.

Forwarding headers are believed only from trusted proxies (TRUSTED_PROXIES):
the client is the nearest address in `X-Forwarded-For` that is not itself a
trusted proxy, so a client cannot claim another address by writing the header
itself. The web front parses the headers with aiohttp-remotes and the Rasa
channels read Sanic's raw header; both walk the hops with `nearest_client`.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Callable, Iterable, Optional, Sequence, TypeVar, Union

Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
A = TypeVar("A")


@lru_cache(maxsize=8)
def trusted_networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The trusted addresses and networks, parsed once per setting."""
    return tuple(ipaddress.ip_network(net, strict=False) for net in trusted)


def _address(value: str) -> Optional[Address]:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def nearest_client(peer: A, hops: Sequence[A], trusts: Callable[[A], bool]) -> A:
    """The right-most hop that is not a trusted proxy (the left-most if all are), when the
    peer itself is trusted; otherwise the peer."""
    if not trusts(peer):
        return peer
    client = peer
    for hop in reversed(hops):
        client = hop
        if not trusts(hop):
            break
    return client


def client_address(peer: Optional[str], forwarded_for: Optional[str], trusted: Iterable[str]) -> Optional[str]:
    """The client's address from the peer's address and a raw X-Forwarded-For header.

    A header that does not parse is ignored (the peer is the client), since here it
    only decides which counter a turn is counted against.
    """
    peer_address = _address(peer) if peer else None
    if peer_address is None:
        return peer or None
    if not forwarded_for:
        return str(peer_address)
    hops = [_address(hop) for hop in forwarded_for.split(",") if hop.strip()]
    if not hops or any(hop is None for hop in hops):
        return str(peer_address)
    networks = trusted_networks(tuple(trusted))
    return str(nearest_client(peer_address, hops, lambda a: any(a in net for net in networks)))  # type: ignore[arg-type]
