"""A mock ComfyUI 0.8 server (aiohttp) that runs as its own process.

Start it with ``comfy-mock --port 0`` or ``python -m ComfyLibrary.mock``; the
``Start Mock Server`` keyword does that for a suite.
"""
