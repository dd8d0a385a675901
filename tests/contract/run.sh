#!/usr/bin/env bash
# Lints every spec (redocly, spectral) and checks requests against Prism mocks of the specs:
# the upstream Postman collections (via newman) and the Rust clients (the contract tests'
# `prism_accepts_*`, which skip unless PRISM_URL_* is set).
# Needs node/npm and cargo; installs the pinned npm tools itself. Ports: PRISM_PORT_BASE (4710+).
set -euo pipefail
cd "$(dirname "$0")"
root="$(cd ../.. && pwd)"
specs=(wapio verloop-partner woztell)
spec_files=()
for spec in "${specs[@]}"; do spec_files+=("../../specs/$spec.yaml"); done
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true SCARF_ANALYTICS=false

if [[ ! -d node_modules ]] || ! npm ls --silent >/dev/null 2>&1; then
  echo "--- npm ci (pinned lint and mock tools)"
  npm ci --no-audit --no-fund --loglevel=error
fi
bin="$PWD/node_modules/.bin"
mkdir -p out

echo "--- redocly lint"
redocly_ok=true
"$bin/redocly" lint --config redocly.yaml "${spec_files[@]}" >out/redocly.txt 2>&1 || redocly_ok=false
grep -v '[║╔╚]' out/redocly.txt | grep -v '^\s*$' # the Node 20 deprecation banner is noise
$redocly_ok

echo "--- spectral lint"
"$bin/spectral" lint --ruleset .spectral.yaml --fail-severity=warn "${spec_files[@]}"

echo "--- Prism mocks"
prism_pids=()
stop_prisms() {
  for pid in "${prism_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap stop_prisms EXIT
port=${PRISM_PORT_BASE:-4710}
declare -A prism_url
for spec in "${specs[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use; set PRISM_PORT_BASE" >&2
    exit 1
  fi
  "$bin/prism" mock --errors -h 127.0.0.1 -p "$port" "../../specs/$spec.yaml" >"out/prism-$spec.log" 2>&1 &
  prism_pids+=("$!")
  prism_url[$spec]="http://127.0.0.1:$port"
  port=$((port + 1))
done
for spec in "${specs[@]}"; do
  url=${prism_url[$spec]}
  for _ in $(seq 240); do
    (exec 3<>"/dev/tcp/127.0.0.1/${url##*:}") 2>/dev/null && break
    sleep 0.5
  done
  if ! (exec 3<>"/dev/tcp/127.0.0.1/${url##*:}") 2>/dev/null; then
    echo "Prism for $spec did not start; its log:" >&2
    cat "out/prism-$spec.log" >&2
    exit 1
  fi
  echo "$spec: Prism on $url"
done

echo "--- upstream collections through newman against Prism"
status=0
node replay.js wapio "${prism_url[wapio]}" || status=1
node replay.js verloop-partner "${prism_url[verloop-partner]}" || status=1

echo "--- Rust clients against Prism (every documented request, through the typed builders)"
PRISM_URL_WAPIO=${prism_url[wapio]} PRISM_URL_VERLOOP=${prism_url[verloop-partner]} \
  PRISM_URL_WOZTELL=${prism_url[woztell]} \
  cargo test --quiet --manifest-path "$root/Cargo.toml" -p workspace-tests \
  --test integration prism_accepts -- --nocapture || status=1

exit "$status"
