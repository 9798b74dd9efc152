*** Settings ***
Documentation    The same suites against a real ComfyUI or, when none is given, against the mock.
...
...              A real ComfyUI is either one already running, given with
...              ``--variable COMFYUI_URL:http://host:8188``; one this run starts from a
...              ComfyUI folder, given with ``--variable COMFYUI_HOME:/path/to/ComfyUI`` (plus
...              ``COMFYUI_PYTHON``, the interpreter of its virtual environment, and
...              ``COMFYUI_ARGS``, e.g. ``--cpu``: ``make real`` does this); one this run starts
...              from a Docker image, given with ``--variable COMFYUI_IMAGE:<image>`` (plus
...              ``COMFYUI_ARGS`` and ``COMFYUI_GPUS``, e.g. ``all``); or a fleet:
...              ``pabot --processes N --resourcefile servers.dat suites/real`` hands each suite
...              a free server of the resource file (docs/many-gpus.md). With none of them the
...              suites start a mock ComfyUI, so the same tests run on any machine.
...
...              Tests tagged ``tiny-models`` need the test models of ``comfy-test-models``
...              in the server's models folder and run on a CPU; tests tagged ``gpu`` need the
...              production models and a GPU (``--exclude gpu`` leaves them out); tests tagged
...              ``started-server`` kill and restart the server, so they need one this run
...              started (a folder, an image or the mock).

Resource         ../../resources/comfy.resource    # the library with the suites' settings

Suite Setup      Use A ComfyUI

Test Tags        real


*** Variables ***
${COMFYUI_URL}       ${EMPTY}
${COMFYUI_HOME}      ${EMPTY}
${COMFYUI_PYTHON}    ${None}
${COMFYUI_IMAGE}     ${EMPTY}
${COMFYUI_ARGS}      ${EMPTY}
${COMFYUI_GPUS}      ${None}
${COMFYUI_MODELS}    ${EMPTY}


*** Keywords ***
Use A ComfyUI
    [Documentation]    Starts the ComfyUI the variables name (a folder or an image), uses the one
    ...    at ``COMFYUI_URL`` or from PabotLib, or else starts a mock. Sets ``${COMFYUI_URL}``,
    ...    ``${COMFYUI_KIND}`` (``real`` or ``mock``) and ``${SERVER_STARTED}`` for the suites.
    VAR    ${kind} =    real
    VAR    ${started} =    ${True}
    IF    "${COMFYUI_URL}"
        VAR    ${started} =    ${False}
    ELSE IF    "${COMFYUI_HOME}"
        ${url} =    Start ComfyUI Server    ${COMFYUI_HOME}    python=${COMFYUI_PYTHON}
        ...    args=${COMFYUI_ARGS}    ready_timeout=3 min    alias=comfyui
        VAR    ${COMFYUI_URL} =    ${url}    scope=GLOBAL    # robocop: off=VAR04
    ELSE IF    "${COMFYUI_IMAGE}"
        VAR    &{volumes} =    &{EMPTY}
        IF    "${COMFYUI_MODELS}"
            VAR    &{volumes} =    ${COMFYUI_MODELS}=/opt/ComfyUI/models:ro
        END
        ${url} =    Start ComfyUI Container    ${COMFYUI_IMAGE}    args=${COMFYUI_ARGS}
        ...    gpus=${COMFYUI_GPUS}    volumes=${volumes}    ready_timeout=5 min    alias=comfyui
        VAR    ${COMFYUI_URL} =    ${url}    scope=GLOBAL    # robocop: off=VAR04
    ELSE
        ${configured} =    ComfyUI Servers Are Configured
        IF    ${configured}
            VAR    ${started} =    ${False}
        ELSE
            # sampling steps paced so that a test can act while a prompt runs
            ${url} =    Start Mock Server    alias=comfyui    step_ms=50
            VAR    ${COMFYUI_URL} =    ${url}    scope=GLOBAL    # robocop: off=VAR04
            VAR    ${kind} =    mock
        END
    END
    # the suites connect to this URL; empty means "a server from PabotLib"
    VAR    ${COMFYUI_URL} =    ${COMFYUI_URL}    scope=GLOBAL    # robocop: off=VAR04
    VAR    ${COMFYUI_KIND} =    ${kind}    scope=GLOBAL    # robocop: off=VAR04
    VAR    ${SERVER_STARTED} =    ${started}    scope=GLOBAL    # robocop: off=VAR04
    Log    Suites run against a ${kind} ComfyUI at ${{ $COMFYUI_URL or 'a server from PabotLib' }}.
