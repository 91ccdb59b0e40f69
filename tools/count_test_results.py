#!/usr/bin/env python3
"""Counts gtest cases of one `bazel test` run and prints "N passed, N failed".

Usage: count_test_results.py [--counts] BEP_JSON TESTLOGS_DIR //pkg:target...

With --counts it prints just "PASSED FAILED" (for a caller that adds up
several runs) and always exits 0.

BEP_JSON is the run's --build_event_json_file: it says which targets this
run tested and how each ended. The cases are counted from each target's
test.xml. A target that did not run (it failed to build, say) counts as one
failure, and so does a failed target whose test.xml shows no failing case
(a crash or a timeout), so a broken run can never look green. Exits 1 if
anything failed or no test case ran at all.
"""

import json
import os
import sys
import xml.etree.ElementTree as ET


def count_cases(xml_path):
    passed = failed = 0
    root = ET.parse(xml_path).getroot()
    for case in root.iter("testcase"):
        if case.get("status") == "notrun" or case.find("skipped") is not None:
            continue
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        else:
            passed += 1
    return passed, failed


def test_statuses(bep_path):
    """Maps each label to the statuses of its test runs in this build."""
    statuses = {}
    with open(bep_path) as bep:
        for line in bep:
            event = json.loads(line)
            result = event.get("id", {}).get("testResult")
            if result is None:
                continue
            status = event.get("testResult", {}).get("status", "NO_STATUS")
            statuses.setdefault(result["label"], []).append(status)
    return statuses


def main(argv):
    counts_only = len(argv) > 1 and argv[1] == "--counts"
    if counts_only:
        argv = argv[1:]
    bep_path, testlogs, targets = argv[1], argv[2], argv[3:]
    statuses = test_statuses(bep_path)
    passed = failed = 0
    for target in targets:
        runs = statuses.get(target)
        if not runs:
            print("did not run: %s" % target, file=sys.stderr)
            failed += 1
            continue
        rel = target.lstrip("/").replace(":", "/")
        xml_path = os.path.join(testlogs, rel, "test.xml")
        p, f = count_cases(xml_path) if os.path.exists(xml_path) else (0, 0)
        if any(s != "PASSED" for s in runs) and f == 0:
            print("failed outside a test case: %s" % target, file=sys.stderr)
            f = 1
        passed += p
        failed += f
    if counts_only:
        print("%d %d" % (passed, failed))
        return 0
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
