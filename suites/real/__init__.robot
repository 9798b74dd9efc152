*** Settings ***
Documentation    The same suites against a real ComfyUI or, when none is given, against the mock.
...
...              A real ComfyUI is either one already running, given with
...              ``--variable COMFYUI_URL:http://host:8188``; one this run starts from a ComfyUI
...              folder, given with ``--variable COMFYUI_HOME:/path/to/ComfyUI`` (plus
...              ``COMFYUI_PYTHON``, the interpreter of its virtual environment, and
...              ``COMFYUI_ARGS``, e.g. ``--cpu``: ``make real`` does this); one this run starts
...              from a Docker image, given with ``--variable COMFYUI_IMAGE:<image>`` (plus
...              ``COMFYUI_ARGS`` and ``COMFYUI_GPUS``, e.g. ``all``); or a fleet:
...              ``pabot --processes N --resourcefile servers.dat suites/real`` hands each suite
...              a free server of the resource file (docs/many-gpus.md). With none of them the
...              suites start a mock ComfyUI, so the same tests run on any machine.
...
...              Tests tagged ``tiny-models`` need the test models of ``comfy-test-models`` in
...              the server's models folder and run on a CPU; tests tagged ``gpu`` need the
...              production models and a GPU (``--exclude gpu`` leaves them out); tests tagged
...              ``started-server`` kill and restart the server, so they need one this run
...              started (a folder, an image or the mock).

Resource         ../../resources/comfy.resource    # the library with the suites' settings

Suite Setup      Use A ComfyUI
Test Timeout     5 minutes

Test Tags        real


*** Variables ***
${COMFYUI_URL}           ${EMPTY}
${COMFYUI_HOME}          ${EMPTY}
${COMFYUI_PYTHON}        ${None}
${COMFYUI_IMAGE}         ${EMPTY}
${COMFYUI_ARGS}          ${EMPTY}
${COMFYUI_GPUS}          ${None}
${COMFYUI_MODELS}        ${EMPTY}
${COMFYUI_PYTHONPATH}    ${EMPTY}


*** Keywords ***
Use A ComfyUI
    [Documentation]    Uses the ComfyUI at ``COMFYUI_URL`` or from PabotLib, or else starts one
    ...    (see `Start The ComfyUI Of This Run`). Sets ``${COMFYUI_URL}``,
    ...    ``${COMFYUI_KIND}`` (``real`` or ``mock``) and ``${SERVER_STARTED}`` for the suites,
    ...    and ``${COMFYUI_ENV}``: ``PYTHONPATH=${COMFYUI_PYTHONPATH}`` for the ComfyUI
    ...    processes a suite starts, when given (a version's own packages, `make matrix`).
    VAR    &{env} =    &{EMPTY}
    IF    "${COMFYUI_PYTHONPATH}"
        VAR    &{env} =    PYTHONPATH=${COMFYUI_PYTHONPATH}
    END
    VAR    &{COMFYUI_ENV} =    &{env}    scope=GLOBAL    # robocop: off=VAR04
    ${configured} =    ComfyUI Servers Are Configured
    IF    "${COMFYUI_URL}" or ("${COMFYUI_HOME}${COMFYUI_IMAGE}" == "" and ${configured})
        # an empty URL means "a server from PabotLib"
        Share The Server With The Suites    ${COMFYUI_URL}    real    ${False}
    ELSE
        ${url}    ${kind} =    Start The ComfyUI Of This Run
        Share The Server With The Suites    ${url}    ${kind}    ${True}
    END

Start The ComfyUI Of This Run
    [Documentation]    Starts real ComfyUI from ``${COMFYUI_HOME}`` or ``${COMFYUI_IMAGE}``, or
    ...    else a mock. Returns its URL and its kind, ``real`` or ``mock``.
    IF    "${COMFYUI_HOME}"
        ${url} =    Start ComfyUI Server    ${COMFYUI_HOME}    python=${COMFYUI_PYTHON}
        ...    args=${COMFYUI_ARGS}    ready_timeout=3 min    alias=comfyui    env=${COMFYUI_ENV}
        RETURN    ${url}    real
    END
    IF    "${COMFYUI_IMAGE}"
        ${url} =    Start The ComfyUI Image
        RETURN    ${url}    real
    END
    # sampling steps paced so that a test can act while a prompt runs
    ${url} =    Start Mock Server    alias=comfyui    step=50 ms
    RETURN    ${url}    mock

Start The ComfyUI Image
    [Documentation]    Starts ``${COMFYUI_IMAGE}`` as a container, with ``${COMFYUI_MODELS}``
    ...    mounted as its models folder when given, and returns its URL.
    VAR    &{volumes} =    &{EMPTY}
    IF    "${COMFYUI_MODELS}"
        VAR    &{volumes} =    ${COMFYUI_MODELS}=/opt/ComfyUI/models:ro
    END
    ${url} =    Start ComfyUI Container    ${COMFYUI_IMAGE}    args=${COMFYUI_ARGS}
    ...    gpus=${COMFYUI_GPUS}    volumes=${volumes}    ready_timeout=5 min    alias=comfyui
    RETURN    ${url}

Share The Server With The Suites
    [Documentation]    Makes the server's URL, its kind and whether this run started it
    ...    global, says which server it is in the suite's metadata, and on a mock takes the
    ...    ``real`` tag off every test (tagging them ``ran-on-mock``).
    [Arguments]    ${url}    ${kind}    ${started}
    VAR    ${COMFYUI_URL} =    ${url}    scope=GLOBAL    # robocop: off=VAR04
    VAR    ${COMFYUI_KIND} =    ${kind}    scope=GLOBAL    # robocop: off=VAR04
    VAR    ${SERVER_STARTED} =    ${started}    scope=GLOBAL    # robocop: off=VAR04
    VAR    ${where} =    ${kind} ComfyUI at ${{ $url or 'a server from PabotLib' }}
    Log    Suites run against a ${where}.
    # the report says where the suites ran, and the `real` tag never marks a mock run
    Set Suite Metadata    Server    ${where}
    IF    "${kind}" == "mock"
        Remove Tags    real
        Set Tags    ran-on-mock
    END
