*** Settings ***
Documentation    Clients that survive real server crashes: manual and automatic reconnection,
...              connection states and events, repeated drops, closing while reconnecting,
...              prompts that finish while the socket is down, and many clients at once.
...              Every server here is a real process that is really killed.

Resource         ../../resources/comfy.resource

Test Setup       Start A Mock ComfyUI Process And Connect

Test Tags        reconnection    connection


*** Variables ***
${QUIET PERIOD}         1s
@{CONNECTION EVENTS}    connected    disconnected    reconnecting    reconnected    reconnection_failed


*** Test Cases ***
A Client Reconnects By Hand After A Restart
    ${url} =    Get Server Url
    Connect To ComfyUI    ${url}    alias=manual    auto_reconnect=False
    Kill Server
    Wait For Disconnection    client=manual    timeout=5s
    Restart Server
    Reconnect Client    manual
    Connection State Should Be    connected    client=manual

Reconnection Attempts Give Up While The Server Is Down And Succeed Once It Is Back
    ${url} =    Get Server Url
    Connect To ComfyUI    ${url}    alias=manual    auto_reconnect=False
    Kill Server
    Wait For Disconnection    client=manual    timeout=5s
    Run Keyword And Expect Error    Client 'manual' could not reconnect to * in 3 attempt(s)*
    ...    Reconnect Client    manual    attempts=3    delay=100 ms
    Connection State Should Be    failed    client=manual
    Restart Server
    Reconnect Client    manual
    Connection State Should Be    connected    client=manual

A Client Reconnects By Itself
    Start Event Tracking
    Kill Server
    Wait For Event    disconnected
    Restart Server
    Wait For Event    reconnected    timeout=10s
    Event Should Not Have Fired    reconnection_failed
    Connection State Should Be    connected

The Connection States Follow The Server's Life
    Start Event Tracking
    Kill Server
    Wait For Event    reconnecting
    Restart Server
    Wait For Event    reconnected    timeout=10s
    ${names} =    Get Connection Event Names
    Should Be Equal    ${names}[0]    disconnected
    Should Be Equal    ${names}[1]    reconnecting
    Should Be Equal    ${names}[-1]    reconnected

Validate Connection Tells Whether The Server Is There
    ${valid} =    Validate Connection
    Should Be True    ${valid}
    Kill Server
    ${valid} =    Validate Connection    timeout=1s
    Should Not Be True    ${valid}

