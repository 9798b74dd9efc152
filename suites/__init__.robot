*** Settings ***
Documentation    ComfyLibrary acceptance suites: ``mock`` runs against the embedded mock server,
...              ``real`` against a real ComfyUI given with ``--variable COMFYUI_URL:http://host:8188``
...              (or started from ``COMFYUI_HOME``, as ``make real`` does), else against a mock.

Test Timeout     2 minutes
