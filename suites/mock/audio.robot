*** Settings ***
Documentation    The audio test type: a text-to-audio workflow of ComfyUI 0.8's audio nodes
...              (Stable Audio) runs on the mock, and its FLAC, MP3 and Opus files are checked as
...              a reviewer would: format, duration, sample rate, channels, size and sound.

Resource         ../../resources/comfy.resource

Suite Setup      Start A Mock ComfyUI And Connect
Test Setup       Start With An Idle Server

Test Tags        audio


*** Test Cases ***
Text To Audio Makes A FLAC Of The Requested Length
    ${result} =    Run Workflow    text_to_audio    prompt=rain on a tin roof    seed=7    duration=5
    Should Match Regexp    ${{ str($result.files[0]) }}    audio/ComfyUI_\\d{5}_\\.flac$
    ${audio} =    Audio Should Be Valid    ${result.files}[0]    format=flac    sample_rate=44100
    ...    channels=2    min_duration=4.9 s    max_duration=5.1 s    min_size=10 KB    max_size=5 MB
    Should Be True    ${audio.peak_dbfs} > -30

The Same Seed Gives The Same Sound, Another Seed Another
    ${first} =    Run Workflow    text_to_audio    seed=1    duration=2    prefix=audio/first
    ${again} =    Run Workflow    text_to_audio    seed=1    duration=2    prefix=audio/again
    ${other} =    Run Workflow    text_to_audio    seed=2    duration=2    prefix=audio/other
    ${same} =    Evaluate
    ...    pathlib.Path($first.files[0]).read_bytes()[-4096:] == pathlib.Path($again.files[0]).read_bytes()[-4096:]
    ...    modules=pathlib
    Should Be True    ${same}    the same seed must give the same sound
    ${differs} =    Evaluate
    ...    pathlib.Path($first.files[0]).read_bytes()[-4096:] != pathlib.Path($other.files[0]).read_bytes()[-4096:]
    ...    modules=pathlib
    Should Be True    ${differs}    another seed must give another sound

MP3 And Opus Are Saved As ComfyUI Saves Them
    ${workflow} =    A Text To Audio Workflow Saving Every Format
    ${result} =    Run Workflow    ${workflow}
    Length Should Be    ${result.files}    3
    ${mp3_file} =    File With Extension    ${result.files}    .mp3
    Audio Should Be Valid    ${mp3_file}    format=mp3    sample_rate=44100    channels=2
    ...    min_duration=2.9 s    max_duration=3.2 s
    ${opus_file} =    File With Extension    ${result.files}    .opus
    Audio Should Be Valid    ${opus_file}    format=ogg, opus    sample_rate=48000
    ...    min_duration=2.9 s    max_duration=3.2 s

Silence Is Caught
    ${workflow} =    Load Workflow    text_to_audio
    VAR    &{empty} =    class_type=EmptyAudio
    ...    inputs=${{ {"duration": 1.0, "sample_rate": 16000, "channels": 1} }}
    Set To Dictionary    ${workflow}    12=${empty}
    ${result} =    Run Workflow    ${workflow}    validate=False
    Run Keyword And Expect Error    Audio ComfyUI_*.flac is not valid: audio is silent: no sound at all*
    ...    Audio Should Be Valid    ${result.files}[0]
    Audio Should Be Valid    ${result.files}[0]    not_silent=False    sample_rate=16000    channels=1

Validate Audio Returns Every Check Without Failing When Asked
    ${result} =    Run Workflow    text_to_audio    seed=3    duration=2
    ${checked} =    Validate Audio    ${result.files}[0]    sample_rate=16000    channels=2
    ...    fail=False
    Should Not Be True    ${checked.passed}
    Should Be Equal    ${checked.errors}    ${{ ["sample rate is 44100, expected 16000"] }}
    ${names} =    Evaluate    [check["name"] for check in $checked.checks]
    Should Be Equal    ${names}    ${{ ["readable", "format", "duration", "sample_rate", "channels", "not_silent"] }}
    Should Be True    ${checked.metadata.peak_dbfs} > -30
    Run Keyword And Expect Error    Audio ComfyUI_*.flac failed 1 check(s): sample rate is 44100, expected 16000.
    ...    Validate Audio    ${result.files}[0]    sample_rate=16000


*** Keywords ***
A Text To Audio Workflow Saving Every Format
    [Documentation]    The text-to-audio workflow, 3 seconds long, saving FLAC, MP3 and Opus.
    ${workflow} =    Load Workflow    text_to_audio
    Set Workflow Parameters    ${workflow}    duration=3    seed=11    prefix=audio/lossy
    VAR    &{mp3} =    class_type=SaveAudioMP3
    ...    inputs=${{ {"audio": ["12", 0], "filename_prefix": "audio/lossy", "quality": "128k"} }}
    VAR    &{opus} =    class_type=SaveAudioOpus
    ...    inputs=${{ {"audio": ["12", 0], "filename_prefix": "audio/lossy", "quality": "64k"} }}
    Set To Dictionary    ${workflow}    20=${mp3}    21=${opus}
    RETURN    ${workflow}

File With Extension
    [Documentation]    The first of ${files} whose name ends with ${extension}.
    [Arguments]    ${files}    ${extension}
    FOR    ${file}    IN    @{files}
        IF    $file.name.endswith($extension)    RETURN    ${file}
    END
    Fail    No ${extension} file among ${files}