Validate Connection Fails For A Client That Does Not Exist
    Run Keyword And Expect Error    No client 'clinet1' (connected clients: *
    ...    Validate Connection    client=clinet1

A Failure Callback Runs When Reconnection Gives Up
    VAR    ${FAILED CLIENT} =    none    scope=SUITE    # robocop: off=VAR05
    ${url} =    Get Server Url
    Connect To ComfyUI    ${url}    alias=fragile    max_attempts=3    backoff_max=100 ms
    ...    on_reconnection_failed=Record Reconnection Failure
    Kill Server
    Wait For Event    reconnection_failed    client=fragile    timeout=10s
    Connection State Should Be    failed    client=fragile
    Should Be Equal    ${FAILED CLIENT}    fragile

Several Crash And Restart Cycles Are Each Survived
    FOR    ${_}    IN RANGE    3
        Start Event Tracking
        Kill Server
        Wait For Event    disconnected
        Restart Server
        Wait For Event    reconnected    timeout=10s
    END
    ${prompt_id} =    Submit Workflow    empty_image_save.json
    Workflow Should Complete    ${prompt_id}

Messages Keep Arriving After A Reconnection
    Kill Server
    Restart Server
    Wait For Connection    timeout=10s
    Start Event Tracking
    ${prompt_id} =    Submit Workflow    empty_image_save.json
    Wait For Event    status
    Wait For Event    execution_success    prompt_id=${prompt_id}

The Time To Recover From A Crash Is Measured
    Kill Server
    Restart Server
    ${prompt_id} =    Submit Workflow    empty_image_save.json
    Workflow Should Complete    ${prompt_id}
    Recovery Time Should Be Less Than    10 s
    Recovery Time Should Be Less Than    20 s    until=completed
    ${drops} =    Get Recovery Times
    Length Should Be    ${drops}    1
    Should Be True    ${drops}[0][reconnect_seconds] <= ${drops}[0][first_completion_seconds]

A Second Drop Long After The First Reconnection Is Noticed
    Kill Server
    Restart Server
    Wait For Connection    timeout=10s
    No Drop Is Seen For A While
    Kill Server
    Wait For Event    disconnected    timeout=5s
    Restart Server
    Wait For Event    reconnected    timeout=10s
    Connection State Should Be    connected

A Client Closed While Reconnecting Stays Closed
    Start Event Tracking
    Kill Server
    Wait For Event    reconnecting
    Disconnect From ComfyUI
    ${url} =    Restart Server
    Connect To ComfyUI    ${url}    alias=witness
    Run Keyword And Expect Error    *saw no 'reconnected' event*
    ...    Wait For Event    reconnected    timeout=1s    client=client1
    Connection State Should Be    closed    client=client1

A Prompt That Finishes While The Socket Is Down Still Completes
    ${url} =    Get Server Url
    ${proxy} =    Start Network Proxy    ${url}
    Connect An Impatient Client    ${proxy}    alias=behind-proxy
    ${prompt_id} =    Start A Slow Workflow
    Refuse Proxy Connections
    Wait For Disconnection    timeout=5s
    Workflow Should Complete    ${prompt_id}    client=client1
    Restore Proxy
    Workflow Should Complete    ${prompt_id}    client=behind-proxy

Several Clients Can Be Switched Between And Closed Together
    ${url} =    Get Server Url
    Connect To ComfyUI    ${url}    alias=second
    ${previous} =    Switch Client    client1
    Should Be Equal    ${previous}    second
    Connection State Should Be    connected
    Run Keyword And Expect Error    No client 'third' (connected clients: client1, second).
    ...    Switch Client    third
    Close All Clients
    Run Keyword And Expect Error    No client is connected: use Connect To ComfyUI first.
    ...    Get Queue

Twenty Clients Survive A Restart Together
    ${url} =    Get Server Url
    ${clients} =    Connect Clients    ${url}    20
    Kill Server
    Restart Server
    FOR    ${alias}    IN    @{clients}
        Wait For Connection    client=${alias}    timeout=10s
    END
    Each Client Runs A Workflow    ${clients}


*** Keywords ***
No Drop Is Seen For A While
    [Documentation]    Starts event tracking and checks that no ``disconnected`` event comes
    ...    within ${QUIET PERIOD}, so a later drop is the only one tracked.
    Start Event Tracking
    Run Keyword And Expect Error    *saw no 'disconnected' event*
    ...    Wait For Event    disconnected    timeout=${QUIET PERIOD}

Record Reconnection Failure
    [Documentation]    Called by the library when a client gives up reconnecting.
    [Arguments]    ${alias}
    VAR    ${FAILED CLIENT} =    ${alias}    scope=SUITE    # robocop: off=VAR05

Get Connection Event Names
    [Documentation]    The names of the connection events since tracking started, in order.
    ${events} =    Get Events
    VAR    @{names} =    @{EMPTY}
    FOR    ${event}    IN    @{events}
        IF    $event["type"] in $CONNECTION_EVENTS
            Append To List    ${names}    ${event}[type]
        END
    END
    RETURN    ${names}

Connect Clients
    [Documentation]    Connects ${count} clients to ${url}; returns their aliases.
    [Arguments]    ${url}    ${count}
    VAR    @{clients} =    @{EMPTY}
    FOR    ${index}    IN RANGE    ${count}
        ${alias} =    Connect To ComfyUI    ${url}    alias=crowd${index}
        Append To List    ${clients}    ${alias}
    END
    RETURN    ${clients}

Each Client Runs A Workflow
    [Documentation]    Every client submits a workflow; then each one must complete.
    [Arguments]    ${clients}
    VAR    @{prompts} =    @{EMPTY}
    FOR    ${alias}    IN    @{clients}
        ${prompt_id} =    Submit Workflow    empty_image_save.json    client=${alias}
        Append To List    ${prompts}    ${prompt_id}
    END
    FOR    ${alias}    ${prompt_id}    IN ZIP    ${clients}    ${prompts}
        Workflow Should Complete    ${prompt_id}    client=${alias}
    END
