*** Settings ***
Documentation    What the workflows produce, checked as a reviewer would: images and videos
...              of the right size and format, not blank, not frozen, not black, the same seed
...              giving the same picture, and outputs matching their golden references.
...              Failures are shown with their exact messages.

Library          OperatingSystem
Resource         ../../resources/comfy.resource

Suite Setup      Start A Mock ComfyUI And Connect
Test Setup       Start With An Idle Server

Test Tags        media


*** Variables ***
${START FRAME}    ${CURDIR}/../../resources/fixtures/start_frame.png
${REFERENCES}     ${CURDIR}/../../resources/references


*** Test Cases ***
A Generated Image Passes Every Check
    [Tags]    image
    ${result} =    Run Workflow    z_image_turbo_generation    seed=42    width=768    height=512
    ${checked} =    Validate Image    ${result.files}[0]    format=PNG    width=768    height=512
    Should Be True    ${checked}[passed]
    Should Be Equal As Integers    ${checked}[metadata][width]    768

The Same Seed Gives The Same Image And Another Seed Another
    [Tags]    image
    ${first} =    Run Workflow    z_image_turbo_generation    seed=7    prefix=first
    ${again} =    Run Workflow    z_image_turbo_generation    seed=7    prefix=again
    ${other} =    Run Workflow    z_image_turbo_generation    seed=8    prefix=other
    Images Should Be Identical    ${first.files}[0]    ${again.files}[0]
    Images Should Be Different    ${first.files}[0]    ${other.files}[0]

Another Model Makes Another Picture
    [Tags]    image
    ${bf16} =    Run Workflow    z_image_turbo_generation    seed=7    width=256    height=192
    ${fp8} =    Run Workflow    z_image_turbo_generation    seed=7    width=256    height=192
    ...    unet=z_image_turbo_fp8_e4m3fn.safetensors
    Images Should Be Different    ${bf16.files}[0]    ${fp8.files}[0]
    Run Keyword And Expect Error    *does not match reference*
    ...    Image Should Match Reference    ${fp8.files}[0]    ${bf16.files}[0]

A Generated Image Matches Its Golden Reference
    [Tags]    image
    ${result} =    Run Workflow    z_image_turbo_generation    seed=42    width=512    height=512
    ${score} =    Image Should Match Reference    ${result.files}[0]    ${REFERENCES}/z_image_seed42_512.png
    Should Be True    ${score} > 0.99

Another Seed Does Not Match The Golden Reference
    [Tags]    image
    ${result} =    Run Workflow    z_image_turbo_generation    seed=43    width=512    height=512
    Run Keyword And Expect Error
    ...    Image turbo_*.png does not match reference *z_image_seed42_512.png: similarity * is below 0.95.
    ...    Image Should Match Reference    ${result.files}[0]    ${REFERENCES}/z_image_seed42_512.png

A Blank Image Fails With Every Reason
    [Tags]    image
    ${result} =    Run Workflow    empty_image_save
    VAR    ${expected} =
    ...    Image canvas_*.png failed 2 check(s): file size is * bytes, expected between 10240 and 52428800 bytes;
    ...    image is blank: near-uniform (pixel standard deviation 0.00, below 2; mean level * of 255).
    ...    separator=${SPACE}
    Run Keyword And Expect Error    ${expected}    Validate Image    ${result.files}[0]    typical_sizes=True

A Generated Video Has The Requested Frames And Moves
    [Tags]    video
    ${start} =    Upload Image    ${START FRAME}
    ${result} =    Run Workflow    ltx2_image_to_video    image=${start}    frames=49    seed=3
    ${video} =    Validate Video    ${result.files}[0]    container=mp4    codec=h264    frames=49
    ...    fps=24    width=768    height=512
    Should Be True    ${video}[metadata][mean_change] > 0.5

The First Video Frame Shows The Start Image
    [Tags]    video
    ${start} =    Upload Image    ${START FRAME}
    ${result} =    Run Workflow    ltx2_image_to_video    image=${start}    frames=25    seed=4
    ${first} =    Get Video Frame    ${result.files}[0]    frame=0
    Image Should Match Reference    ${first}    ${START FRAME}
    ...    threshold=0.6    resize_reference=True

A Still Video Fails As Frozen
    [Tags]    video
    ${result} =    Run Workflow    still_video    color=${0x808080}
    Run Keyword And Expect Error
    ...    Video still_*.mp4: video is frozen: mean frame-to-frame change 0 is below 0.5 (23 of 23 * unchanged).
    ...    Video Should Not Be Frozen    ${result.files}[0]

A Black Video Fails As Black
    [Tags]    video
    ${result} =    Run Workflow    still_video    color=${0}    frames=12
    VAR    ${expected} =
    ...    Video still_*.mp4 failed 3 check(s): file size is * bytes, expected between 102400 and 524288000 bytes;
    ...    video is frozen: *; video is black: 12 of 12 frames are black (mean level * of 255).
    ...    separator=${SPACE}
    Run Keyword And Expect Error    ${expected}    Validate Video    ${result.files}[0]    typical_sizes=True

The Image-To-Video Pipeline Produces A Valid Image And Video
    [Tags]    pipeline    image    video
    ${image}    ${video} =    Generate An Image And Animate It
    ...    prompt=A red fox in fresh snow    motion=The fox turns its head    frames=49
    Validate Image    ${image}    width=768    height=512
    Validate Video    ${video}    frames=49    width=768    height=512

A Missing Reference Fails Under CI And Is Written Only On Request
    [Documentation]    As Jest's --ci: a misspelt reference path must fail, not write itself
    ...    and pass, which would switch the comparison off for good.
    [Tags]    image
    [Setup]    Set Environment Variable    COMFY_CI    1
    ${result} =    Run Workflow    z_image_turbo_generation    seed=3    width=128    height=128
    VAR    ${missing} =    ${OUTPUT DIR}/references/${{ __import__('uuid').uuid4().hex }}.png
    Run Keyword And Expect Error
    ...    Reference image ${missing} does not exist. Under CI a missing one fails*
    ...    Image Should Match Reference    ${result.files}[0]    ${missing}
    File Should Not Exist    ${missing}
    Image Should Match Reference    ${result.files}[0]    ${missing}    update=True
    File Should Exist    ${missing}
    Image Should Match Reference    ${result.files}[0]    ${missing}
    [Teardown]    Remove Environment Variable    COMFY_CI
