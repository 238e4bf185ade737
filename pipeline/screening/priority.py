"""Which record to screen next: an active-learning model retrained as decisions arrive.

The model is the one ASReview LAB 3 ships as its default (ELAS u4, tuned on the SYNERGY reviews):
TF-IDF of title and abstract, words and word pairs, sublinear term frequency; a linear support vector
machine (squared hinge loss, C = 0.11) trained with the included records weighted up to 1/9.8 of the
excluded ones' total weight; the record with the highest score is shown next.  Before the decisions hold
both an inclusion and an exclusion, records are ordered by their similarity to the review's inclusion
criteria and to the records already included (cold start), or by a seeded shuffle when there is
neither.  Ties are broken by a seeded permutation, so an order is reproducible from the decisions and
the seed alone.  ``SETTINGS`` is what a review reports as its automation tool (PRISMA 2020 item 8).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SETTINGS = {
    "model": "TF-IDF (1-2 word n-grams, sublinear tf, max_df 0.95) + linear SVM (squared hinge, C 0.11), "
             "inclusions weighted to 1/9.8 of the exclusions, highest score first (ASReview LAB's ELAS u4)",
    "library": "scikit-learn",
    "features": {"ngram_range": [1, 2], "sublinear_tf": True, "min_df": 1, "max_df": 0.95},
    "classifier": {"loss": "squared_hinge", "C": 0.11},
    "balance_ratio": 9.8,
    "cold_start": "similarity to the inclusion criteria and the included records; else a seeded shuffle",
}


def record_texts(records) -> list[str]:
    """The text the model reads for each record: title and abstract (a frame with those columns)."""
    title = records["title"].fillna("").astype(str) if "title" in records else ""
    abstract = records["abstract"].fillna("").astype(str) if "abstract" in records else ""
    return (title + " " + abstract).str.strip().tolist()


def features(texts: list[str], extra: list[str] = ()):
    """TF-IDF matrix of ``texts`` (rows in order), and of ``extra`` texts (the criteria) in the same space."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    f = SETTINGS["features"]
    vectorizer = TfidfVectorizer(ngram_range=tuple(f["ngram_range"]), sublinear_tf=f["sublinear_tf"],
                                 min_df=f["min_df"], max_df=f["max_df"] if len(texts) > 1 else 1.0,
                                 dtype=np.float32)
    docs = [t if t.strip() else "_" for t in texts]  # an empty record still has a row
    try:
        x = vectorizer.fit_transform(docs)
    except ValueError:  # no word at all in the corpus (one-letter texts): every record scores alike
        from scipy import sparse

        return sparse.csr_matrix((len(texts), 1), dtype=np.float32), sparse.csr_matrix((len(extra), 1),
                                                                                        dtype=np.float32)
    from scipy import sparse

    extra_x = vectorizer.transform(list(extra)) if len(extra) else sparse.csr_matrix((0, x.shape[1]), dtype=np.float32)
    x = x.tocsr()
    x.sort_indices()  # once: liblinear wants sorted indices and would sort every training slice again
    return x, extra_x.tocsr()


@dataclass
class Ranker:
    """Scores for every record from the labels given so far; ``order`` puts the pool in screening order."""

    x: object  # sparse TF-IDF matrix, one row per record
    seed: int = 0
    criteria: object = None  # TF-IDF rows of the inclusion criteria (cold start), or None
    trained_on: int = 0  # labelled records in the last fit (what the model saw)
    _tiebreak: np.ndarray = field(default=None, repr=False)

    def __post_init__(self):
        n = self.x.shape[0]
        self._tiebreak = np.random.default_rng(self.seed).permutation(n).astype(np.float64) / max(n, 1)

    def scores(self, labelled: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """A score per record (higher: screened sooner) from the records ``labelled`` (indices) and their
        0/1 ``labels``."""
        labelled = np.asarray(labelled, dtype=np.int64)
        labels = np.asarray(labels, dtype=np.int64)
        self.trained_on = len(labelled)
        if len(labelled) and labels.min() == 0 and labels.max() == 1:
            from sklearn.svm import LinearSVC

            y = labels
            n_in, n_out = int(y.sum()), int((y == 0).sum())
            w = np.where(y == 1, 1.0, n_in / (SETTINGS["balance_ratio"] * n_out))
            w *= len(y) / w.sum()
            from sklearn import config_context

            model = LinearSVC(loss=SETTINGS["classifier"]["loss"], C=SETTINGS["classifier"]["C"],
                              random_state=self.seed)
            # The inputs are the model's own sparse matrix: scikit-learn's per-call checks are skipped, which
            # is most of the time of a refit on a few hundred records.
            with config_context(assume_finite=True, skip_parameter_validation=True):
                model.fit(self.x[labelled], y, sample_weight=w)
                return model.decision_function(self.x)
        anchors = []
        if self.criteria is not None and self.criteria.shape[0]:
            anchors.append(np.asarray(self.criteria.mean(axis=0)).ravel())
        if len(labelled) and labels.max() == 1:
            anchors.append(np.asarray(self.x[labelled[labels == 1]].mean(axis=0)).ravel())
        if not anchors:
            return np.zeros(self.x.shape[0])  # the seeded tie-break alone: a shuffle
        return np.asarray(self.x @ np.mean(anchors, axis=0)).ravel()

    def order(self, scores: np.ndarray, pool: np.ndarray) -> np.ndarray:
        """``pool`` (record indices) from the highest score down; ties in a seeded order."""
        pool = np.asarray(pool, dtype=np.int64)
        key = scores[pool] + 1e-9 * self._tiebreak[pool]
        return pool[np.argsort(-key, kind="stable")]
