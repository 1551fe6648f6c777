#!/usr/bin/env python3
"""Runs one unittest id for CTest: exit 0 when it passed, 77 when it was skipped (CTest reports it
as skipped, loudly, instead of passed), 1 when it failed."""
import sys
import unittest

suite = unittest.defaultTestLoader.loadTestsFromName(sys.argv[1])
result = unittest.TextTestRunner(verbosity=0, stream=sys.stderr).run(suite)
if not result.wasSuccessful():
    sys.exit(1)
if result.skipped and len(result.skipped) == result.testsRun:
    print("SKIPPED:", "; ".join(reason for _, reason in result.skipped), file=sys.stderr)
    sys.exit(77)
sys.exit(0)
