*** Settings ***
Documentation    Real generation with the tiny test models (``comfy-test-models``): a CPU
...              samples, decodes and saves them in seconds, so every run of ``make real``
...              drives real ComfyUI through what a GPU runner meets: images and videos,
...              per-step progress, the cache, interrupts mid-sampling, a crash and a
...              restart, run reports, baselines and golden references. The same tests pass
...              against the mock, which simulates the same workflows.

Library          OperatingSystem
Resource         ../../resources/comfy.resource

Suite Setup      Connect To ComfyUI    ${COMFYUI_URL}    timeout=2 min
Test Setup       Start With An Idle Server

Test Tags        tiny-models    image


*** Variables ***
${START FRAME}    ${CURDIR}/../../resources/fixtures/start_frame.png
${REFERENCES}     ${CURDIR}/../../resources/references
${UNET B}         comfylibrary-tiny-unet-b.safetensors


*** Test Cases ***
Every Test Model Is Listed By Its Loader
    ${start} =    Upload Image    ${START FRAME}
    Workflow Should Pass The Server's Validation    tiny_text_to_image
    Workflow Should Pass The Server's Validation    tiny_separate_loaders
    Workflow Should Pass The Server's Validation    tiny_separate_loaders    unet=${UNET B}
    Workflow Should Pass The Server's Validation    tiny_image_to_image    image=${start}
    Workflow Should Pass The Server's Validation    tiny_image_to_video    image=${start}

A Tiny Checkpoint Generates An Image Of The Requested Size
    ${result} =    Run Workflow    tiny_text_to_image    prompt=a red fox in the snow
    ...    seed=${42}    width=${64}    height=${48}    timeout=2 min
    Length Should Be    ${result.files}    1
    Validate Image    ${result.files}[0]    format=PNG    width=64    height=48

Separate Loaders Generate With Each Part Of The Model
    ${result} =    Run Workflow    tiny_separate_loaders    seed=${42}    timeout=2 min
    Validate Image    ${result.files}[0]    format=PNG    width=64    height=64

The Same Seed Gives Identical Bytes And Another UNet A Different Image
    ${first} =    Run Workflow    tiny_separate_loaders    seed=${7}    timeout=2 min
    # another seed between them, so the third run samples again instead of using the cache
    ${other seed} =    Run Workflow    tiny_separate_loaders    seed=${8}    timeout=2 min
    ${again} =    Run Workflow    tiny_separate_loaders    seed=${7}    timeout=2 min
    Files Should Have The Same Bytes    ${first.files}[0]    ${again.files}[0]
    Images Should Be Different    ${first.files}[0]    ${other seed.files}[0]
    ${unet b} =    Run Workflow    tiny_separate_loaders    seed=${7}    unet=${UNET B}
    ...    timeout=2 min
    Images Should Be Different    ${first.files}[0]    ${unet b.files}[0]

Sampling Reports Progress Per Step And An Identical Rerun Comes From The Cache
    ${seed} =    Evaluate    random.randrange(1, 2**31)    modules=random
    Start Event Tracking
    ${first} =    Run Workflow    tiny_text_to_image    seed=${seed}    steps=${4}    timeout=2 min
    Progress Should Count Every Step    ${first.prompt_id}    4
    ${again} =    Run Workflow    tiny_text_to_image    seed=${seed}    steps=${4}    timeout=2 min
    ${cached} =    Wait For Event    execution_cached    prompt_id=${again.prompt_id}
    Length Should Be    ${cached}[data][nodes]    7
    Event Should Not Have Fired    progress    prompt_id=${again.prompt_id}

