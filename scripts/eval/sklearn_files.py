"""Scores a run file against INQUIRE-layout files with scikit-learn, as INQUIRE's scripts would: the
baseline for bench/eval.ts. Reads the queries, annotations and run CSVs with Python's csv module, ranks
each query's run rows by score (ties by image id, as `fieldmark eval` does), and prints the mean AP,
nDCG and MRR as JSON. Usage: /usr/bin/python3 scripts/eval/sklearn_files.py QUERIES ANNOTATIONS RUN K
"""
import csv
import json
import os
import sys
from collections import defaultdict

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sklearn_reference import fullrank  # noqa: E402


def image_key(image_id):
    return (0, int(image_id), "") if image_id.isdigit() else (1, 0, image_id)


def main():
    queries_file, annotations_file, run_file, k = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(queries_file, newline="") as f:
        query_ids = [row["query_id"] for row in csv.DictReader(f)]
    relevant = defaultdict(set)
    with open(annotations_file, newline="") as f:
        for row in csv.DictReader(f):
            relevant[row["query_id"]].add(row["image_id"])
    runs = defaultdict(list)
    with open(run_file, newline="") as f:
        for row in csv.DictReader(f):
            runs[row["query_id"]].append((float(row["score"]), row["image_id"]))
    totals = np.zeros(3)
    scored = 0
    for q in query_ids:
        pos = relevant.get(q, set())
        if not pos:
            continue
        ranked = sorted(runs.get(q, []), key=lambda r: (-r[0], image_key(r[1])))[:k]
        y_true = np.asarray([1 if image in pos else 0 for _, image in ranked], dtype=int)
        y_pred = np.asarray([score for score, _ in ranked], dtype=float)
        totals += fullrank(y_true, y_pred, len(pos), k) if len(ranked) else (0.0, 0.0, 0.0)
        scored += 1
    ap, ndcg, mrr = totals / scored
    json.dump({"ap": ap, "ndcg": ndcg, "mrr": mrr, "queries": scored}, sys.stdout)


if __name__ == "__main__":
    main()
