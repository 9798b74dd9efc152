"""Keywords that put a bad network between clients and a server."""

from __future__ import annotations

from datetime import timedelta

from robotlibcore import keyword

from ComfyLibrary.errors import ComfyError
from ComfyLibrary.keywords.context import LibraryComponent, parse_size
from ComfyLibrary.servers.proxy import NetworkProxy


class NetworkKeywords(LibraryComponent):
    """Network fault proxy keywords."""

    def _proxy(self, alias: str | None) -> NetworkProxy:
        key = alias or self.library.current_proxy
        if key is None or key not in self.library.proxies:
            raise ComfyError("No network proxy: start one with Start Network Proxy.")
        return self.library.proxies[key]

    @keyword("Start Network Proxy", tags=("Network",))
    def start_network_proxy(self, target: str, alias: str = "proxy", port: int = 0) -> str:
        """Starts a TCP proxy in front of ``target`` (a server URL) and returns the proxy's URL.

        Connect clients to the returned URL; faults set on the proxy then hit them
        whether the server is the mock or a real ComfyUI.

        Example:
        | ${url} =    Start Mock Server
        | ${proxy} =    Start Network Proxy    ${url}
        | Connect To ComfyUI    ${proxy}
        """
        proxy = NetworkProxy(target, port)
        proxy.start()
        self.library.proxies[alias] = proxy
        self.library.current_proxy = alias
        self.library.track("proxy", alias)
        self.info(f"Network proxy '{alias}' at {proxy.url} forwards to {target}.")
        return proxy.url

    @keyword("Get Proxy URL", tags=("Network",))
    def get_proxy_url(self, alias: str | None = None) -> str:
        """Returns the URL clients use to connect through a proxy.

        Example:
        | ${proxy} =    Get Proxy Url
        """
        return self._proxy(alias).url

    @keyword("Set Proxy Latency", tags=("Network",))
    def set_proxy_latency(self, latency: timedelta, alias: str | None = None):
        """Delays every chunk of data through the proxy, both ways, by ``latency``.

        Example:
        | Set Proxy Latency    200 ms
        """
        self._proxy(alias).set_latency(latency.total_seconds())
        self.info(f"Proxy latency set to {self.timestr(latency.total_seconds())}.")

    @keyword("Set Proxy Bandwidth", tags=("Network",))
    def set_proxy_bandwidth(self, bandwidth: str, alias: str | None = None):
        """Caps the proxy's throughput per connection and direction, e.g. ``100 KB`` per second.

        ``0`` removes the cap.

        Example:
        | Set Proxy Bandwidth    50 KB
        """
        rate = parse_size(bandwidth) or 0
        self._proxy(alias).set_bandwidth(rate)
        self.info(f"Proxy bandwidth capped at {rate} bytes/s." if rate else "Bandwidth uncapped.")

    @keyword("Drop Proxy Connections", tags=("Network",))
    def drop_proxy_connections(self, alias: str | None = None) -> int:
        """Aborts every connection through the proxy and returns how many were cut.

        New connections are still accepted, so clients can reconnect.

        Example:
        | Drop Proxy Connections
        | Wait For Event    reconnected
        """
        count = self._proxy(alias).drop_connections()
        self.info(f"Dropped {count} proxy connection(s).")
        return count

    @keyword("Blackhole Proxy", tags=("Network",))
    def blackhole_proxy(self, alias: str | None = None):
        """Makes the proxy swallow everything: it accepts and reads but never forwards or
        answers, so clients time out. Open connections go silent too.

        Example:
        | Blackhole Proxy
        | Wait For Disconnection    timeout=10s
        """
        self._proxy(alias).blackhole()
        self.info("Proxy is a blackhole now.")

    @keyword("Refuse Proxy Connections", tags=("Network",))
    def refuse_proxy_connections(self, alias: str | None = None):
        """Closes the proxy's listening socket: new connections are refused and open ones cut.

        Example:
        | Refuse Proxy Connections
        """
        self._proxy(alias).refuse_connections()
        self.info("Proxy refuses connections.")

    @keyword("Restore Proxy", tags=("Network",))
    def restore_proxy(self, alias: str | None = None):
        """Clears every proxy fault and accepts connections again on the same port.

        Example:
        | Restore Proxy
        """
        self._proxy(alias).restore()
        self.info("Proxy restored.")

    @keyword("Stop Network Proxy", tags=("Network",))
    def stop_network_proxy(self, alias: str | None = None):
        """Stops a proxy and cuts its connections.

        Example:
        | Stop Network Proxy
        """
        proxy = self._proxy(alias)
        proxy.close()
        key = alias or self.library.current_proxy
        if key is not None:
            self.library.proxies.pop(key, None)
        self.library.current_proxy = next(reversed(self.library.proxies), None)
