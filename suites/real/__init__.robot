*** Settings ***
Documentation    Suites against a real ComfyUI: either one already running, given with
...              ``--variable COMFYUI_URL:http://host:8188``, or one this run starts from a
...              Docker image, given with ``--variable COMFYUI_IMAGE:<image>`` (plus
...              ``COMFYUI_ARGS``, e.g. ``--cpu``, and ``COMFYUI_GPUS``, e.g. ``all``), or
...              a fleet: ``pabot --processes N --resourcefile servers.dat suites/real``
...              hands each suite a free server of the resource file (docs/many-gpus.md).
...              Tests tagged ``gpu`` need the production models; the others pass on a
...              ComfyUI started with ``--cpu``. With neither variable every test here skips.

Library          ComfyLibrary

Suite Setup      Use A Real ComfyUI

Test Tags        real


*** Variables ***
${COMFYUI_URL}       ${EMPTY}
${COMFYUI_IMAGE}     ${EMPTY}
${COMFYUI_ARGS}      ${EMPTY}
${COMFYUI_GPUS}      ${None}
${COMFYUI_MODELS}    ${EMPTY}


*** Keywords ***
Use A Real ComfyUI
    [Documentation]    Starts the ComfyUI container when an image is given, and skips the
    ...    suites when there is neither an image nor a URL.
    IF    "${COMFYUI_IMAGE}"
        VAR    &{volumes} =    &{EMPTY}
        IF    "${COMFYUI_MODELS}"
            VAR    &{volumes} =    ${COMFYUI_MODELS}=/opt/ComfyUI/models:ro
        END
        ${url} =    Start ComfyUI Container    ${COMFYUI_IMAGE}    args=${COMFYUI_ARGS}
        ...    gpus=${COMFYUI_GPUS}    volumes=${volumes}    ready_timeout=5 min
        VAR    ${COMFYUI_URL} =    ${url}    scope=GLOBAL    # robocop: off=VAR04
    END
    IF    not "${COMFYUI_URL}"
        ${configured} =    ComfyUI Servers Are Configured
        Skip If
        ...    not ${configured}
        ...    No real ComfyUI: give --variable COMFYUI_URL:http://host:8188, COMFYUI_IMAGE:<image>, or run under pabot with a resource file of type=comfyui servers
    END
    # the suites connect to this URL; empty means "COMFYUI_URL or a server from PabotLib"
    VAR    ${COMFYUI_URL} =    ${COMFYUI_URL}    scope=GLOBAL    # robocop: off=VAR04
