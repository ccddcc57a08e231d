"""Imported by the fuzzer's Python at start-up (run.sh puts this folder on
PYTHONPATH), before Schemathesis.

Hypothesis describes strategies built from lambdas by parsing the lambdas'
source with ``ast.parse``, and the fuzzer runs two worker threads. CPython
3.11 keeps the AST converter's recursion depth in state those threads
share, so two parses at once can fail with "SystemError: AST constructor
recursion depth mismatch"; the fuzzer then reports a runtime error with no
request and no failed check (seen in CI's runs of test.sh). One lock makes
the parses take turns; they are a negligible part of the run.
"""

import ast
import threading

_lock = threading.Lock()
_parse = ast.parse


def _parse_in_turn(*args, **kwargs):
    with _lock:
        return _parse(*args, **kwargs)


ast.parse = _parse_in_turn
