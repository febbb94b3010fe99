"""Sending one webhook request, and the check of where it may go.

A target must be a public address: a name is resolved, and every address it
resolves to is checked (loopback, private, link-local, multicast, reserved,
unspecified, shared and site-local are refused), at registration and again
at each delivery (a name may be pointed elsewhere meanwhile: DNS
rebinding). The request then goes to the very address checked, not to a
second resolution: the connection is made to that IP, with the name in the
``Host`` header and, for https, as the TLS server name (SNI) and the name
the certificate must carry (``urllib3``'s ``server_hostname`` and
``assert_hostname``), verified against certifi's roots. Redirects are never
followed: a 3xx is an answer like any other non-2xx, a failure.

``ATS_WEBHOOK_ALLOW_PRIVATE=1`` lifts the address check (development and tests).
"""
import hashlib
import hmac
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3

# No answer within this many seconds (connecting and reading) is a failure.
TIMEOUT = 10.0


class TargetRefused(ValueError):
    """A URL the service will not send to; the message says why, safely."""


def sign(secret: str, body: bytes) -> str:
    """The ``X-ATS-Signature`` header's value: ``sha256=`` and the hex HMAC-SHA256 of ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_loopback or address.is_private or address.is_link_local or address.is_multicast
        or address.is_reserved or address.is_unspecified
    )


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # the name, as in the URL
    port: int
    path: str  # with its query
    address: str  # the IP address checked, connected to


def parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of an http(s) URL; ``TargetRefused`` when it is not one."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise TargetRefused("This is not a valid URL.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("The URL must start with http:// or https:// and name a host.")
    if parts.username or parts.password:
        raise TargetRefused("The URL must not carry a user name or password.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def resolve(url: str, allow_private: bool) -> Target:
    """Where ``url`` is to be sent: its first address, once every address it
    resolves to is checked. ``TargetRefused`` when it cannot be resolved, or
    when an address is not public (unless ``allow_private``)."""
    scheme, host, port, path = parse(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise TargetRefused(f"The host {host} cannot be resolved.") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise TargetRefused(f"The host {host} cannot be resolved.")
    if not allow_private:
        for address in addresses:
            if not _public(address):
                raise TargetRefused(f"The host {host} is a loopback, private or reserved address ({address}): "
                                    "webhooks go only to public addresses.")
    return Target(scheme, host, port, path, str(addresses[0]))


@dataclass(frozen=True)
class Answer:
    """What a try came to: the answer's status code, or ``error`` (short, safe) when there was none."""

    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float | None = None) -> Answer:
    """POST ``body`` to the checked ``target``'s address, never following a redirect."""
    timeout = TIMEOUT if timeout is None else timeout
    host_header = target.host if ":" not in target.host else f"[{target.host}]"
    default_port = 443 if target.scheme == "https" else 80
    if target.port != default_port:
        host_header += f":{target.port}"
    options = dict(port=target.port, timeout=urllib3.Timeout(total=timeout), retries=False, maxsize=1)
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(target.address, server_hostname=target.host,
                                           assert_hostname=target.host, cert_reqs="CERT_REQUIRED",
                                           ca_certs=certifi.where(), **options)
    else:
        pool = urllib3.HTTPConnectionPool(target.address, **options)
    try:
        response = pool.urlopen("POST", target.path, body=body, headers={**headers, "Host": host_header},
                                redirect=False, assert_same_host=False, preload_content=False)
        try:
            return Answer(response.status)
        finally:
            response.release_conn()
    except urllib3.exceptions.TimeoutError:
        return Answer(None, f"no answer within {timeout:g} s")
    except urllib3.exceptions.SSLError:
        return Answer(None, "TLS failed (certificate or handshake)")
    except urllib3.exceptions.HTTPError as error:
        return Answer(None, f"could not connect ({type(error).__name__})")
    finally:
        pool.close()
