"""Where outgoing requests may go (WEBHOOK_ALLOWED_HOSTS). Checked when a URL is saved and again before
every send (DNS may have changed). Link-local and cloud metadata addresses are always refused.

Before a send the host is resolved once (`pin`) and the connection goes to that checked address (services._post),
so a name that answers a public address to the check and a private one to the connection (DNS rebinding)
cannot reach inside."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

METADATA_NAMES = {"metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal"}
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("169.254.170.2"),
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("fd00:ec2::254"),
}


class Refused(ValueError):
    """The URL may not be called; the message says why in words for the form."""


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise Refused(_("The host name %(host)s does not resolve.") % {"host": host}) from None
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def _listed(host: str, address, allowed: list[str]) -> bool:
    for entry in allowed:
        entry = entry.strip().lower()
        if not entry or entry == "*":
            continue
        if "/" in entry:
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
        elif entry.startswith("."):
            if host.endswith(entry) or host == entry[1:]:
                return True
        elif host == entry or str(address) == entry:
            return True
    return False


@dataclass(frozen=True)
class Pinned:
    """A URL with the address its host resolved to when it was checked: connect there, and nowhere else."""

    scheme: str
    host: str
    port: int
    address: str
    target: str  # path and query, as sent in the request line


def pin(url: str, *, allowed: list[str] | None = None) -> Pinned:
    """Check `url` (as check_url) and return the checked address to connect to."""
    parts = urlsplit(url)
    addresses = check_url(url, allowed=allowed)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Pinned(parts.scheme, parts.hostname.lower().rstrip("."), port, str(addresses[0]), target)


def check_url(url: str, *, allowed: list[str] | None = None) -> list:
    """Raise Refused unless `url` is http(s) and every address its host resolves to is allowed; return them."""
    allowed = settings.WEBHOOK_ALLOWED_HOSTS if allowed is None else allowed
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(_("Use an http or https URL."))
    if parts.username or parts.password:
        raise Refused(_("Put no user name or password in the URL."))
    host = parts.hostname.lower().rstrip(".")
    if host in METADATA_NAMES:
        raise Refused(_("Cloud metadata addresses are never called."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Refused(_("The port is not a number.")) from None
    addresses = _resolve(host, port)
    if not addresses:
        raise Refused(_("The host name %(host)s does not resolve.") % {"host": host})
    for index, address in enumerate(addresses):
        if getattr(address, "ipv4_mapped", None):
            address = addresses[index] = address.ipv4_mapped
        if address in METADATA_ADDRESSES or address.is_link_local:
            raise Refused(_("Link-local and cloud metadata addresses are never called."))
        if address.is_multicast or address.is_unspecified or (address.is_reserved and not address.is_loopback):
            raise Refused(_("%(address)s is not an address to send to.") % {"address": address})
        if _listed(host, address, allowed):
            continue
        if "*" in allowed and address.is_global:
            continue
        raise Refused(
            _("%(host)s is not allowed (WEBHOOK_ALLOWED_HOSTS): private addresses must be listed by name or range.")
            % {"host": host}
        )
    return addresses
