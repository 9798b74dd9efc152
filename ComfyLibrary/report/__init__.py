"""Per-phase timings of workflow runs and the JSON run report."""

from ComfyLibrary.report.runs import PHASES, Phase, RunRecord, RunReport

__all__ = ["PHASES", "Phase", "RunRecord", "RunReport"]