A Node That Ran Is Served From The Cache On An Identical Rerun
    ${seed} =    Evaluate    random.randrange(1, 2**31)    modules=random
    ${first} =    Run Workflow    tiny_text_to_image    seed=${seed}    timeout=2 min
    ${again} =    Run Workflow    tiny_text_to_image    seed=${seed}    timeout=2 min
    Node Should Have Run    KSampler    prompt_id=${first.prompt_id}
    Node Should Have Been Cached    Positive Prompt    prompt_id=${again.prompt_id}
    Run Keyword And Expect Error    node 3 (KSampler) of prompt * was served from the cache, not run.
    ...    Node Should Have Run    KSampler    prompt_id=${again.prompt_id}
    Run Keyword And Expect Error    'CLIPTextEncode' names 2 nodes of prompt * (6, 7): give the node id.
    ...    Node Should Have Been Cached    CLIPTextEncode    prompt_id=${again.prompt_id}

An Interrupted 30-Step Run Ends As Interrupted And The Next Prompt Runs
    ${workflow} =    Load Workflow    tiny_text_to_image
    Set Workflow Parameters    ${workflow}    steps=${30}    seed=random
    ${prompt_id} =    Submit Workflow    ${workflow}
    Wait For Event    progress    prompt_id=${prompt_id}    timeout=2 min
    Interrupt Prompt    ${prompt_id}
    Run Keyword And Expect Error    Prompt ${prompt_id} was interrupted at node 3 (KSampler)*
    ...    Wait For Completion    ${prompt_id}    timeout=1 min
    ${next} =    Run Workflow    tiny_text_to_image    seed=random    timeout=2 min
    Should Be Equal    ${next.status}    success

A Server Killed While Sampling Comes Back And The Lost Prompt Is Reported
    [Documentation]    ComfyUI keeps its queue in memory: after a crash the prompt is gone,
    ...    and the client must say so rather than wait or call it a success.
    [Tags]    started-server    connection
    Skip If    not ${SERVER_STARTED}    This run did not start the server, so it cannot kill it.
    ${workflow} =    Load Workflow    tiny_text_to_image
    Set Workflow Parameters    ${workflow}    steps=${30}    seed=random
    ${prompt_id} =    Submit Workflow    ${workflow}
    Wait For Event    progress    prompt_id=${prompt_id}    timeout=2 min
    Crash The Server And Bring It Back
    Run Keyword And Expect Error
    ...    Prompt ${prompt_id} was lost: * has it neither queued, running nor in its history*
    ...    Wait For Completion    ${prompt_id}    timeout=1 min
    ${next} =    Run Workflow    tiny_text_to_image    seed=random    timeout=2 min
    Should Be Equal    ${next.status}    success

Image To Image Redraws An Uploaded Picture
    ${start} =    Upload Image    ${START FRAME}
    ${redrawn} =    Run Workflow    tiny_image_to_image    image=${start}    seed=${3}    timeout=2 min
    Validate Image    ${redrawn.files}[0]    width=64    height=64
    ${drawn} =    Run Workflow    tiny_text_to_image    seed=${3}    timeout=2 min
    Images Should Be Different    ${redrawn.files}[0]    ${drawn.files}[0]

The Image-To-Video Pipeline Makes A Moving MP4
    [Tags]    video    pipeline
    ${start} =    Upload Image    ${START FRAME}
    ${result} =    Run Workflow    tiny_image_to_video    image=${start}    frames=${8}    fps=${8}
    ...    seed=${11}    timeout=3 min
    Length Should Be    ${result.files}    1
    Validate Video    ${result.files}[0]    container=mp4    codec=h264    frames=8    fps=8
    ...    width=64    height=64

A Real Run Is Measured Node By Node
    [Tags]    performance
    Run Workflow    tiny_text_to_image    seed=random    steps=${3}    timeout=2 min
    ${run} =    The Last Run In The Run Report
    Should Be Equal    ${run}[status]    success
    ${classes} =    Evaluate    [node['class_type'] for node in $run['nodes']]
    List Should Contain Value    ${classes}    KSampler
    ${sampler} =    Evaluate    [n for n in $run['nodes'] if n['class_type'] == 'KSampler'][0]
    Should Be True    ${sampler}[seconds] > 0
    Should Be True    ${run}[memory][ram][peak] > 0
    Should Not Be Empty    ${run}[sampling]

