"""Keywords for a team's own ComfyUI: capture its profile for the mock, call its routes,
require a version of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from robotlibcore import keyword

from ComfyLibrary.errors import ComfyError
from ComfyLibrary.keywords.assertions import dot
from ComfyLibrary.keywords.context import LibraryComponent
from ComfyLibrary.profile import capture_profile, summary
from ComfyLibrary.upgrade.sides import failed_packs, import_seconds, loaded_packs, server_log
from ComfyLibrary.versions import satisfies

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")


class ProfileKeywords(LibraryComponent):
    """Profiles of users' servers and generic route calls."""

    @keyword("Capture ComfyUI Profile", tags=("Servers",))
    def capture_comfyui_profile(self, url: str, file: Path) -> Path:
        """Writes a profile of the ComfyUI at ``url`` to ``file`` and returns the file's path.

        The profile is one JSON file with the server's node catalog (``/object_info``,
        its custom nodes included), ``/system_stats`` (versions, devices), the model
        files of every folder, its embeddings, extensions and features. Commit it beside
        the suites: `Start Mock Server` with ``profile=`` then serves that server with no
        GPU, and the team's exported workflows validate and run on it, custom nodes and
        all (see the guide "Test your own ComfyUI on the mock").

        Example:
        | Capture ComfyUI Profile    http://gpu-box:8188    ${CURDIR}/profiles/prod.json
        | ${url} =    Start Mock Server    profile=${CURDIR}/profiles/prod.json
        """
        path = Path(file)
        try:
            profile = capture_profile(str(url), path, self.library.timeout)
        except OSError as exc:
            raise ComfyError(
                f"Cannot write the profile {path}: {exc.strerror or exc}. "
                "Give a file in a folder you can write to."
            ) from None
        self.info(f"Profile of {summary(profile)} written to {path}.")
        return path

    @keyword("Require ComfyUI Version", tags=("Connection",))
    def require_comfyui_version(self, requirement: str, client: str | None = None) -> str:
        """Skips the current test unless the connected server's ComfyUI version meets
        ``requirement`` (``>=0.8``, ``<0.3.77``, ``>=0.3.64,<0.8``, ``==0.8.0``; clauses
        separated by commas all hold); returns the server's version.

        Use it for a test of something older versions lack, so that one suite runs over
        several versions (`make matrix`): against an older server the test is skipped with
        the reason, e.g. ``Requires ComfyUI >=0.8: this server is ComfyUI 0.3.64.``

        Example:
        | Require ComfyUI Version    >=0.8
        | ${jobs} =    Call ComfyUI Route    GET    /api/jobs    expected_status=200
        """
        from robot.api.exceptions import SkipExecution

        stats = self.library.clients.get(client)[1].http.get_json("/system_stats")
        version = str((stats.get("system") or {}).get("comfyui_version") or "")
        if not version:
            raise ComfyError(
                "The server does not report its ComfyUI version (system.comfyui_version of "
                "/system_stats), so no version requirement can be checked."
            )
        if not satisfies(version, requirement):
            raise SkipExecution(
                f"Requires ComfyUI {requirement}: this server is ComfyUI {version}."
            )
        self.info(f"ComfyUI {version} meets {requirement}.")
        return version

    @keyword("Custom Nodes Should Load", tags=("Servers",))
    def custom_nodes_should_load(self, pack: str, client: str | None = None) -> list[str]:
        """Fails unless custom node pack ``pack`` loaded on the connected server; returns
        its node classes.

        It reads what the server says: its start-up log (``/internal/logs``; the
        ``IMPORT FAILED`` and ``Cannot import`` lines, and the import time of each pack)
        and ``/object_info``, whose classes name their pack in ``python_module``. A pack
        that failed to import fails the keyword with ComfyUI's own error, e.g.
        ``Custom node pack 'my_pack' did not load on ComfyUI 0.3.64: No module named
        'comfy.nested_tensor'``.

        Example:
        | Start ComfyUI Server    /opt/ComfyUI    custom_nodes=${{["${CURDIR}/my_pack"]}}
        | Connect To ComfyUI    ${url}
        | ${classes} =    Custom Nodes Should Load    my_pack
        """
        http = self.library.clients.get(client)[1].http
        catalog = http.get_json("/object_info")
        version = (http.get_json("/system_stats").get("system") or {}).get("comfyui_version")
        log = server_log(http.base_url, http.timeout, http.session)
        name = str(pack).strip()
        failed = failed_packs(log)
        if name in failed:
            raise ComfyError(
                f"Custom node pack '{name}' did not load on ComfyUI {version}: {failed[name]}"
            )
        classes = loaded_packs(catalog).get(name)
        if not classes:
            loaded = ", ".join(loaded_packs(catalog)) or "none"
            raise ComfyError(
                f"Custom node pack '{name}' is not loaded on ComfyUI {version}: no class of "
                f"/object_info comes from custom_nodes.{name} (packs loaded: {loaded}). Is it "
                "in the server's custom_nodes folder?"
            )
        seconds = import_seconds(log).get(name)
        took = f" in {seconds:.1f} s" if seconds is not None else ""
        self.info(f"Custom node pack '{name}' loaded{took}: {', '.join(classes)}.")
        return classes

    @keyword("Compare ComfyUI Servers", tags=("Servers",))
    def compare_comfyui_servers(
        self,
        old: str,
        new: str,
        workflows: Path | None = None,
        references: Path | None = None,
        runs: list[Path] | None = None,
        protocol: bool = True,
        output: Path | None = None,
    ) -> dict[str, Any]:
        """Writes the upgrade report between two ComfyUI servers and returns it as a dict.

        ``old`` and ``new`` are server URLs (real servers or mocks) or profile files
        (`Capture ComfyUI Profile`). The report, in ``upgrade-report.json`` and a standalone
        ``upgrade-report.html`` (in ``output``, by default ``upgrade/`` of the output
        directory, linked in the log), covers:

        | =Section= | =What it says= |
        | node catalog | classes added and removed; inputs added, removed, retyped; defaults, ranges, choices and outputs changed; each change's impact (``breaks``, ``may change results``, ``compatible``) |
        | your workflows | each workflow of the ``workflows`` folder (API or editor format) validated against both, whether the upgrade breaks it, and its own nodes and inputs that changed |
        | outputs | with ``runs`` (two ``run-report.json``: the same suite run on each side) or ``references`` (``DIR/<version>/`` per-version references): changed or unchanged, SSIM, max and mean pixel difference, and whether ComfyUI, torch or both changed |
        | time | per workflow and per node class, from the two run reports |
        | protocol | routes, answer keys and WebSocket messages (servers given by URL; asking runs one tiny model-free prompt on each, ``protocol=False`` leaves it out) |
        | custom nodes | the packs that loaded on each side, and the import errors of those that did not |

        The log shows the summary as a table.

        Example:
        | ${report} =    Compare ComfyUI Servers    ${OLD_URL}    ${NEW_URL}    workflows=${CURDIR}/workflows
        | Should Be Equal As Integers    ${report}[summary][workflows_breaking]    0
        """
        from ComfyLibrary.upgrade.compare import compare_servers, one_line
        from ComfyLibrary.upgrade.html import summary_table

        if runs is not None and len(runs) != 2:
            raise ComfyError(
                f"runs= takes two run reports, the old side's and the new side's, not {len(runs)}."
            )
        out = Path(output) if output is not None else self.output_folder("upgrade")
        report, json_path, html_path = compare_servers(
            str(old),
            str(new),
            out,
            workflows,
            references,
            (Path(runs[0]), Path(runs[1])) if runs else None,
            protocol,
            self.library.timeout,
        )
        self.info(summary_table(report), html=True)
        self.link(html_path, "Upgrade report")
        self.link(json_path, "Upgrade report (JSON)")
        self.info(one_line(report))
        return dot(report)

    @keyword("Call ComfyUI Route", tags=("Connection",))
    def call_comfyui_route(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: dict[str, str] | None = None,
        expected_status: int | None = None,
        client: str | None = None,
    ) -> Any:
        """Calls any route of the connected server, such as one a custom node pack adds,
        and returns its answer: ``${answer.status}`` and ``${answer.body}`` (parsed JSON,
        or the text when the answer is not JSON).

        ``method`` is ``GET``, ``POST``, ``PUT``, ``PATCH``, ``DELETE`` or ``HEAD``; ``path``
        starts with ``/`` (a route of the connected server, never another host). ``json`` is
        the body to send; ``params`` the query. With ``expected_status`` the keyword fails
        in one line when the server answers another status. A route the server does not
        have answers as on a ComfyUI without that pack: 404 to ``GET``, 405 to other
        methods (its web root answers only ``GET``); so does the mock.

        Example:
        | ${answer} =    Call ComfyUI Route    GET    /system_stats
        | Should Be Equal As Integers    ${answer.status}    200
        | Call ComfyUI Route    POST    /my_pack/reload    json={"all": true}    expected_status=200
        """
        verb = str(method).strip().upper()
        if verb not in METHODS:
            raise ComfyError(f"'{method}' is not an HTTP method: use one of {', '.join(METHODS)}.")
        route = str(path).strip()
        if not route.startswith("/") or route.startswith("//"):
            raise ComfyError(
                f"'{path}' is not a route of the server: give a path such as /system_stats "
                "(the client's server URL is put before it)."
            )
        http = self.library.clients.get(client)[1].http
        try:
            answer = http.session.request(
                verb, http.base_url + route, json=json, params=params, timeout=http.timeout
            )
        except requests.RequestException as exc:
            raise ComfyError(
                f"Cannot reach ComfyUI at {http.base_url} ({verb} {route}): "
                f"{type(exc).__name__}. Check that the server is running."
            ) from None
        try:
            body: Any = answer.json()
        except ValueError:
            body = answer.text
        result = dot({"status": answer.status_code, "body": body, "headers": dict(answer.headers)})
        self.info(f"{verb} {route} answered HTTP {answer.status_code}: {self.short(body)}")
        if expected_status is not None and answer.status_code != int(expected_status):
            raise ComfyError(
                f"{verb} {route} answered HTTP {answer.status_code}, not {expected_status}: "
                f"{self.short(body, 200)}"
            )
        return result
