"""Validates Airbyte messages, one JSON object a line on stdin, with the Airbyte protocol's
own models (PyPI airbyte-protocol-models). Prints each invalid line's errors and exits 1 if
any; else prints how many messages of each type it read."""

import collections
import sys

from airbyte_protocol.models import AirbyteMessage, ConfiguredAirbyteCatalog

kinds = collections.Counter()
bad = 0
for number, line in enumerate(sys.stdin, 1):
    line = line.strip()
    if not line:
        continue
    try:
        message = AirbyteMessage.parse_raw(line)
    except Exception as error:  # pydantic's ValidationError, or JSON that does not parse
        bad += 1
        print(f"line {number}: {error}\n  {line[:300]}")
        continue
    kinds[message.type.value] += 1
if len(sys.argv) > 1:
    # A configured catalog the tests wrote from the discovered one.
    try:
        ConfiguredAirbyteCatalog.parse_file(sys.argv[1])
    except Exception as error:
        bad += 1
        print(f"configured catalog: {error}")
print(dict(kinds))
sys.exit(1 if bad else 0)
