"""Cohen's kappa with scikit-learn, for tests/agreement: reads {"cases": [{"a": [...], "b": [...]}]} on
stdin and prints {"results": [kappa or null]} (null where scikit-learn's answer is not a number).
Run with Debian's /usr/bin/python3 (python3-sklearn)."""
import json
import math
import sys
import warnings

from sklearn.metrics import cohen_kappa_score

warnings.simplefilter("ignore")
out = []
for case in json.load(sys.stdin)["cases"]:
    k = float(cohen_kappa_score(case["a"], case["b"], labels=["relevant", "not_relevant", "unsure"]))
    out.append(None if math.isnan(k) else k)
json.dump({"results": out}, sys.stdout)
