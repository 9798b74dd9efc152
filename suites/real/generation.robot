*** Settings ***
Documentation    The production workflows on a real ComfyUI with the models and a GPU.

Resource         ../../resources/comfy.resource

Suite Setup      Connect To ComfyUI    ${COMFYUI_URL}    timeout=2 min

Test Tags        gpu


*** Variables ***
${START FRAME}    ${CURDIR}/../../resources/fixtures/start_frame.png


*** Test Cases ***
Z-Image Turbo Generates The Requested Image
    [Tags]    image
    ${result} =    Run Workflow    z_image_turbo_generation    prompt=A red fox in fresh snow
    ...    seed=42    width=1024    height=784    timeout=10 min
    Validate Image    ${result.files}[0]    width=1024    height=784
    Phase Time Should Be Less Than    execution    10 minutes

LTX-2 Turns An Image Into A Moving Video
    [Tags]    video
    ${start} =    Upload Image    ${START FRAME}
    ${result} =    Run Workflow    ltx2_image_to_video    image=${start}    frames=121    seed=42
    ...    prompt=The fox looks up at the falling snow    timeout=30 min
    Validate Video    ${result.files}[0]    frames=121    fps=24
    Phase Time Should Be Less Than    execution    30 minutes

The Pipeline Animates The Image It Generated
    [Tags]    pipeline    image    video
    ${image}    ${video} =    Generate An Image And Animate It
    ...    prompt=A lighthouse on a cliff at dusk    motion=Waves crash against the rocks
    ...    timeout=30 min
    Validate Image    ${image}    width=768    height=512
    Validate Video    ${video}    frames=49
