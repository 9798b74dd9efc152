*** Settings ***
Documentation    The mock ComfyUI in a Docker container, driven with the same keywords as a
...              server process: start, crash, restart, freeze, logs, and a GPU request on an
...              engine without GPUs. Skipped where no Docker engine runs, unless COMFY_REQUIRE_DOCKER=1.

Resource         ../../resources/comfy.resource

Suite Setup      Require A Docker Engine

Test Tags        containers    connection


*** Variables ***
${IMAGE}                 comfylibrary/mock:test
${COMFYUI IMAGE}         comfylibrary/comfyui:cpu
${COMFYUI CUDA IMAGE}    comfylibrary/comfyui:cuda
${REFERENCES}            ${CURDIR}/../../resources/references


*** Test Cases ***
A Container Serves Like A Server Process
    ${url} =    Start ComfyUI Container    ${IMAGE}    alias=boxed
    Connect To ComfyUI    ${url}
    ${files} =    Run Workflow And Download Its Images    empty_image_save.json
    Image Should Be Valid    ${files}[0]    width=512    height=512    min_size=100 B
    ...    not_blank=False

Faults Reach A Mock In A Container
    [Documentation]    Through its control routes, with the token the keyword gave the container.
    Start ComfyUI Container    ${IMAGE}    alias=boxed
    Set Server Latency    150 ms    alias=boxed
    ${faults} =    Get Server Faults    boxed
    Should Be Equal As Numbers    ${faults}[latency_ms]    150
    Reset Faults    boxed

A Crashed Container Comes Back And The Client Reconnects
    ${url} =    Start ComfyUI Container    ${IMAGE}    alias=boxed
    Connect To ComfyUI    ${url}
    Start Event Tracking
    Kill Server    boxed
    Wait For Event    disconnected
    Restart Server    boxed
    Wait For Event    reconnected    timeout=20s
    ${logs} =    Get Container Logs    boxed
    Should Contain    ${logs}    ComfyUI mock ready at

A Frozen Container Times Out And Recovers
    ${url} =    Start ComfyUI Container    ${IMAGE}    alias=boxed
    Connect An Impatient Client    ${url}    timeout=500 ms
    Freeze Server    boxed
    Run Keyword And Expect Error    *timed out (GET /queue)*    Get Queue
    Thaw Server    boxed
    Wait For Connection    timeout=10s

The Container Keywords Crash, Stop And Restart A Container
    Start ComfyUI Container    ${IMAGE}    alias=boxed
    Kill Container    boxed
    Server Should Be Stopped    boxed
    Restart Container    boxed
    Server Should Be Running    boxed
    Stop Container    boxed
    Server Should Be Stopped    boxed
    Stop All Containers
    Run Keyword And Expect Error    No 'boxed' server*    Get Server Url    boxed

A GPU Request On An Engine Without GPUs Fails Clearly
    Run Keyword And Expect Error
    ...    Docker could not give container 'gpu-box' the GPU it asked for*
    ...    Start ComfyUI Container    ${IMAGE}    alias=gpu-box    gpus=all

Real ComfyUI In A Container Generates With The Test Models
    [Documentation]    Real ComfyUI 0.8 (``scripts/docker-engine.sh`` builds its image for the
    ...    CPU from ``COMFYUI_SOURCE``) with the test models mounted read-only: the image
    ...    it makes is the one the real lane made, pixel for pixel close.
    [Tags]    real-comfyui    image
    ${torch} =    The Image Generates The Real Lane's Picture    ${COMFYUI IMAGE}
    Should Not Contain    ${torch}    +cu

The CUDA Flavour Of The ComfyUI Image Starts With --cpu And Generates
    [Documentation]    The same Dockerfile built with PyPI's CUDA build of torch, whose wheels
    ...    bring CUDA's runtime, so no CUDA base image from a registry is needed. With no GPU
    ...    here it runs with ``--cpu``; what it does on a GPU only a GPU runner shows.
    [Tags]    real-comfyui    image    cuda
    ${torch} =    The Image Generates The Real Lane's Picture    ${COMFYUI CUDA IMAGE}
    Should Contain    ${torch}    +cu    msg=torch ${torch} in ${COMFYUI CUDA IMAGE} is no CUDA build


*** Keywords ***
The Image Generates The Real Lane's Picture
    [Documentation]    Starts real ComfyUI from ``${image}`` with ``--cpu`` and the test models
    ...    mounted read-only, generates the tiny picture and compares it with the golden one
    ...    the real lane's process made. Returns the container's torch version.
    [Arguments]    ${image}
    Start Real ComfyUI From The Image With The Test Models    ${image}
    ${result} =    Run Workflow    tiny_text_to_image    seed=${42}    timeout=3 min
    Validate Image    ${result.files}[0]    format=PNG    width=64    height=64
    Image Should Match Reference    ${result.files}[0]
    ...    ${REFERENCES}/real_tiny_text_to_image_seed42.png    threshold=0.95
    ${devices} =    Get System Stats    devices
    Should Be Equal    ${devices}[0][type]    cpu
    ${torch} =    Get System Stats    system.pytorch_version
    RETURN    ${torch}

Start Real ComfyUI From The Image With The Test Models
    [Documentation]    Starts ``${image}`` with ``--cpu`` and the test models mounted read-only,
    ...    and connects to it; skips (fails under ``COMFY_REQUIRE_DOCKER=1``) without the image.
    [Arguments]    ${image}
    Require The Image    ${image}
    ...    COMFYUI_SOURCE=/path/to/ComfyUI-0.8.0.tar.gz scripts/docker-engine.sh start
    ${models} =    Write Test Models    ${OUTPUT DIR}/test-models
    VAR    &{volumes} =    ${models}=/opt/ComfyUI/models:ro
    ${url} =    Start ComfyUI Container    ${image}    alias=real-box    args=--cpu
    ...    volumes=${volumes}    ready_timeout=3 min
    Connect To ComfyUI    ${url}    timeout=2 min

Require The Image
    [Documentation]    Skips the test when ``${image}`` is not in the Docker engine, naming the
    ...    command that builds it; a failure under ``COMFY_REQUIRE_DOCKER=1``.
    [Arguments]    ${image}    ${command}
    ${available} =    Docker Image Is Available    ${image}
    Skip Or Fail If    not ${available}
    ...    The Docker engine has no image ${image}: build it with '${command}'.
    ...    COMFY_REQUIRE_DOCKER

Require A Docker Engine
    [Documentation]    Skips the suite when no Docker engine with the mock image runs here; a
    ...    failure under ``COMFY_REQUIRE_DOCKER=1`` (this project's CI).
    Require The Image    ${IMAGE}    scripts/docker-engine.sh start
