*** Settings ***
Documentation    The everyday keywords around a run: queue and history upkeep, several clients,
...              events, cleanup, media information, and the one-line errors a typo gets.

Resource         ../../resources/comfy.resource

Suite Setup      Start A Mock ComfyUI And Connect
Test Setup       Start With An Idle Server
Test Teardown    Reset Faults

Test Tags        housekeeping    connection


*** Variables ***
${START FRAME}    ${CURDIR}/../../resources/fixtures/start_frame.png
${TONE}           ${CURDIR}/../../resources/fixtures/tone.wav


*** Test Cases ***
A Prompt Can Jump The Queue
    Stall Execution
    ${running} =    Start A Slow Workflow
    Submit Workflow    empty_image_save.json
    Submit Workflow    invert_chain.json    front=True
    ${queue} =    Get Queue
    ${numbers} =    Evaluate    sorted(item[0] for item in $queue["queue_pending"])
    Should Be True    ${numbers}[0] < 0 < ${numbers}[1]    the front prompt has a negative number
    Resume Execution
    Workflow Should Complete    ${running}

Pending Prompts Can Be Cleared
    Stall Execution
    ${running} =    Start A Slow Workflow
    Submit Workflow    empty_image_save.json
    Clear Queue
    ${queue} =    Get Queue
    Should Be Empty    ${queue}[queue_pending]
    Length Should Be    ${queue}[queue_running]    1
    Resume Execution
    Workflow Should Complete    ${running}

History Entries Can Be Deleted
    ${prompt_id} =    Submit Workflow    empty_image_save.json
    Workflow Should Complete    ${prompt_id}
    Get History    ${prompt_id}
    Delete From History    ${prompt_id}
    Run Keyword And Expect Error    Prompt ${prompt_id} is not in the server's history.
    ...    Get History    ${prompt_id}

Workflow Parameters Are Listed With What They Set
    ${workflow} =    Load Workflow    ltx2_image_to_video
    ${parameters} =    Get Workflow Parameters    ${workflow}
    Should Start With    ${parameters}[seed]    92:11.noise_seed, 92:67.noise_seed

Cleared Events Are Forgotten
    ${prompt_id} =    Submit Workflow    empty_image_save.json
    Workflow Should Complete    ${prompt_id}
    Clear Events
    ${events} =    Get Events
    Should Be Empty    ${events}
    Event Should Not Have Fired    execution_success

Getters Check What They Return
    ${info} =    Get Image Info    ${START FRAME}
    Should Be Equal As Integers    ${info.width}    ${info}[width]
    Get Image Info    ${START FRAME}    width    ==    640
    Get Image Info    ${START FRAME}    format    ==    PNG
    Get Image Info    ${START FRAME}    size    >    1000
    Run Keyword And Expect Error    *640* should be greater than *4096*
    ...    Get Image Info    ${START FRAME}    width    >    4096
    Run Keyword And Expect Error    Image start_frame.png has no 'depth': it has path, format, *
    ...    Get Image Info    ${START FRAME}    depth

Getters Of The Server And The Client Check What They Return
    Get Connection State    ==    connected
    Run Keyword And Expect Error    'asleep' is not a connection state: use one of *
    ...    Get Connection State    ==    asleep
    Get Queue Length    ==    0
    Run Keyword And Expect Error    Queue length '0' (int) should be '3' (int) (the last of * reads in 1 second)
    ...    Get Queue Length    ==    3
    Run Keyword And Expect Error    The GPU box is backed up
    ...    Get Queue Length    >    5    message=The GPU box is backed up

Image And Audio Information
    [Tags]    image    audio
    ${info} =    Get Image Info    ${START FRAME}
    Should Be Equal As Integers    ${info}[width]    640
    Image Should Not Be Blank    ${START FRAME}
    ${audio} =    Audio Should Be Valid    ${TONE}    sample_rate=8000    channels=1
    Should Be Equal As Numbers    ${audio}[duration]    1.0

Video Information
    [Tags]    video
    ${start} =    Upload Image    ${START FRAME}
    ${result} =    Run Workflow    ltx2_image_to_video    image=${start}    frames=25
    ${video} =    Get Video Info    ${result.files}[0]
    Should Be Equal As Integers    ${video.frames}    25
    Get Video Info    ${result.files}[0]    duration    >    0.5
    Run Keyword And Expect Error    *frames* should be greater than *100*
    ...    Get Video Info    ${result.files}[0]    frames    >    100
    Video Should Be Valid    ${result.files}[0]    container=mp4    codec=h264    fps=24    min_size=10 KB
    Video Should Not Be Black    ${result.files}[0]

A Blank Image Fails With The Reason
    [Tags]    image
    ${result} =    Run Workflow    empty_image_save
    Run Keyword And Expect Error    Image canvas_*.png is blank: near-uniform*
    ...    Image Should Not Be Blank    ${result.files}[0]

Typos Get One Line Naming The Problem
    Run Keyword And Expect Error
    ...    'localhost:8188' is not a ComfyUI server URL: give one like http://127.0.0.1:8188
    ...    Connect To ComfyUI    localhost:8188
    Run Keyword And Expect Error    Size 'lots' is not understood: write it like 10 KB, 50 MB or 1024.
    ...    Image Should Be Valid    ${START FRAME}    min_size=lots
    Run Keyword And Expect Error    Image file *no_such_image.png does not exist.
    ...    Image Should Be Valid    ${CURDIR}/no_such_image.png
    Run Keyword And Expect Error    STARTS: Mask region ['1', '2'] must be x, y, width, height
    ...    Image Should Match Reference    ${START FRAME}    ${START FRAME}    masks=1,2
    Run Keyword And Expect Error    Cannot upload *missing.png: the file does not exist.
    ...    Upload Image    ${CURDIR}/missing.png
