"""The shape every statistic reads: ``case -> rater -> rank``; a missing rating is simply absent."""

from __future__ import annotations

from collections.abc import Mapping

Ratings = Mapping[str, Mapping[str, int]]
