"""Per-phase timings of workflow runs and the JSON run report."""

from ComfyLibrary.report.runs import PHASES, RunRecord, RunReport

__all__ = ["PHASES", "RunRecord", "RunReport"]
