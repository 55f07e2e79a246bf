"""Small random draws the standard library lacks (Poisson, negative binomial) and time helpers."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit = math.exp(-lam)
    k, product = 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def neg_binomial(rng: random.Random, mean: float, shape: float) -> int:
    """A gamma-Poisson draw: mean ``mean``, over-dispersed (heavy-tailed) as ``shape`` shrinks."""
    if mean <= 0:
        return 0
    return poisson(rng, rng.gammavariate(shape, mean / shape))


class Window:
    """The period the county's extracts cover, [start 00:00, end 24:00)."""

    def __init__(self, start: date, end: date):
        if end < start:
            raise ValueError(f"end {end} is before start {start}")
        self.start = datetime(start.year, start.month, start.day)
        self.stop = datetime(end.year, end.month, end.day) + timedelta(days=1)
        self.seconds = int((self.stop - self.start).total_seconds())

    def random_times(self, rng: random.Random, n: int) -> list[datetime]:
        """n sorted, uniformly spread moments inside the window."""
        offsets = sorted(rng.randrange(self.seconds) for _ in range(n))
        return [self.start + timedelta(seconds=s) for s in offsets]

    def at_hour(self, rng: random.Random, moment: datetime, hours: tuple[int, ...]) -> datetime:
        """The same day as ``moment`` at one of ``hours`` (a random minute and second)."""
        day = datetime(moment.year, moment.month, moment.day)
        return day + timedelta(
            hours=rng.choice(hours), minutes=rng.randrange(60), seconds=rng.randrange(60)
        )

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.stop
