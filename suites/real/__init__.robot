*** Settings ***
Documentation    Suites against a real ComfyUI, given with
...              ``--variable COMFYUI_URL:http://host:8188``. Tests tagged ``gpu`` need the
...              production models on that server; the others pass on ComfyUI started with
...              ``--cpu``. Without ``COMFYUI_URL`` every test here skips with the reason.

Suite Setup      Skip If    not "${COMFYUI_URL}"
...                  No real ComfyUI: run with --variable COMFYUI_URL:http://host:8188

Test Tags        real


*** Variables ***
${COMFYUI_URL}    ${EMPTY}
