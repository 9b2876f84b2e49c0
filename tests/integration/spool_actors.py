"""Processes the spool crash tests start and kill: a writer and a reader."""

from __future__ import annotations

import sys
import time
from datetime import timedelta

from listener.spool import Spool
from tests.factories import mention


def writer(path: str, tag: str, batches: int, size: int) -> None:
    """Write numbered batches; print each batch number once it is committed."""
    spool = Spool(path)
    for b in range(batches):
        spool.put_many([mention(f"{tag}-{b}-{i}") for i in range(size)])
        print(b, flush=True)


def reader(path: str, lease_s: float, ack: str) -> None:
    """Claim one batch, print its ids, then ack it or hang (to be killed)."""
    spool = Spool(path)
    batch = spool.claim(1000, timedelta(seconds=lease_s))
    print(" ".join(e.mention.id for e in batch), flush=True)
    if ack == "ack":
        spool.ack([e.seq for e in batch])
        print("acked", flush=True)
        return
    time.sleep(3600)


if __name__ == "__main__":
    role, *args = sys.argv[1:]
    if role == "writer":
        writer(args[0], args[1], int(args[2]), int(args[3]))
    else:
        reader(args[0], float(args[1]), args[2])
