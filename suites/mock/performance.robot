*** Settings ***
Documentation    Seed 004's performance metrics: every run measured node by node, memory sampled
...              from /system_stats, media checks and errors kept in run-report.json, a timeline
...              of each run in the log, and baselines that catch a slower server.

Library          OperatingSystem
Resource         ../../resources/comfy.resource

Suite Setup      Start A Mock ComfyUI And Connect
Test Setup       Start With An Idle Server
Test Teardown    Reset Faults

Test Tags        performance


*** Test Cases ***
A Pipeline Run Is Measured Node By Node
    [Tags]    pipeline
    ${image}    ${video} =    Generate An Image And Animate It    a red fox    the fox runs    frames=25
    Image Should Be Valid    ${image}
    Video Should Be Valid    ${video}    frames=25
    ${run} =
