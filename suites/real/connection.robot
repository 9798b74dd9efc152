*** Settings ***
Documentation    A real ComfyUI answers, its WebSocket connects, and its node catalog has the
...              core nodes.

Resource         ../../resources/comfy.resource

Suite Setup      Connect To ComfyUI    ${COMFYUI_URL}    timeout=1 min

Test Tags        connection


*** Test Cases ***
The Server Answers Over HTTP And WebSocket
    ${valid} =    Validate Connection
    Should Be True    ${valid}
    Connection State Should Be    connected

The Queue Can Be Read
    ${queue} =    Get Queue
    Dictionary Should Contain Key    ${queue}    queue_running
    Dictionary Should Contain Key    ${queue}    queue_pending

The Core Nodes Are Installed
    ${problems} =    Validate Workflow    invert_chain.json    fail=False
    Should Be Empty    ${problems}
