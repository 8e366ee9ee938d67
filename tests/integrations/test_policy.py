"""WEBHOOK_ALLOWED_HOSTS: no requests to link-local or metadata addresses, private ones only when listed."""

import pytest

from integrations.policy import Refused, check_url


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/x",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://[::ffff:169.254.169.254]/",
        "http://169.254.170.2/v2/credentials",
        "http://[fd00:ec2::254]/",
    ],
)
def test_link_local_and_metadata_addresses_are_always_refused(url):
    for allowed in (["*"], ["169.254.0.0/16", "fe80::/10", "metadata.google.internal", "fd00::/8"]):
        with pytest.raises(Refused):
            check_url(url, allowed=allowed)


@pytest.mark.parametrize("url", ["http://127.0.0.1/x", "http://10.1.2.3/x", "http://192.168.0.5/x", "http://[::1]/x"])
def test_private_addresses_are_refused_unless_listed(url):
    with pytest.raises(Refused):
        check_url(url, allowed=["*"])
    check_url(url, allowed=["127.0.0.0/8", "10.0.0.0/8", "192.168.0.0/16", "::1/128"])


def test_names_and_suffixes_can_be_listed():
    check_url("http://localhost:8080/x", allowed=["localhost"])
    with pytest.raises(Refused):
        check_url("http://localhost:8080/x", allowed=["example.com"])


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "http://user:pw@8.8.8.8/", "http:///x"])
def test_other_schemes_credentials_and_missing_hosts_are_refused(url):
    with pytest.raises(Refused):
        check_url(url, allowed=["*"])


def test_a_public_address_is_allowed_by_the_star():
    check_url("https://8.8.8.8/hook", allowed=["*"])
