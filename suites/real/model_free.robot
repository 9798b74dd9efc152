*** Settings ***
Documentation    Workflows that need no model, against a real ComfyUI (a CPU is enough):
...              results, errors, interrupts, cache hits and uploads behave as the mock's do.

Resource         ../../resources/comfy.resource

Suite Setup      Connect To ComfyUI    ${COMFYUI_URL}    timeout=1 min

Test Tags        image


*** Variables ***
${START FRAME}    ${CURDIR}/../../resources/fixtures/start_frame.png


*** Test Cases ***
A Model-Free Workflow Runs And Saves A Real Image
    ${result} =    Run Workflow    invert_chain    color=${12345}
    Length Should Be    ${result.files}    1
    Image Should Be Valid    ${result.files}[0]    format=PNG    width=128    height=96    min_size=100 B
    ...    not_blank=False

The Same Workflow Again Is Served From The Cache
    Run Workflow    invert_chain    color=${424242}
    Start Event Tracking
    ${result} =    Run Workflow    invert_chain    color=${424242}
    Should Be Equal    ${result.status}    success
    ${cached} =    Wait For Event    execution_cached    prompt_id=${result.prompt_id}
    Length Should Be    ${cached}[data][nodes]    5

A Broken Workflow Is Rejected By The Server With A Readable Reason
    ${workflow} =    Load Workflow    empty_image_save
    Set Workflow Input    ${workflow}    1.width    ${0}
    Run Keyword And Expect Error
    ...    the server rejected the workflow: node 1 (EmptyImage) input 'width': value 0 below minimum 1
    ...    Submit Workflow    ${workflow}    validate=False

An Execution Error Names The Node That Failed
    ${workflow} =    Load Workflow    empty_image_save
    Set Workflow Input    ${workflow}    1.width    ${16384}
    Set Workflow Input    ${workflow}    1.height    ${16384}
    Set Workflow Input    ${workflow}    1.batch_size    ${4096}
    ${prompt_id} =    Submit Workflow    ${workflow}
    Run Keyword And Expect Error    Prompt ${prompt_id} failed at node 1 (EmptyImage): RuntimeError: *
    ...    Wait For Completion    ${prompt_id}

A Running Prompt Can Be Interrupted
    # the mock at ComfyUI's own pace: the chain runs for seconds, as on a real server, so
    # the interrupt lands while it runs even on a busy machine
    Pace A Mock    real
    ${prompt_id} =    Submit Workflow    blur_chain.json
    Wait For Event    executing    prompt_id=${prompt_id}
    Interrupt Prompt    ${prompt_id}
    Run Keyword And Expect Error    Prompt ${prompt_id} was interrupted at node *
    ...    Wait For Completion    ${prompt_id}
    [Teardown]    Pace A Mock    fast

An Uploaded Image Is Loaded By A Workflow
    ${name} =    Upload Image    ${START FRAME}
    ${result} =    Run Workflow    load_and_invert    image=${name}
    Image Should Be Valid    ${result.files}[0]    width=640    height=480

A Finished Prompt Is Listed By The Jobs Route
    [Documentation]    ComfyUI 0.8 added ``/api/jobs``; older versions answer 404 there, so
    ...    the test says which versions it is for, and is skipped with that reason on others.
    Require ComfyUI Version    >=0.8
    ${result} =    Run Workflow    invert_chain    color=${777}
    ${answer} =    Call ComfyUI Route    GET    /api/jobs/${result.prompt_id}    expected_status=200
    Should Be Equal    ${answer.body}[id]    ${result.prompt_id}
    Should Be Equal    ${answer.body}[status]    completed


*** Keywords ***
Pace A Mock
    [Documentation]    Sets the pace of the suites' server when it is a mock (see Set Server
    ...    Pace); a real server keeps its own.
    [Arguments]    ${pace}
    IF    "${COMFYUI_KIND}" == "mock"
        Set Server Pace    ${pace}    alias=comfyui
    END
