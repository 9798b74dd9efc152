*** Settings ***
Documentation    ComfyLibrary acceptance suites: ``mock`` runs against the embedded mock server,
...              ``real`` against a real ComfyUI given with ``--variable COMFYUI_URL:http://host:8188``.

Test Timeout     2 minutes
