*** Settings ***
Documentation    The mock ComfyUI in a Docker container, driven with the same keywords as a
...              server process: start, crash, restart, freeze, logs, and a GPU request on an
...              engine without GPUs. Skipped where no Docker engine runs, unless COMFY_REQUIRE_DOCKER=1.

Resource         ../../resources/comfy.resource

Suite Setup      Require A Docker Engine

Test Tags        containers    connection


*** Variables ***
${IMAGE}    comfylibrary/mock:test


*** Test Cases ***
A Container Serves Like A Server Process
    ${url} =    Start ComfyUI Container    ${IMAGE}    alias=boxed
    Connect To ComfyUI    ${url}
    ${files} =    Run Workflow And Download Its Images    empty_image_save.json
    Image Should Be Valid    ${files}[0]    width=512    height=512    min_size=100 B

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


*** Keywords ***
Require A Docker Engine
    [Documentation]    Skips the suite when no Docker engine with the mock image runs here,
    ...    but fails where ``COMFY_REQUIRE_DOCKER=1`` says one must be there (this project's CI).
    ${available} =    Docker Image Is Available    ${IMAGE}
    IF    not ${available}
        IF    "%{COMFY_REQUIRE_DOCKER=}" == "1"
            Fail    COMFY_REQUIRE_DOCKER=1 but no Docker engine with ${IMAGE} runs here
        END
        Skip    No Docker engine with ${IMAGE} here: run scripts/docker-engine.sh start
    END
