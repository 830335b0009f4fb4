"""Runs the source through PyAirbyte (PyPI airbyte): `check()`, then `read()` of every stream
into PyAirbyte's default local cache (DuckDB, under the working folder), then prints one JSON
line per stream with the ids the cache holds. Arguments: the source's executable, the config
as JSON."""

import json
import sys

import airbyte

source = airbyte.get_source(
    "source-customers", local_executable=sys.argv[1], config=json.loads(sys.argv[2])
)
source.check()
source.select_all_streams()
result = source.read()
for name, dataset in result.streams.items():
    print(json.dumps({"stream": name, "ids": [record["id"] for record in dataset]}))
