"""Read a Server-Sent Events stream the way a browser does: blank-line separated events of `event:`/`data:`."""

import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx


@dataclass
class Event:
    event: str
    data: str

    def json(self) -> dict:
        return json.loads(self.data)


def events(response: httpx.Response) -> Iterator[Event]:
    name, data = "message", []
    for line in response.iter_lines():
        if line == "":
            if data:
                yield Event(name, "\n".join(data))
            name, data = "message", []
        elif line.startswith(":"):
            continue  # a comment (keep-alive ping)
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        yield Event(name, "\n".join(data))
