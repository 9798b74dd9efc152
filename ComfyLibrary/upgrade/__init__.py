"""Before an upgrade: what changes between two ComfyUI servers (real, mock or a profile):
node catalog, the user's workflows, outputs, time, protocol and custom node packs."""
