"""Reads an Atom feed with feedparser (Debian's python3-feedparser), independent of the gateway's
own XML writer, and prints what a feed reader would see as JSON; exits 1 when the feed is not
well-formed (feedparser's "bozo" flag)."""
import json
import sys

import feedparser

feed = feedparser.parse(sys.stdin.buffer.read())
if feed.bozo:
    print(f"not well-formed: {feed.bozo_exception}", file=sys.stderr)
    sys.exit(1)
print(json.dumps({
    "version": feed.version,
    "title": feed.feed.get("title"),
    "id": feed.feed.get("id"),
    "updated": feed.feed.get("updated"),
    "links": [{"rel": l.get("rel"), "type": l.get("type"), "href": l.get("href")} for l in feed.feed.get("links", [])],
    "entries": [{
        "id": e.get("id"),
        "title": e.get("title"),
        "link": e.get("link"),
        "updated": e.get("updated"),
        "content": (e.get("content") or [{}])[0].get("value"),
    } for e in feed.entries],
}))