A Run Report Says Where Its Results Came From
    Run Workflow    tiny_text_to_image    seed=${42}    timeout=2 min
    ${run} =    The Last Run In The Run Report
    The Run's Provenance Should Name The Server's Versions    ${run}
    ${file} =    Get Binary File    ${CURDIR}/../../resources/workflows/tiny_text_to_image.json
    ${sha256} =    Evaluate    hashlib.sha256($file).hexdigest()    modules=hashlib
    Should Be Equal    ${run}[provenance][workflow_sha256]    ${sha256}
    # paths relative to the report's folder: the results folder can move
    Should Not Start With    ${run}[files][0]    /
    File Should Exist    ${OUTPUT DIR}/comfy/${run}[files][0]

References And Baselines Are Kept Per ComfyUI Version
    [Documentation]    Per-version folders tell the mock from real ComfyUI, and each
    ...    reference keeps where it was made beside it.
    # robocop: off=LEN06
    VAR    ${golden} =    ${OUTPUT DIR}/golden-${{ __import__('uuid').uuid4().hex }}
    ${result} =    Run Workflow    tiny_text_to_image    seed=${42}    timeout=2 min
    ${version} =    Get System Stats    system.comfyui_version
    # the mock's references are its own: they never stand for real ComfyUI's
    IF    "${COMFYUI_KIND}" == "mock"    VAR    ${version} =    ${version}-mock
    Image Should Match Reference    ${result.files}[0]    ${golden}/fox.png    per_version=True
    ...    update=True
    File Should Exist    ${golden}/${version}/fox.png
    File Should Exist    ${golden}/${version}/fox.png.provenance.json
    Image Should Match Reference    ${result.files}[0]    ${golden}/fox.png    per_version=True
    Image Should Match Reference    ${result.files}[0]    ${golden}/{comfyui_version}-fox.png
    ...    update=True
    File Should Exist    ${golden}/${version}-fox.png
    Performance Should Not Regress    ${golden}/baseline.json    per_version=True    update=True
    File Should Exist    ${golden}/${version}/baseline.json

A Drift Report Names The References That Changed Between Versions
    VAR    ${golden} =    ${OUTPUT DIR}/drift-${{ __import__('uuid').uuid4().hex }}
    ${fox} =    Run Workflow    tiny_text_to_image    seed=${42}    timeout=2 min
    ${other} =    Run Workflow    tiny_text_to_image    seed=${43}    timeout=2 min
    Copy File    ${fox.files}[0]    ${golden}/0.0.1/fox.png
    Copy File    ${fox.files}[0]    ${golden}/0.0.1/other.png
    Copy File    ${fox.files}[0]    ${golden}/0.0.2/fox.png
    Copy File    ${other.files}[0]    ${golden}/0.0.2/other.png
    ${drift} =    Reference Drift Between Versions    ${golden}    0.0.1    0.0.2
    Should Be Equal    ${{ [c["name"] for c in $drift.changed] }}    ${{ ["other.png"] }}
    Should Be Equal    ${drift.unchanged}[0][name]    fox.png

Performance Does Not Regress Against A Baseline From This Machine
    [Tags]    performance
    VAR    ${baseline} =    ${OUTPUT DIR}/baselines/tiny_${{ __import__('uuid').uuid4().hex }}.json
    Run Workflow    tiny_text_to_image    seed=random    timeout=2 min
    Performance Should Not Regress    ${baseline}    update=True
    File Should Exist    ${baseline}
    Run Workflow    tiny_text_to_image    seed=random    timeout=2 min
    # one tiny run on a loaded CI machine varies several-fold; a regression worth a red
    # (a model loaded again for every run, a GPU box fallen back to its CPU) costs more
    Performance Should Not Regress    ${baseline}    tolerance=400%    min_difference=30 s

