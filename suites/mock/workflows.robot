*** Settings ***
Documentation    The production workflows end to end against the mock: parameters set by name,
...              the image-to-video pipeline, broken workflows caught before they reach a GPU,
...              editor workflows converted, and where the time of each run went.

Resource         ../../resources/comfy.resource

Suite Setup      Start A Mock ComfyUI And Connect
Test Setup       Start With An Idle Server

Test Tags        workflows    workflow


*** Variables ***
${START FRAME}    ${CURDIR}/../../resources/fixtures/start_frame.png


*** Test Cases ***
A Text-To-Image Run Follows Its Parameters
    [Tags]    image
    ${workflow} =    Load Workflow    z_image_turbo_generation
    Set Workflow Parameters    ${workflow}    prompt=A red fox in fresh snow    seed=42
    ...    width=768    height=512
    ${result} =    Run Workflow    ${workflow}
    Should Be Equal    ${result.status}    success
    Image Should Be Valid    ${result.files}[0]    width=768    height=512
    Phase Time Should Be Less Than    execution    1 minute
    Phase Time Should Be Less Than    download    30 seconds

A Random Seed Is Chosen, Logged And Returned
    [Tags]    image
    ${workflow} =    Load Workflow    z_image_turbo_generation
    ${written} =    Set Workflow Parameters    ${workflow}    seed=random
    Should Be True    0 <= ${written}[seed] < 2**53

An Uploaded Image Becomes A Video
    [Tags]    video
    ${start} =    Upload Image    ${START FRAME}
    ${result} =    Run Workflow    ltx2_image_to_video    image=${start}    frames=25    seed=7
    ...    prompt=The fox looks up at the falling snow
    Length Should Be    ${result.files}    1
    Should End With    ${result.files[0].name}    .mp4

The Pipeline Animates The Image It Generated
    [Tags]    pipeline    image    video
    ${image}    ${video} =    Generate An Image And Animate It
    ...    prompt=A lighthouse on a cliff at dusk    motion=Waves crash against the rocks
    Image Should Be Valid    ${image}    width=768    height=512
    Should End With    ${video.name}    .mp4

Parameters The Workflow Does Not Have Are Refused
    ${workflow} =    Load Workflow    z_image_turbo_generation
    Run Keyword And Expect Error
    ...    Unknown argument 'colour': (workflow parameters: height, prefix, prompt, seed, steps, *: workflow)
    ...    Set Workflow Parameters    ${workflow}    colour=red

A Misspelt Parameter Or Argument Names The Closest One
    Run Keyword And Expect Error
    ...    Unknown argument 'seeed': did you mean 'seed'? (workflow parameters: *; keyword arguments: workflow, *)
    ...    Run Workflow    z_image_turbo_generation    seeed=42
    Run Keyword And Expect Error    Unknown argument 'timout': did you mean 'timeout'? (workflow *
    ...    Run Workflow    z_image_turbo_generation    timout=30s
    Run Keyword And Expect Error    Unknown argument 'timout': did you mean 'timeout'?
    ...    Wait For Completion    timout=30s
    Run Keyword And Expect Error    Unknown argument 'widht': did you mean 'width'?
    ...    Validate Image    ${CURDIR}/../../resources/fixtures/start_frame.png    widht=1024

Broken Values Are Caught Before They Reach The GPU
    [Template]    Workflow Should Be Rejected With
    broken/unknown_node.json    node 8 "VAE Decode" (VAEDecodeSharper): node type * is not installed*
    broken/missing_input.json    node 3 (KSampler) input 'steps': required input is missing
    broken/wrong_type.json    node 3 (KSampler) input 'steps': value 'many' is not a valid INT
    broken/out_of_range.json    node 3 (KSampler) input 'seed': value -1 below minimum 0
    broken/out_of_range.json    node 3 (KSampler) input 'cfg': value 150.0 above maximum 100.0
    broken/not_in_choices.json    node 3 (KSampler) input 'sampler_name': value 'turbo' is not one of*

Missing Models And Broken Links Are Caught Before They Reach The GPU
    [Template]    Workflow Should Be Rejected With
    broken/missing_model.json    node 4 * input 'ckpt_name': model file 'dreamshaper_8.safetensors' is not*
    broken/dangling_link.json    node 8 * input 'vae': linked to node 40, which is not in the workflow
    broken/bad_output_index.json    node 8 * input 'vae': linked to output 5 of node 4 *, which has 3 output(s)
    broken/type_mismatch.json    node 9 * input 'images': linked output of type LATENT does not fit*
    broken/cycle.json    node 5 "Upscale Latent" (LatentUpscaleBy): its links form a cycle 5 -> 3 -> 5
    broken/no_output.json    the workflow has no output node (such as SaveImage), so nothing would run

Every Problem Of A Workflow Is Listed At Once
    ${problems} =    Validate Workflow    broken/out_of_range.json    fail=False
    Length Should Be    ${problems}    2

Files That Are Not Workflows Are Refused With One Line
    Run Keyword And Expect Error    Workflow '../../README.md' is outside the workflow folder*
    ...    Load Workflow    ../../README.md
    Run Keyword And Expect Error    Workflow 'no_such_workflow' not found*
    ...    Load Workflow    no_such_workflow
    Run Keyword And Expect Error    *did you mean 'empty_image_save'? Workflows there: *
    ...    Load Workflow    empty_image_sav

A Workflow Given By Its Full Path Loads From Anywhere
    ${workflow} =    Load Workflow    ${CURDIR}/../../resources/workflows/empty_image_save.json
    Should Be Equal    ${workflow}[1][class_type]    EmptyImage
    ${prompt_id} =    Submit Workflow    ${CURDIR}/../../resources/workflows/empty_image_save.json
    Workflow Should Complete    ${prompt_id}

An Editor Workflow Is Converted With The Server's Catalog
    ${workflow} =    Load Workflow    editor/sdxl_simple_example.json
    Length Should Be    ${workflow}    11
    ${problems} =    Validate Workflow    ${workflow}    fail=False
    Should Contain    ${problems}[0]    model file 'sd_xl_refiner_1.0.safetensors' is not on the server

Every Run Is In The Run Report
    ${report} =    Get Run Report
    Should Be True    ${report}[runs] >= 4
    Should Be True    ${report}[phases][execution][count] >= 4
