"""``QueueClient``: a thin synchronous client of the queue server's HTTP API (for scripts, CLI).

Each call returns the response's JSON; a refused request (``success: false``), a missing or
insufficient key (401/403) or an unreachable server raises ``QueueRequestError`` with the
server's reason.
"""

from __future__ import annotations

import os
from typing import Any

import httpx

from ._http import DEFAULT_HOST, DEFAULT_PORT

URL_ENV = "SKYSCOPE_SERVER_URL"
KEY_ENV = "SKYSCOPE_API_KEY"


class QueueRequestError(RuntimeError):
    """A request the server refused or could not be reached for; the message says why."""


class QueueClient:
    """Calls to a queue server at ``url`` with an API key."""

    def __init__(
        self, url: str | None = None, api_key: str | None = None, *, timeout: float = 10.0
    ) -> None:
        """``url`` (default ``$SKYSCOPE_SERVER_URL`` or 127.0.0.1:60610) and ``api_key``.

        The key defaults to ``$SKYSCOPE_API_KEY``, then ``$SKYSCOPE_SINGLE_USER_API_KEY``.
        """
        self.url = url or os.environ.get(URL_ENV) or f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"
        key = api_key or os.environ.get(KEY_ENV) or os.environ.get("SKYSCOPE_SINGLE_USER_API_KEY")
        headers = {"Authorization": f"ApiKey {key}"} if key else {}
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def close(self) -> None:
        """Close the connection."""
        self._http.close()

    def __enter__(self) -> QueueClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def call(self, method: str, path: str, **params: Any) -> dict[str, Any]:
        """``method path`` with ``params`` as the JSON body; the answer, if it succeeded."""
        try:
            reply = self._http.request(method, path, json=params)
        except httpx.HTTPError as error:
            problem = f"cannot reach the queue server at {self.url}: {error}"
            raise QueueRequestError(problem) from None
        try:
            body = reply.json()
        except ValueError:
            body = {}
        if reply.status_code >= 400:
            detail = body.get("detail", reply.text) if isinstance(body, dict) else reply.text
            raise QueueRequestError(f"{reply.status_code}: {detail}")
        if not isinstance(body, dict):
            raise QueueRequestError(f"unexpected answer from {path}: {body!r}")
        if body.get("success") is False:
            raise QueueRequestError(str(body.get("msg") or "refused"))
        return body

    def status(self) -> dict[str, Any]:
        """The manager's status."""
        return self.call("GET", "/api/status")

    def add(self, name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Queue the plan ``name(*args, **kwargs)``; returns the item as queued."""
        item = {"item_type": "plan", "name": name, "args": list(args), "kwargs": kwargs}
        return dict(self.call("POST", "/api/queue/item/add", item=item)["item"])

    def queue(self) -> dict[str, Any]:
        """The queue's items and the running item."""
        return self.call("GET", "/api/queue/get")

    def history(self) -> list[dict[str, Any]]:
        """The items done, with their results."""
        return list(self.call("GET", "/api/history/get")["items"])

    def start(self) -> None:
        """Run the queue."""
        self.call("POST", "/api/queue/start")

    def stop(self) -> None:
        """Stop the queue after the running item."""
        self.call("POST", "/api/queue/stop")
