*** Settings ***
Documentation     Custom node packs on this ComfyUI: the library's example pack (two nodes)
...               loads and runs on every version; its broken pack, which imports a module
...               ComfyUI added in 0.3.77, fails to import on older versions only, and the
...               failure is reported with ComfyUI's own error. Packs are loaded into a
...               ComfyUI folder, so these tests need one (``COMFYUI_HOME``, as ``make real``
...               and ``make matrix`` give): the mock loads no Python.

Library           OperatingSystem
Resource          ../../resources/comfy.resource

Suite Setup       Start ComfyUI With The Example Packs
Suite Teardown    Disconnect The Pack Client

Test Tags         custom-nodes    workflow


*** Variables ***
${PACKS}             ${CURDIR}/../../resources/custom_nodes
${FIXTURES}          ${CURDIR}/../../resources/fixtures
# given on the command line, as to suites/real (see its __init__.robot)
${COMFYUI_HOME}      ${EMPTY}
${COMFYUI_PYTHON}    ${None}
${COMFYUI_ARGS}      ${EMPTY}


*** Test Cases ***
The Example Pack Loads And Its Node Runs Mid-Graph
    ${classes} =    Custom Nodes Should Load    comfylibrary_example    client=packs
    Should Contain    ${classes}    ComfyLibraryInvert
    ${result} =    Run Workflow    ${FIXTURES}/example_pack_invert.json    client=packs
    Validate Image    ${result.files}[0]    format=PNG    width=64    height=48    not_blank=False

The Broken Pack Fails To Import Only Where Its Import Is Missing
    ${version} =    Get System Stats    system.comfyui_version    client=packs
    ${has it} =    Evaluate    tuple(map(int, $version.split('.')[:3])) >= (0, 3, 77)
    IF    ${has it}
        Custom Nodes Should Load    comfylibrary_broken    client=packs
    ELSE
        Run Keyword And Expect Error
        ...    Custom node pack 'comfylibrary_broken' did not load on ComfyUI ${version}: *nested_tensor*
        ...    Custom Nodes Should Load    comfylibrary_broken    client=packs
    END


*** Keywords ***
Start ComfyUI With The Example Packs
    [Documentation]    Starts this run's ComfyUI folder once more with the library's two
    ...    packs linked into its custom_nodes, and connects a client named ``packs``.
    Skip If    not "${COMFYUI_HOME}"
    ...    This run has no ComfyUI folder (COMFYUI_HOME) to load custom node packs into.
    VAR    @{packs} =    ${PACKS}/comfylibrary_example    ${PACKS}/comfylibrary_broken
    # PYTHONPATH of a version's own packages, set by suites/real/__init__.robot
    ${env} =    Get Variable Value    \${COMFYUI_ENV}    ${{ {} }}
    ${url} =    Start ComfyUI Server    ${COMFYUI_HOME}    python=${COMFYUI_PYTHON}
    ...    args=${COMFYUI_ARGS} --disable-api-nodes    alias=packs    env=${env}
    ...    custom_nodes=${packs}    ready_timeout=3 min
    Connect To ComfyUI    ${url}    alias=packs
    # what loaded and what failed to, for the upgrade report of `make matrix`
    Capture ComfyUI Profile    ${url}    ${OUTPUT DIR}/profile-packs.json

Disconnect The Pack Client
    [Documentation]    Closes the ``packs`` client, when the setup made one (it skips without
    ...    a ComfyUI folder).
    IF    "${COMFYUI_HOME}"    Disconnect From ComfyUI    packs
