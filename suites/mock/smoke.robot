*** Settings ***
Documentation    The thinnest end-to-end slice: a mock ComfyUI in its own process, a client
...              talking HTTP and WebSocket to it, one model-free workflow, and the image it saves.

Resource         ../../resources/comfy.resource

Suite Setup      Start A Mock ComfyUI And Connect
Test Setup       Start With An Idle Server

Test Tags        smoke    image


*** Test Cases ***
A Blank Canvas Is Generated And Saved As A PNG
    ${files} =    Run Workflow And Download Its Images    empty_image_save.json
    Length Should Be    ${files}    1
    Image Should Be Valid    ${files}[0]    format=PNG    width=512    height=512    min_size=100 B
    ...    not_blank=False

A Changed Canvas Size Gives An Image Of That Size
    ${workflow} =    Load Workflow    empty_image_save
    Set Workflow Input    ${workflow}    "Blank Canvas".width    ${256}
    Set Workflow Input    ${workflow}    1.height    ${128}
    ${files} =    Run Workflow And Download Its Images    ${workflow}
    Image Should Be Valid    ${files}[0]    width=256    height=128    min_size=100 B
    ...    not_blank=False

A Broken Workflow Is Caught Before It Is Submitted
    ${workflow} =    Load Workflow    empty_image_save
    Set Workflow Input    ${workflow}    EmptyImage.width    ${0}
    Run Keyword And Expect Error
    ...    *- node 1 "Blank Canvas" (EmptyImage) input 'width': value 0 below minimum 1
    ...    Submit Workflow    ${workflow}

The Server's Own Rejection Is Readable Too
    ${workflow} =    Load Workflow    empty_image_save
    Set Workflow Input    ${workflow}    EmptyImage.width    ${0}
    Run Keyword And Expect Error
    ...    the server rejected the workflow: node 1 (EmptyImage) input 'width': value 0 below minimum 1
    ...    Submit Workflow    ${workflow}    validate=False

A Small Image Is Valid, But Not Of A Typical Size
    ${files} =    Run Workflow And Download Its Images    empty_image_save.json
    Image Should Be Valid    ${files}[0]    width=512    height=512    not_blank=False
    Run Keyword And Expect Error
    ...    *file size is * bytes, expected between 10240 and 52428800 bytes*
    ...    Image Should Be Valid    ${files}[0]    typical_sizes=True    not_blank=False

A Misspelt Event Filter Fails Instead Of Matching Nothing
    [Tags]    connection
    Start Event Tracking
    Run Workflow And Download Its Images    empty_image_save.json
    ${events} =    Get Events    executed
    VAR    ${prompt_id} =    ${events}[-1][data][prompt_id]
    Run Keyword And Expect Error    Unknown filter 'promt_id' for 'executed' events: did you mean 'prompt_id'?
    ...    Event Should Not Have Fired    executed    promt_id=${prompt_id}
    Run Keyword And Expect Error    Unknown argument 'timout': did you mean 'timeout'?
    ...    Wait For Event    executed    timout=1s
    Run Keyword And Expect Error
    ...    Unknown filter 'colour' for 'executed' events: *has display_node, node, output, prompt_id.
    ...    Event Should Have Fired    executed    colour=red
    Event Should Have Fired    executed    prompt_id=${prompt_id}    node=2