A Generated Image Matches Its Golden Reference And Another Does Not
    [Documentation]    The goldens were made by this workflow on real ComfyUI 0.8 (CPU) and on
    ...    the mock, one per kind of server.
    ${golden} =    Run Workflow    tiny_text_to_image    seed=${42}    timeout=2 min
    ${other} =    Run Workflow    tiny_text_to_image    seed=${43}    timeout=2 min
    VAR    ${reference} =    ${REFERENCES}/${COMFYUI_KIND}_tiny_text_to_image_seed42.png
    Image Should Match Reference    ${golden.files}[0]    ${reference}    threshold=0.95
    Run Keyword And Expect Error    *does not match reference*
    ...    Image Should Match Reference    ${other.files}[0]    ${reference}    threshold=0.95

Free Memory Makes The Next Identical Run Sample Again
    Start Event Tracking
    ${first} =    Run Workflow    tiny_text_to_image    seed=${21}    timeout=2 min
    Free Memory
    ${again} =    Run Workflow    tiny_text_to_image    seed=${21}    timeout=2 min
    Event Should Have Fired    progress    prompt_id=${again.prompt_id}
    Node Should Have Run    KSampler    prompt_id=${again.prompt_id}
    Run Keyword And Expect Error
    ...    node 4 (Load Checkpoint, CheckpointLoaderSimple) of prompt * was not served from the cache: it ran.
    ...    Node Should Have Been Cached
    ...    4
    ...    prompt_id=${again.prompt_id}
    Files Should Have The Same Bytes    ${first.files}[0]    ${again.files}[0]


*** Keywords ***
Progress Should Count Every Step
    [Documentation]    Checks that the sampler of a prompt reported ``progress`` once per step,
    ...    counting 1 to ${steps} of ${steps}.
    [Arguments]    ${prompt_id}    ${steps}
    ${events} =    Get Events    progress
    VAR    @{values} =    @{EMPTY}
    FOR    ${event}    IN    @{events}
        IF    $event['data'].get('prompt_id') == $prompt_id
            Append To List    ${values}    ${event}[data][value]
            Should Be Equal As Integers    ${event}[data][max]    ${steps}
        END
    END
    ${expected} =    Evaluate    list(range(1, int($steps) + 1))
    Should Be Equal    ${values}    ${expected}

Workflow Should Pass The Server's Validation
    [Documentation]    Loads a workflow, sets the parameters given and checks it against the
    ...    server's node catalog: its nodes exist and its model files are on the server.
    [Arguments]    ${name}    &{parameters}
    ${workflow} =    Load Workflow    ${name}
    Set Workflow Parameters    ${workflow}    &{parameters}
    ${problems} =    Validate Workflow    ${workflow}    fail=False
    Should Be Empty    ${problems}

Crash The Server And Bring It Back
    [Documentation]    Kills the server this run started (SIGKILL, as a crash), restarts it on
    ...    the same port and waits until the client has reconnected.
    Kill Server    comfyui
    Wait For Disconnection    timeout=10s
    Restart Server    comfyui    ready_timeout=3 min
    Wait For Connection    timeout=1 min

The Run's Provenance Should Name The Server's Versions
    [Documentation]    Checks the versions and devices a run's record took from the server,
    ...    and the library's and Robot Framework's versions.
    [Arguments]    ${run}
    ${stats} =    Get System Stats
    Should Be Equal    ${run}[provenance][comfyui_version]    ${stats.system.comfyui_version}
    Should Be Equal    ${run}[provenance][pytorch_version]    ${stats.system.pytorch_version}
    Should Be Equal    ${run}[provenance][devices][0][name]    ${stats.devices}[0][name]
    Should Not Be Empty    ${run}[provenance][library_version]
    Should Not Be Empty    ${run}[provenance][robot_framework_version]
