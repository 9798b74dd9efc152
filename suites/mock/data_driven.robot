*** Settings ***
Documentation    Test data: one test per row of a prompts file
...              (``resources/fixtures/prompts.json``) with the metadata each generated image
...              must have. Add a row to add a test; no Robot code changes.

Library          DataDriver    file=${CURDIR}/../../resources/fixtures/prompts.json
Resource         ../../resources/comfy.resource

Suite Setup      Start A Mock ComfyUI And Connect
Test Setup       Start With An Idle Server
Test Template    The Generated Image Should Match Its Row

Test Tags        data-driven    image


*** Test Cases ***
Prompt ${prompt}    Default    0    512    512    PNG


*** Keywords ***
The Generated Image Should Match Its Row
    [Documentation]    Generates an image for one row and checks it against the row's metadata.
    [Arguments]    ${prompt}    ${seed}    ${width}    ${height}    ${format}
    ${result} =    Run Workflow    z_image_turbo_generation
    ...    prompt=${prompt}    seed=${seed}    width=${width}    height=${height}
    Image Should Be Valid    ${result.files}[0]    format=${format}    width=${width}    height=${height}
    Image Should Not Be Blank    ${result.files}[0]
