*** Settings ***
Documentation    A team's own ComfyUI on the mock: its profile (catalog with custom nodes,
...              model names, versions) served by a mock, a custom node in the middle of a
...              graph, and the routes a custom node pack adds called by path.

Library          OperatingSystem
Resource         ../../resources/comfy.resource

Suite Setup      Serve A Profiled Server

Test Tags        profile    workflow


*** Variables ***
${FIXTURES}    ${CURDIR}/../../resources/fixtures


*** Test Cases ***
A Custom Node Mid-Graph Passes Its Picture On At The Size The Graph Asks
    ${result} =    Run Workflow    ${FIXTURES}/custom_node_mid_graph.json
    # the graph starts from a solid colour (EmptyImage): its picture is uniform by design
    Validate Image    ${result.files}[0]    format=PNG    width=128    height=96    not_blank=False

The Served Profile Reports The Profiled Server's Version
    ${answer} =    Call ComfyUI Route    GET    /system_stats    expected_status=200
    Should Be Equal    ${answer.body}[system][comfyui_version]    0.8.0

A Route Of A Pack The Server Lacks Is Refused As ComfyUI Refuses It
    [Documentation]    As real 0.8: a GET of a path it has no route for is 404; any other
    ...    method there is 405, its web root answering only GET.
    ${answer} =    Call ComfyUI Route    GET    /my_pack/status
    Should Be Equal As Integers    ${answer.status}    404
    ${answer} =    Call ComfyUI Route    POST    /my_pack/reload    json={"all": true}
    Should Be Equal As Integers    ${answer.status}    405
    Run Keyword And Expect Error    POST /my_pack/reload answered HTTP 405, not 200*
    ...    Call ComfyUI Route    POST    /my_pack/reload    expected_status=200

A Route Is A Path Of The Connected Server
    Run Keyword And Expect Error    'http://elsewhere/x' is not a route of the server*
    ...    Call ComfyUI Route    GET    http://elsewhere/x
    Run Keyword And Expect Error    'FETCH' is not an HTTP method*
    ...    Call ComfyUI Route    FETCH    /system_stats


*** Keywords ***
Serve A Profiled Server
    [Documentation]    Captures a mock that has a custom node pack's classes, then serves
    ...    that profile from another mock and connects to it.
    ${source} =    Start Mock Server    alias=profiled-source
    ...    object_info=${FIXTURES}/custom_nodes_object_info.json
    ${profile} =    Capture ComfyUI Profile    ${source}    ${OUTPUT DIR}/profile.json
    Stop Server    profiled-source
    ${served} =    Start Mock Server    alias=profiled    profile=${profile}
    Connect To ComfyUI    ${served}
