#!/usr/bin/env bash
# Lesson page vs nginx: starts the release server, saves a lesson's HTML, serves the same
# bytes with nginx, and measures both with wrk at 64 connections in one run.
# Run by hand (not in CI): bash bench/lesson-vs-nginx.sh [seconds]
# Target: the lesson page at >= 0.5x nginx's requests/s, with p99 < 20 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib.sh

DURATION=${1:-15}
CONNECTIONS=64
THREADS=2
APP_PORT=3210
NGINX_PORT=3211
LESSON=/courses/telehealth-for-clinical-teams/modalities

for tool in nginx wrk; do
  command -v "$tool" >/dev/null || PATH="$PATH:/usr/sbin" command -v "$tool" >/dev/null || {
    say "installing $tool from Debian's packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
  }
done
export PATH="$PATH:/usr/sbin"

install_build_tools
install_wasm_opt
if [ ! -x target/release/grandrounds ] || [ "${BENCH_REBUILD:-1}" = 1 ]; then
  say "building the release site"
  cargo xtask site --release --precompress
fi

work=$(mktemp -d)
chmod 755 "$work"   # nginx workers run unprivileged
cleanup() {
  [ -n "${app:-}" ] && kill "$app" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

RUST_LOG=warn GRANDROUNDS_SITE_ROOT=target/site LEPTOS_ENV=PROD DATABASE_URL="sqlite:$work/bench.db" \
  target/release/grandrounds serve --listen "127.0.0.1:$APP_PORT" >"$work/app.log" 2>&1 &
app=$!
wait_for "http://127.0.0.1:$APP_PORT/healthz"

mkdir -p "$work/www"
curl -fsS "http://127.0.0.1:$APP_PORT$LESSON" -o "$work/www/lesson.html"
raw=$(wc -c <"$work/www/lesson.html")
gz=$(curl -fsS -H 'accept-encoding: gzip' "http://127.0.0.1:$APP_PORT$LESSON" | wc -c)
br=$(curl -fsS -H 'accept-encoding: br' "http://127.0.0.1:$APP_PORT$LESSON" | wc -c)

cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/tmp;
  proxy_temp_path $work/tmp;
  fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp;
  scgi_temp_path $work/tmp;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { root $work/www; default_type text/html; try_files /lesson.html =404; }
  }
}
CONF
mkdir -p "$work/tmp"
nginx -c "$work/nginx.conf"
wait_for "http://127.0.0.1:$NGINX_PORT$LESSON"
cmp -s "$work/www/lesson.html" <(curl -fsS "http://127.0.0.1:$NGINX_PORT$LESSON") || { echo "nginx serves different bytes" >&2; exit 1; }

# Requests/s and p99 (ms) from wrk --latency output.
measure() {
  local url=$1 out
  curl -fsS -o /dev/null "$url"   # warm
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url")
  local rps p99 p50
  rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
  p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}
to_ms() { # wrk prints 812.00us, 3.41ms or 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /s$/ && v !~ /ms$/) n *= 1000; printf "%.2f", n }'
}

say "wrk: ${DURATION}s, $CONNECTIONS connections, $THREADS threads, on $(nproc) cores"
read -r app_rps app_p50 app_p99 < <(measure "http://127.0.0.1:$APP_PORT$LESSON")
read -r ngx_rps ngx_p50 ngx_p99 < <(measure "http://127.0.0.1:$NGINX_PORT$LESSON")
ratio=$(awk -v a="$app_rps" -v n="$ngx_rps" 'BEGIN { printf "%.2f", a / n }')

printf '\nlesson %s: %s bytes raw, %s gzip, %s brotli\n\n' "$LESSON" "$raw" "$gz" "$br"
printf '%-22s %12s %10s %10s\n' "server" "requests/s" "p50 ms" "p99 ms"
printf '%-22s %12s %10s %10s\n' "grandrounds (release)" "$app_rps" "$app_p50" "$app_p99"
printf '%-22s %12s %10s %10s\n' "nginx (same bytes)" "$ngx_rps" "$ngx_p50" "$ngx_p99"
printf '\nratio grandrounds/nginx: %s (target >= 0.5); grandrounds p99 %s ms (target < 20)\n' "$ratio" "$app_p99"
