*** Settings ***
Documentation    Crash, stop, freeze and restart real server processes, and check what a
...              connected client sees each time.

Resource         ../../resources/comfy.resource

Test Setup       Start A Mock ComfyUI And Connect

Test Tags        lifecycle    connection


*** Variables ***
${STAND_IN}    ${CURDIR}/../../resources/fixtures/stand_in_comfyui.py


*** Test Cases ***
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
