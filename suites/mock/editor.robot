*** Settings ***
Documentation     The combination QA engineers use for web UIs built on ComfyUI: robotframework-browser
...               drives ComfyUI's own web editor, served by the mock, and ComfyLibrary checks what
...               the server made. Skipped with its reason where Browser, its node side
...               (``rfbrowser init --skip-browsers``), Chromium or the ``[frontend]`` extra is missing.

Library           OperatingSystem
Resource          ../../resources/comfy.resource

Suite Setup       Open ComfyUI's Editor On A Mock
Suite Teardown    Close The Editor

Test Tags         editor    image


*** Variables ***
${CHROMIUM}    /usr/bin/chromium


*** Test Cases ***
A Workflow Run From The Editor Saves A Valid Image
    ${workflow} =    Load Workflow    empty_image_save
    Browser.Evaluate JavaScript    ${None}
    ...    (wf) => window.app.loadApiJson(wf, "empty_image_save.json")
    ...    arg=${workflow}
    Browser.Click    button[aria-label="Run"]
    Wait Until Queue Is Empty    timeout=30s
    ${history} =    Get History
    ${prompt_id} =    Evaluate    list($history)[-1]
    ${files} =    Download Outputs    ${prompt_id}
    Image Should Be Valid    ${files}[0]    format=PNG    width=512    height=512
    ...    not_blank=False
    The Editor Should Have The Output    ${files}[0]


*** Keywords ***
The Editor Should Have The Output
    [Documentation]    Waits until the editor has the server's ``executed`` message for
    ...    ``${file}``: what it draws the picture from (the drawing itself waits for the
    ...    page's next frame, which a loaded machine delays).
    [Arguments]    ${file}
    ${name} =    Evaluate    $file.name
    VAR    ${has it} =    () => Object.values(window.app.nodeOutputs ?? {})
    ...    .some(o => (o.images ?? []).some(i => i.filename === "${name}"))    separator=${EMPTY}
    Browser.Wait For Function    ${has it}    timeout=30s

Open ComfyUI's Editor On A Mock
    [Documentation]    Starts a mock with the web editor and opens it in headless Chromium, or
    ...    skips the suite saying what is missing.
    ${url} =    Start A Mock ComfyUI And Connect
    Skip Unless The Editor Can Run Here    ${url}
    VAR    &{settings} =    Comfy.TutorialCompleted=${True}
    Evaluate    requests.post($url + "/settings", json=$settings, timeout=10)    modules=requests
    ${opened} =    Run Keyword And Return Status    Open The Editor In Chromium    ${url}
    Skip Or Fail If    not ${opened}
    ...    Browser could not start Chromium (is its node side installed? rfbrowser init --skip-browsers)
    ...    COMFY_REQUIRE_BROWSER
    Browser.Wait For Function
    ...    () => window.app && window.app.graph && Object.keys(window.LiteGraph.registered_node_types).length > 400
    ...    timeout=60s

Skip Unless The Editor Can Run Here
    [Documentation]    Skips the suite, saying what is missing, without the editor package,
    ...    robotframework-browser or Debian's chromium.
    [Arguments]    ${url}
    ${page} =    Evaluate    requests.get($url + "/", timeout=10).text    modules=requests
    ${missing} =    Evaluate    "not installed" in $page
    Skip Or Fail If    ${missing}
    ...    ComfyUI's web editor is not installed: pip install 'robotframework-comfylibrary[frontend]'
    ...    COMFY_REQUIRE_BROWSER
    ${browser_ok} =    Run Keyword And Return Status    Import Library    Browser    timeout=30s
    Skip Or Fail If    not ${browser_ok}
    ...    robotframework-browser is not installed (pip install robotframework-browser)
    ...    COMFY_REQUIRE_BROWSER
    ${chromium_ok} =    Run Keyword And Return Status    File Should Exist    ${CHROMIUM}
    Skip Or Fail If    not ${chromium_ok}
    ...    Debian's chromium is not installed at ${CHROMIUM} (apt-get install chromium)
    ...    COMFY_REQUIRE_BROWSER

Open The Editor In Chromium
    [Documentation]    Debian's chromium, headless, through robotframework-browser.
    [Arguments]    ${url}
    VAR    @{flags} =    --no-sandbox    --disable-gpu    --disable-background-networking
    ...    --disable-component-update    --disable-sync    --no-first-run
    Browser.New Browser    chromium    headless=True    executablePath=${CHROMIUM}    args=${flags}
    Browser.New Page    ${url}/    wait_until=domcontentloaded

Close The Editor
    [Documentation]    Closes every browser Browser opened, if it was imported at all.
    Run Keyword And Ignore Error    Browser.Close Browser    ALL
