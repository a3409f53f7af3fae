"""Callaghan and Müller-Hansen's stopping test computed with scipy, the way mcallaghan/buscarpy's calculate_h0
computes it (bias 1): for the last n screened documents, k_n of them relevant, K = floor(r/target + 1 - (r - k_n))
and p_n = hypergeom.cdf(k_n, N - (len - n), K, n); p = min over n.

Reads JSON from stdin: {"cases": [{"labels": [0/1, ...], "N": collection size, "recall_target": 0.95}]}, labels
in screening order, and prints {"results": [{"p": ...}]}. Used by tests/recall (to 1e-9). Run it with Debian's
/usr/bin/python3 (python3-scipy).
"""
import json
import sys

import numpy as np
from scipy.stats import hypergeom


def calculate_h0(labels, N, recall_target):
    labels = np.array(labels, dtype=np.int64)
    if labels.shape[0] == 0:
        return 1.0
    r_seen = labels.sum()
    urns = labels[::-1]  # the last 1, 2, ... documents screened
    urn_sizes = np.arange(urns.shape[0]) + 1
    k_hat = np.floor(r_seen / recall_target + 1 - (r_seen - urns.cumsum()))
    p = hypergeom.cdf(urns.cumsum(), N - (urns.shape[0] - urn_sizes), k_hat, urn_sizes)
    return float(np.min(p))


def main():
    cases = json.load(sys.stdin)["cases"]
    results = [{"p": calculate_h0(c["labels"], c["N"], c["recall_target"])} for c in cases]
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
