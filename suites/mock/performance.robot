*** Settings ***
Documentation    Performance metrics: every run measured node by node, memory sampled
...              from /system_stats, media checks and errors kept in run-report.json, a timeline
...              of each run in the log, and baselines that catch a slower server.

Library          OperatingSystem
Resource         ../../resources/comfy.resource

Suite Setup      Start A Mock ComfyUI And Connect
Test Setup       Start With An Idle Server
Test Teardown    Reset Faults

Test Tags        performance    library


*** Test Cases ***
A Pipeline Run Is Measured Node By Node
    [Tags]    pipeline
    ${image}    ${video} =    Generate An Image And Animate It    a red fox    the fox runs    frames=25
    Image Should Be Valid    ${image}
    Video Should Be Valid    ${video}    frames=25
    ${run} =    The Last Run In The Run Report
    Should Be Equal    ${run}[workflow]    ltx2_image_to_video
    The Run Should Hold Every Figure    ${run}
    Should Be Equal    ${run}[validations][0][keyword]    Video Should Be Valid

A Baseline Is Written, Holds, And Catches A Slower Server
    VAR    ${baseline} =    ${OUTPUT DIR}/baselines/z_image_${{ __import__('uuid').uuid4().hex }}.json
    Run Workflow    z_image_turbo_generation    seed=5    width=256    height=256
    Performance Should Not Regress    ${baseline}    update=True
    File Should Exist    ${baseline}
    Run Workflow    z_image_turbo_generation    seed=5    width=256    height=256
    Performance Should Not Regress    ${baseline}    tolerance=25%    min_difference=200 ms
    Set Server Latency    250 ms
    Run Workflow    z_image_turbo_generation    seed=5    width=256    height=256
    Run Keyword And Expect Error    Run of z_image_turbo_generation regressed against *: *phase download *
    ...    Performance Should Not Regress    ${baseline}    tolerance=25%    min_difference=200 ms

A Missing Baseline Fails Under CI And Is Written Only On Request
    [Setup]    Set Environment Variable    COMFY_CI    1
    VAR    ${baseline} =    ${OUTPUT DIR}/baselines/missing_${{ __import__('uuid').uuid4().hex }}.json
    Run Workflow    z_image_turbo_generation    seed=5    width=128    height=128
    Run Keyword And Expect Error    Baseline ${baseline} does not exist. Under CI a missing one fails*
    ...    Performance Should Not Regress    ${baseline}
    File Should Not Exist    ${baseline}
    Performance Should Not Regress    ${baseline}    update=True
    File Should Exist    ${baseline}
    [Teardown]    Remove Environment Variable    COMFY_CI

A Failed Run Keeps Its Error
    Fail Next Prompts    mode=execution    node=KSampler    message=CUDA out of memory
    Run Keyword And Expect Error    *CUDA out of memory*    Run Workflow    slow_sampler    steps=2
    ${run} =    The Last Run In The Run Report
    Should Be Equal    ${run}[status]    failed
    Should Contain    ${run}[errors][0]    CUDA out of memory

System Stats Name The Server And Its Device
    [Tags]    connection
    Get System Stats    system.comfyui_version    ==    0.8.0
    ${stats} =    Get System Stats
    Should Not Be Empty    ${stats.devices}


*** Keywords ***
The Run Should Hold Every Figure
    [Documentation]    A successful run's record has its parameters, per-node times, sampling
    ...    speed, memory and no errors.
    [Arguments]    ${run}
    Should Be Equal    ${run}[status]    success
    Dictionary Should Contain Key    ${run}[parameters]    prompt
    Should Not Be Empty    ${run}[nodes]
    Should Not Be Empty    ${run}[sampling]
    Should Be True    ${run}[memory][vram][peak] >= ${run}[memory][vram][start]
    Should Be Empty    ${run}[errors]
