"""The re-run harness: declarative recipes, a sandboxed runner, fingerprints, verdicts."""
