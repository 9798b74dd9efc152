*** Settings ***
Documentation    Crash, stop, freeze and restart real server processes, and check what a
...              connected client sees each time.

Library          Process
Resource         ../../resources/comfy.resource

Test Setup       Start A Mock ComfyUI Process And Connect

Test Tags        lifecycle    connection


*** Variables ***
${STAND_IN}    ${CURDIR}/../../resources/fixtures/stand_in_comfyui.py


*** Test Cases ***
A Crash Loses The Queue As ComfyUI Does
    Stall Execution
    ${prompt_id} =    Start A Slow Workflow
    Kill Server
    Restart Server
    Run Keyword And Expect Error
    ...    Prompt ${prompt_id} was lost: * has it neither queued, running nor in its history*
    ...    Wait For Completion    ${prompt_id}

A Queue Kept Across A Crash Finishes After The Restart
    Keep Queue On Restart
    Stall Execution
    ${prompt_id} =    Start A Slow Workflow
    Kill Server
    Restart Server
    Workflow Should Complete    ${prompt_id}

A Crashed Server Comes Back On The Same Port
    ${url} =    Get Server Url
    Kill Server
    Server Should Be Stopped
    Wait For Disconnection    timeout=5s
    ${restarted} =    Restart Server
    Should Be Equal    ${url}    ${restarted}
    Wait For Connection    timeout=10s
    Server Should Be Running

A Graceful Stop Ends The Server And Keeps Its Log
    Stop Server
    Server Should Be Stopped
    ${log} =    Get Server Log
    Should Contain    ${log}    [Server mock] ComfyUI mock ready at

A Frozen Server Accepts Connections But Never Answers
    ${url} =    Get Server Url
    Connect An Impatient Client    ${url}    timeout=500 ms
    Freeze Server
    Run Keyword And Expect Error    *timed out (GET /queue)*    Get Queue    client=impatient
    Wait For Disconnection    client=impatient    timeout=5s
    Thaw Server
    Wait For Connection    client=impatient    timeout=10s
    Server Should Be Running

A Busy Port Is Named In The Error
    ${url} =    Get Server Url
    ${port} =    Evaluate    urllib.parse.urlsplit($url).port    modules=urllib.parse
    Run Keyword And Expect Error
    ...    Port ${port} on 127.0.0.1 is already in use by pid *
    ...    Start Mock Server    alias=second    port=${port}

Every Server And Proxy Can Be Stopped In One Step
    ${url} =    Get Server Url
    Start Network Proxy    ${url}
    Stop Network Proxy
    Run Keyword And Expect Error    No network proxy: start one with Start Network Proxy.
    ...    Set Proxy Latency    1s
    Stop All Servers
    Run Keyword And Expect Error    No current server: start one with Start Mock Server*
    ...    Get Server Url

A ComfyUI Start-Up Is Awaited Until It Serves
    Start ComfyUI Server
    ...    command={python} ${STAND_IN} --listen {host} --port {port} --startup-seconds 0.5
    Server Should Be Running    comfyui
    ${log} =    Get Server Log    comfyui
    Should Contain    ${log}    [Server comfyui] To see the GUI go to

A ComfyUI That Dies At Start-Up Fails Fast With Its Last Lines
    Run Keyword And Expect Error
    ...    Server comfyui exited with code 1 before it was ready.*Found no NVIDIA driver*
    ...    Start ComfyUI Server    command={python} ${STAND_IN} --port {port} --fail

A Mock Started Elsewhere Is Used By Its URL And Never Stopped From Here
    [Documentation]    What the runner image does with the compose stack's mock container.
    ${url} =    Start A Mock Process Outside The Library
    Use Running Mock Server    ${url}    alias=borrowed
    Set Server Latency    120 ms
    ${faults} =    Get Server Faults
    Should Be Equal As Numbers    ${faults}[latency_ms]    120
    Run Keyword And Expect Error
    ...    Server 'borrowed' at ${url} runs outside this test run, so it cannot be killed from here*
    ...    Kill Server
    Run Keyword And Expect Error    *cannot be restarted from here*    Restart Server
    Run Keyword And Expect Error    *cannot be frozen from here*    Freeze Server
    Stop All Servers
    Use Running Mock Server    ${url}    alias=again
    [Teardown]    Terminate All Processes    kill=True

A URL That Is No Mock Is Refused In One Line
    ${url} =    Start ComfyUI Server
    ...    command={python} ${STAND_IN} --listen {host} --port {port} --startup-seconds 0
    Run Keyword And Expect Error    ${url} has no /mock/ control routes*
    ...    Use Running Mock Server    ${url}
    Run Keyword And Expect Error    'mock:8188' is not a server URL: give one like http://mock:8188.
    ...    Use Running Mock Server    mock:8188


*** Keywords ***
Start A Mock Process Outside The Library
    [Documentation]    Starts ``comfy-mock`` with Robot's Process library, as another tool
    ...    would, and returns its URL once it serves as a mock.
    ${port} =    Evaluate    ComfyLibrary.servers.ports.free_port()    modules=ComfyLibrary.servers.ports
    Start Process    ${{ sys.executable }}    -m    ComfyLibrary.mock    --port    ${port}
    ...    stdout=${OUTPUT DIR}/elsewhere-${port}.log    stderr=STDOUT
    VAR    ${url} =    http://127.0.0.1:${port}
    Wait Until Keyword Succeeds    30s    100 ms    Use Running Mock Server    ${url}    alias=probe
    RETURN    ${url}
