*** Settings ***
Documentation    Settings that hold for a test, a suite or the run, and getters whose assertions
...              are retried until they hold, as in Browser.

Resource         ../../resources/comfy.resource

Suite Setup      Start A Mock ComfyUI And Connect
Test Setup       Start With An Idle Server
Test Teardown    Reset Faults

Test Tags        settings    library


*** Test Cases ***
A Getter Retries Its Assertion Until The Value Changes
    Set Retry Assertions For    30s    scope=Test
    Stall Execution
    ${prompt_id} =    Start A Slow Workflow
    Get Queue Length    ==    1
    Resume Execution
    Get Queue Length    ==    0
    Workflow Should Complete    ${prompt_id}

A Retried Assertion Fails With The Last Value It Read
    Set Retry Assertions For    300 ms    scope=Test
    Stall Execution
    ${prompt_id} =    Start A Slow Workflow
    Run Keyword And Expect Error
    ...    Queue length '1' (int) should be '0' (int) (the last of * reads in 300 milliseconds)
    ...    Get Queue Length
    ...    ==
    ...    0
    Resume Execution
    Workflow Should Complete    ${prompt_id}

With No Retry Time An Assertion Is Checked Once
    ${previous} =    Set Retry Assertions For    0s    scope=Test
    Should Be Equal    ${previous}    1 second
    Stall Execution
    ${prompt_id} =    Start A Slow Workflow
    Run Keyword And Expect Error    Queue length '1' (int) should be '0' (int)
    ...    Get Queue Length    ==    0
    Resume Execution
    Workflow Should Complete    ${prompt_id}

A Test Scoped Timeout Holds For Its Test
    ${previous} =    Set ComfyUI Timeout    3s    scope=Test
    Should Be Equal    ${previous}    30 seconds
    ${inside} =    Set ComfyUI Timeout    4s    scope=Test
    Should Be Equal    ${inside}    3 seconds

A Timeout That Is Not Positive Is Refused In One Line
    Run Keyword And Expect Error    Timeout of -1 seconds is not positive: give one like 30s.
    ...    Set ComfyUI Timeout    -1s
    # a variable, so that a dry run (which converts literal arguments) passes too
    VAR    ${not a time} =    soon
    Run Keyword And Expect Error    *Argument 'timeout' got value 'soon' that cannot be converted*
    ...    Set ComfyUI Timeout    ${not a time}

The Timeout Is Back After The Test That Changed It
    ${previous} =    Set ComfyUI Timeout    30s    scope=Test
    Should Be Equal    ${previous}    30 seconds

A Suite Scoped Timeout Holds Until Its Suite Ends
    ${previous} =    Set ComfyUI Timeout    45s    scope=Suite
    Should Be Equal    ${previous}    30 seconds

The Suite Scoped Timeout Holds In The Next Test
    ${previous} =    Set ComfyUI Timeout    45s    scope=Test
    Should Be Equal    ${previous}    45 seconds

A Test Scoped Timeout Ends A Wait
    Set ComfyUI Timeout    500 ms    scope=Test
    Stall Execution
    ${prompt_id} =    Start A Slow Workflow
    Run Keyword And Expect Error    *0.5 seconds*
    ...    Wait For Completion    ${prompt_id}
    Resume Execution
    Workflow Should Complete    ${prompt_id}

A Keyword With Arguments Is Registered To Run On Failure For One Test
    ${previous} =    Register Keyword To Run On Failure
    ...    Log    Generation failed    WARN    scope=Test
    Should Be Equal    ${previous}    Log ComfyUI Diagnostics
    ${inside} =    Register Keyword To Run On Failure    NONE    scope=Test
    Should Be Equal    ${inside}    Log

The Keyword Run On Failure Is Back After That Test
    ${previous} =    Register Keyword To Run On Failure    NONE    scope=Test
    Should Be Equal    ${previous}    Log ComfyUI Diagnostics
