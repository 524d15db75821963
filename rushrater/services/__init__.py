"""Use cases: the only write path to a study. Every write records who did it in the audit trail."""
