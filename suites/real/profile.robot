*** Settings ***
Documentation    This server, on the mock: a profile captured from it (its catalog, model
...              names and versions) is served by a mock, with a custom node class added the
...              way a team adds its pack's dump, and a workflow with that node in the middle
...              of its graph runs there to a picture of the size it asks for.

Library          OperatingSystem
Resource         ../../resources/comfy.resource

Suite Setup      Connect To ComfyUI    ${COMFYUI_URL}    timeout=1 min

Test Tags        profile    workflow


*** Variables ***
${FIXTURES}    ${CURDIR}/../../resources/fixtures


*** Test Cases ***
A Profile Of This Server Runs A Custom Node Mid-Graph On The Mock
    ${ours} =    Get System Stats    system.comfyui_version
    ${profile} =    Capture ComfyUI Profile    ${COMFYUI_URL}    ${OUTPUT DIR}/profile.json
    ${served} =    Start Mock Server    alias=profiled    profile=${profile}
    ...    object_info=${FIXTURES}/custom_nodes_object_info.json
    Connect To ComfyUI    ${served}    alias=profiled
    ${theirs} =    Get System Stats    system.comfyui_version    client=profiled
    Should Be Equal    ${theirs}    ${ours}
    ${result} =    Run Workflow    ${FIXTURES}/custom_node_mid_graph.json    client=profiled
    # the graph starts from a solid colour (EmptyImage): its picture is uniform by design
    Validate Image    ${result.files}[0]    format=PNG    width=128    height=96    not_blank=False
    [Teardown]    Disconnect From ComfyUI    profiled
