*** Settings ***
Documentation    A TCP proxy between the client and the server: latency, low bandwidth,
...              dropped and refused connections, and a blackhole.

Resource         ../../resources/comfy.resource

Test Setup       Start A Mock ComfyUI Behind A Proxy

Test Tags        network    connection


*** Test Cases ***
Latency On The Network Makes An Impatient Client Time Out
    Set Proxy Latency    1500 ms
    Run Keyword And Expect Error    *timed out (GET /queue)*    Get Queue
    Restore Proxy
    Get Queue

Low Bandwidth Still Delivers The Image Intact
    ${proxy} =    Get Proxy Url
    Connect To ComfyUI    ${proxy}    alias=slow-line    timeout=30s
    Set Proxy Bandwidth    500 KB
    ${files} =    Run Workflow And Download Its Images    empty_image_save.json
    Image Should Be Valid    ${files}[0]    width=512    height=512    min_size=100 B
    ...    not_blank=False

Dropped Connections Are Reconnected
    Start Event Tracking
    Drop Proxy Connections
    Wait For Event    reconnected    timeout=10s
    Connection State Should Be    connected

A Blackholed Network Is Detected As A Dead Socket
    Blackhole Proxy
    Wait For Disconnection    timeout=5s
    Restore Proxy
    Drop Proxy Connections
    Wait For Connection    timeout=10s

Refused Connections Fail Fast With A Clear Error
    Refuse Proxy Connections
    Run Keyword And Expect Error    *connection refused (GET /queue)*    Get Queue
    Wait For Disconnection    timeout=5s
    Restore Proxy
    Wait For Connection    timeout=10s


*** Keywords ***
Start A Mock ComfyUI Behind A Proxy
    [Documentation]    Starts a mock server, a network proxy in front of it, and connects an
    ...    impatient client (HTTP calls give up after 500 ms) through the proxy.
    ${url} =    Start Mock Server
    ${proxy} =    Start Network Proxy    ${url}
    Connect An Impatient Client    ${proxy}    timeout=500 ms    alias=behind-proxy
