"""Parse one saved response body: ``python -m spiders.parse PLATFORM FILE [--url URL]``.

Prints one JSON line per mention found (normalised, as a crawl would spool it),
without any network access. Exit status 0 even when the body yields nothing; a body
the parser cannot understand (or a login wall / captcha page) prints a one-line error
on standard error. Exit status 2 is for bad arguments (unknown platform, no file).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from listener.domain import Mention
from spiders.normalise import normalise_mention
from spiders.parsers import parsers
from spiders.parsers.base import Blocked, ParseContext, Selectors, Unparseable


def mention_record(mention: Mention) -> dict[str, Any]:
    """The stable output shape of one parsed mention."""
    return {
        "id": mention.id,
        "platform": mention.platform,
        "native_id": mention.native_id,
        "kind": str(mention.kind),
        "url": mention.url,
        "author": {
            "id": mention.author.id,
            "name": mention.author.name,
            "followers": mention.author.followers,
            "verified": mention.author.verified,
        },
        "title": mention.title,
        "text": mention.text,
        "published_at": mention.published_at.isoformat(),
        "engagement": mention.engagement.model_dump(),
        "thread_id": mention.thread_id,
        "parent_id": mention.parent_id,
        "long_text": mention.long_text,
    }


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m spiders.parse", description=__doc__)
    parser.add_argument("platform", choices=sorted(parsers()))
    parser.add_argument("file", type=Path)
    parser.add_argument("--url", default="", help="the URL the body was fetched from")
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        help="reference time for relative stamps (ISO 8601 with offset; default: the "
        "page's own clock, else now)",
    )
    parser.add_argument(
        "--platform", dest="as_platform", help="record mentions under this platform (rss, generic)"
    )
    parser.add_argument(
        "--selectors",
        type=Selectors.model_validate_json,
        help='the generic parser\'s selectors as JSON: {"item": "li.news", "fields": {...}}',
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        body = args.file.read_bytes()
    except OSError as exc:
        print(f"spiders.parse: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    ctx = ParseContext(
        url=args.url, now=args.now, platform=args.as_platform, selectors=args.selectors
    )
    try:
        page = parsers()[args.platform](body, ctx)
    except (Unparseable, Blocked) as exc:
        print(f"spiders.parse: {args.platform}: {args.file}: {exc}", file=sys.stderr)
        return 0
    try:
        for mention in page.mentions:
            record = mention_record(normalise_mention(mention))
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (| head): not an error
        sys.stderr.close()
        return 0
    for error in page.errors:
        print(f"spiders.parse: {args.platform}: skipped: {error}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
