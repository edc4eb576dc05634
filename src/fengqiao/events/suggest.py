"""Category suggestion from the report text: jieba word segmentation + TF-IDF + logistic regression.

Trained on the platform's own closed events (the category a dispatcher finally confirmed) plus a small starter set
from the catalogue's example sentences, so it works on day one and improves with use. A suggestion is shown with
its confidence and never applied by itself.
"""

from __future__ import annotations

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
