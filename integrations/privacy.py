"""The integrations' section of a person's data export (people/privacy.py): their chat channel and
whether they have feed links (the URL of the channel is theirs; feed secrets are kept only as hashes)."""

from people.privacy import export_section, iso

from .models import ChatChannel, FeedToken


@export_section("chat_and_feeds", order=120)
def chat_and_feeds(person) -> dict:
    channel = ChatChannel.objects.filter(person=person).first()
    feed = FeedToken.objects.filter(person=person).first()
    return {
        "chat_channel": {"kind": channel.kind, "url": channel.url, "connected_at": iso(channel.created_at)}
        if channel
        else None,
        "feed_links_made_at": iso(feed.created_at) if feed else None,
    }
