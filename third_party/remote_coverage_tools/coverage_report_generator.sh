#!/bin/sh
echo "bazel coverage is not supported offline; see README.md" >&2
exit 1
