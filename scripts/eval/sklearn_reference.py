"""INQUIRE's metrics computed with scikit-learn, called the way INQUIRE's src/metrics.py calls it.

Reads JSON from stdin: {"cases": [{"y_true": [0/1...], "y_pred": [...], "count_pos": n, "k": k,
"task": "fullrank" | "rerank"}]}, each list in ranked order, and prints {"results": [{ap, ndcg, mrr}]}.
Used by tests/eval (to 1e-9) and bench/eval.py. Run it with Debian's /usr/bin/python3 (python3-sklearn).
"""
import json
import sys

import numpy as np
from sklearn.metrics import average_precision_score, ndcg_score


def fullrank(y_true, y_pred, count_pos, k):
    top_true, top_pred = y_true[:k], y_pred[:k]
    if len(top_true) < k:
        # Fieldmark scores a list shorter than k as padded with non-relevant images below it to length k
        # (INQUIRE's lists always hold k)
        pad = k - len(top_true)
        low = (top_pred.min() if len(top_pred) else 0.0) - 1.0
        top_true = np.concatenate([top_true, np.zeros(pad, dtype=int)])
        top_pred = np.concatenate([top_pred, np.full(pad, low)])
    hits = int(top_true.sum())
    ap = average_precision_score(top_true, top_pred) if hits > 0 else 0.0
    ap = ap * hits / min(count_pos, k)
    missing = count_pos - hits
    ndcg = ndcg_score([top_true.tolist() + [1] * missing], [top_pred.tolist() + [-100] * missing], k=k)
    # INQUIRE flips numpy's argsort, which leaves the order of equal scores unspecified; here equal scores
    # keep the list's order (the run's ranking, ties by image id), as Fieldmark's MRR does
    order = np.argsort(-top_pred, kind="stable")
    ranks = np.nonzero(top_true[order] == 1)[0]
    mrr = 1.0 / (ranks[0] + 1) if len(ranks) else 0.0
    return ap, ndcg, mrr


def rerank(y_true, y_pred):
    # the whole set, with its own relevant images as the total: compute_retrieval_metrics(y_true, y_pred,
    # count_pos=sum(y_true)) with k = len(y_true)
    return fullrank(y_true, y_pred, int(y_true.sum()), len(y_true))


def main():
    cases = json.load(sys.stdin)["cases"]
    out = []
    for c in cases:
        y_true = np.asarray(c["y_true"], dtype=int)
        y_pred = np.asarray(c["y_pred"], dtype=float)
        if c.get("task") == "rerank":
            ap, ndcg, mrr = rerank(y_true, y_pred)
        else:
            ap, ndcg, mrr = fullrank(y_true, y_pred, c["count_pos"], c["k"])
        out.append({"ap": float(ap), "ndcg": float(ndcg), "mrr": float(mrr)})
    json.dump({"results": out}, sys.stdout)


if __name__ == "__main__":
    main()
