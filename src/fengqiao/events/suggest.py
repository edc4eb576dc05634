"""Category suggestion from the report text: jieba word segmentation + TF-IDF + logistic regression.

Trained on the platform's own closed events (the category a dispatcher finally confirmed) plus a small starter set
from the catalogue's example sentences, so it works on day one and improves with use. A suggestion is shown with
its confidence and never applied by itself.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import jieba
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

jieba.setLogLevel(logging.WARNING)

RETRAIN_SECONDS = 3600
MAX_TRAINING_ROWS = 20_000


@dataclass(frozen=True)
class Suggestion:
    code: str
    name: str
    confidence: float


def tokenize(text: str) -> list[str]:
    return [w for w in jieba.lcut(text) if w.strip()]


class Suggester:
    def __init__(self) -> None:
        self.pipeline: Pipeline | None = None
        self.names: dict[str, str] = {}
        self.trained_at = 0.0
        self.rows = 0

    def train(self) -> None:
        from fengqiao.events.models import Category, Event

        texts: list[str] = []
        labels: list[str] = []
        for cat in Category.objects.filter(active=True, parent__isnull=False).select_related("parent"):
            self.names[cat.code] = str(cat)
            for line in cat.keywords.splitlines():
                if line.strip():
                    texts.append(line.strip())
                    labels.append(cat.code)
        history = (
            Event.objects.filter(state="closed", category__isnull=False, category__active=True)
            .order_by("-closed_at")
            .values_list("description", "category__code")[:MAX_TRAINING_ROWS]
        )
        for text, code in history:
            texts.append(text)
            labels.append(code)
        self.rows = len(texts)
        if len(set(labels)) < 2:
            self.pipeline = None
            return
        pipeline = Pipeline(
            [
                (
                    "tfidf",
                    TfidfVectorizer(tokenizer=tokenize, token_pattern=None, ngram_range=(1, 2), sublinear_tf=True),
                ),
                ("clf", LogisticRegression(max_iter=2000, C=8.0)),
            ]
        )
        pipeline.fit(texts, labels)
        self.pipeline = pipeline
        self.trained_at = time.monotonic()

    def suggest(self, text: str, top: int = 3) -> list[Suggestion]:
        if self.pipeline is None or not text.strip():
            return []
        probabilities: Any = self.pipeline.predict_proba([text])[0]
        classes = self.pipeline.classes_
        ranked = sorted(zip(classes, probabilities, strict=True), key=lambda p: -p[1])[:top]
        return [Suggestion(code=str(c), name=self.names.get(str(c), str(c)), confidence=float(p)) for c, p in ranked]


_lock = threading.Lock()
_suggester: Suggester | None = None


def get_suggester() -> Suggester:
    global _suggester
    with _lock:
        if _suggester is None or time.monotonic() - _suggester.trained_at > RETRAIN_SECONDS:
            fresh = Suggester()
            fresh.train()
            _suggester = fresh
        return _suggester


def reset() -> None:
    global _suggester
    with _lock:
        _suggester = None


def suggest(text: str, top: int = 3) -> list[Suggestion]:
    return get_suggester().suggest(text, top=top)


# Duplicate suggestion: reports of one problem by different people, found by place and by text, with or without a
# category (residents rarely choose one). Shown to the dispatcher, who merges; never merged by itself.

DUPLICATE_SIMILARITY = 0.5  # Dice overlap of character pairs above which two texts tell of the same problem
MAX_CANDIDATES = 300


@dataclass(frozen=True)
class Duplicate:
    event: Any
    metres: float | None  # None when either report has no position (found in the same grid)
    similarity: float


def _pairs(text: str) -> set[str]:
    chars = [c for c in text.lower() if c.isalnum()]
    return {a + b for a, b in itertools.pairwise(chars)}


def text_similarity(a: str, b: str) -> float:
    """How much two descriptions share: the Dice overlap of their character pairs (bigrams), 0 to 1. Character pairs
    need no word segmentation and catch Chinese texts told in different words around the same nouns."""
    pa, pb = _pairs(a), _pairs(b)
    if not pa or not pb:
        return 0.0
    return 2 * len(pa & pb) / (len(pa) + len(pb))


def duplicates(*, event: Any, actor: Any, limit: int = 10) -> list[Duplicate]:
    """Open events the actor may see that are likely the same problem as ``event``: reported within the duplicate
    window and either near it (within the duplicate radius) with a similar text or the same category, or, where a
    report has no position, in the same grid with a similar text. Most similar first."""
    import datetime as dt
    import math

    from django.conf import settings
    from django.db.models import Q

    from fengqiao.core import scoping
    from fengqiao.events.models import Event
    from fengqiao.events.workflow import OPEN_STATES
    from fengqiao.grids.coords import distance_metres

    radius = settings.FENGQIAO_DUPLICATE_METRES
    window = dt.timedelta(hours=settings.FENGQIAO_DUPLICATE_HOURS)
    place = Q(grid_id=event.grid_id)
    if event.lon is not None and event.lat is not None:
        dlat = radius / 111_320.0
        dlon = radius / (111_320.0 * max(math.cos(math.radians(event.lat)), 0.1))
        place |= Q(lon__range=(event.lon - dlon, event.lon + dlon), lat__range=(event.lat - dlat, event.lat + dlat))
    candidates = scoping.scope(
        Event.objects.filter(
            place,
            state__in=OPEN_STATES,
            merged_into__isnull=True,
            reported_at__range=(event.reported_at - window, event.reported_at + window),
        ).exclude(pk=event.pk),
        actor,
    ).order_by("-reported_at")[:MAX_CANDIDATES]
    found: list[Duplicate] = []
    for other in candidates:
        metres = None
        if event.lon is not None and event.lat is not None and other.lon is not None and other.lat is not None:
            metres = distance_metres((event.lon, event.lat), (other.lon, other.lat))
        near = metres is not None and metres <= radius
        same_grid = metres is None and other.grid_id == event.grid_id
        similarity = text_similarity(event.description, other.description)
        same_category = event.category_id is not None and other.category_id == event.category_id
        if (near or same_grid) and (similarity >= DUPLICATE_SIMILARITY or (near and same_category)):
            found.append(Duplicate(event=other, metres=metres, similarity=similarity))
    found.sort(key=lambda d: (-d.similarity, d.metres if d.metres is not None else radius))
    return found[:limit]
