*** Settings ***
Documentation    Faults injected into the mock server, and the error, timeout or recovery the
...              client shows for each.

Resource         ../../resources/comfy.resource

Suite Setup      Start A Mock ComfyUI And Connect
Test Setup       Start With An Idle Server
Test Teardown    Clear Every Fault

Test Tags        faults    connection


*** Test Cases ***
Slow Answers Make An Impatient Client Time Out
    ${url} =    Get Server Url
    Connect An Impatient Client    ${url}    timeout=500 ms
    Set Server Latency    2s
    Run Keyword And Expect Error    *timed out (GET /queue)*    Get Queue    client=impatient
    Set Server Latency    0s
    Get Queue    client=impatient

A Server Error On Submission Is Reported With Its Status
    Fail Next Prompts    mode=http    status=503
    Run Keyword And Expect Error
    ...    ComfyUI at * failed on POST /prompt with HTTP 503*
    ...    Submit Workflow    empty_image_save.json
    ${prompt_id} =    Submit Workflow    empty_image_save.json
    Workflow Should Complete    ${prompt_id}

A Rejected Prompt Shows The Server's Reason
    Fail Next Prompts    mode=validation    message=The queue is full
    Run Keyword And Expect Error
    ...    the server rejected the workflow: The queue is full
    ...    Submit Workflow    empty_image_save.json

An Out Of Memory Error Names The Node That Failed
    VAR    ${reason} =    torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB
    Fail Next Prompts    mode=execution    node=KSampler
    ...    message=CUDA out of memory. Tried to allocate 2.00 GiB    exception_type=torch.OutOfMemoryError
    ${prompt_id} =    Submit Workflow    slow_sampler.json
    Run Keyword And Expect Error    Prompt ${prompt_id} failed at node 3 (KSampler): ${reason}
    ...    Wait For Completion    ${prompt_id}

A WebSocket Dropped Mid-Run Does Not Lose The Prompt
    Start Event Tracking
    Drop WebSocket Connections    when=execution_start
    ${prompt_id} =    Submit Workflow    slow_sampler.json
    Wait For Event    disconnected
    Workflow Should Complete    ${prompt_id}
    Event Should Have Fired    reconnected

A Stalled Run Times Out Saying Where It Hung
    Stall Execution
    ${prompt_id} =    Start A Slow Workflow
    Run Keyword And Expect Error
    ...    Prompt ${prompt_id} did not complete in 0.5 seconds: it was running node *
    ...    Wait For Completion    ${prompt_id}    timeout=500 ms
    Resume Execution
    Workflow Should Complete    ${prompt_id}

A Late History Write Is Waited For
    Delay History Write    700 ms
    ${prompt_id} =    Submit Workflow    empty_image_save.json
    Wait For Event    execution_success    prompt_id=${prompt_id}
    Run Keyword And Expect Error    *is not in the server's history*    Get History    ${prompt_id}
    Workflow Should Complete    ${prompt_id}

Faults Can Be Cleared In One Step
    Set Server Latency    2s
    Fail Next Prompts    count=3
    Reset Faults
    ${faults} =    Get Server Faults
    Should Be Equal As Numbers    ${faults}[latency_ms]    0
    Should Be Empty    ${faults}[prompt_failures]
    ${prompt_id} =    Submit Workflow    empty_image_save.json
    Workflow Should Complete    ${prompt_id}

A Mock Starts With Its Faults Given As Robot Times
    Start Mock Server    alias=timed    latency=150 ms    history_delay=1 s    step=20 ms
    ${faults} =    Get Server Faults    timed
    Should Be Equal As Numbers    ${faults}[latency_ms]    150
    Run Keyword And Expect Error    Give latency or latency_ms, not both: latency=50 ms says it in one.
    ...    Start Mock Server    latency=50 ms    latency_ms=50


*** Keywords ***
Clear Every Fault
    [Documentation]    Leaves the suite's server as a fresh one would be: no faults, and a
    ...    queue that a restart loses.
    Reset Faults
    Keep Queue On Restart    False
