#!/usr/bin/env bash
# Acceptance of the built wheel, the way a merchant and a host meet it: built from this checkout, installed into a
# fresh venv in a temporary folder, and run from there, where nothing of the repository is on the path.
# Exits non-zero and says which check failed; .ci/run calls it after the test suite.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
checks="$repo/.ci/wheel"
work="$(mktemp -d "${TMPDIR:-/tmp}/channel-plugin-wheel.XXXXXX")"
servers=()

cleanup() {
    for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "wheel check FAILED: $1" >&2
    if [ -n "${2:-}" ] && [ -f "$2" ]; then sed 's/^/    /' "$2" >&2; fi
    exit 1
}

# Wait until a server's log shows a line starting with $2; print that line.
await_line() {
    local log="$1" prefix="$2" pid="$3"
    for _ in $(seq 1 300); do
        if line="$(grep -m1 "^$prefix" "$log")"; then echo "$line"; return 0; fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}

echo "wheel check: building and installing the wheel in $work"
"$repo/.venv/bin/pip" wheel -q --no-deps -w "$work/dist" "$repo" >"$work/build.log" 2>&1 || fail "pip wheel" "$work/build.log"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$work"/dist/channel_plugin-*.whl >"$work/install.log" 2>&1 \
    || fail "installing the wheel" "$work/install.log"
cd "$work"
export PATH="$work/venv/bin:$PATH"
unset CHANNEL_PLUGIN_AMAZON_MODELS CHANNEL_PLUGIN_DATABASE_URL CHANNEL_PLUGIN_ENCRYPTION_KEY

# (a) The demo, once: seed, sync, print, exit 0.
channel-plugin demo --once >"$work/demo-once.log" 2>&1 || fail "channel-plugin demo --once" "$work/demo-once.log"
grep -q "^After the second sync:" "$work/demo-once.log" || fail "demo --once printed no second sync" "$work/demo-once.log"
echo "wheel check: demo --once ran ($(grep -c . "$work/demo-once.log") lines)"

# (b) A host: entry point, commerce_startup, load_manifest, commerce_asgi_apps in its own Starlette app.
python "$checks/host_check.py" >"$work/host.log" 2>&1 || fail "host check" "$work/host.log"
cat "$work/host.log"

# (c) The wheel's dashboard in Chromium, served by the wheel's demo on 127.0.0.1.
channel-plugin demo --port 0 >"$work/demo.log" 2>&1 &
servers+=("$!")
line="$(await_line "$work/demo.log" "Dashboard: " "$!")" || fail "the demo did not start serving" "$work/demo.log"
dashboard="${line#Dashboard: }"
"$repo/.venv/bin/python" "$checks/dashboard_check.py" "${dashboard/\/dashboard\/#/\/dashboard\/stores\/1#}" \
    >"$work/dashboard.log" 2>&1 || fail "dashboard check" "$work/dashboard.log"
cat "$work/dashboard.log"

# (d) fake-amazon --sandbox on a free port, replaying Amazon's recorded cases.
port="$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
channel-plugin fake-amazon --sandbox --port "$port" >"$work/sandbox.log" 2>&1 &
servers+=("$!")
await_line "$work/sandbox.log" "LWA token endpoint" "$!" >/dev/null || fail "fake-amazon --sandbox did not start" "$work/sandbox.log"
python "$checks/sandbox_check.py" "http://127.0.0.1:$port" >"$work/sandbox-check.log" 2>&1 \
    || fail "sandbox check" "$work/sandbox-check.log"
cat "$work/sandbox-check.log"

echo "wheel check: all passed"
