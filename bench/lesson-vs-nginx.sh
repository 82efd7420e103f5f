#!/usr/bin/env bash
# Lesson page vs nginx: starts the release server, saves a lesson's HTML as an anonymous
# visitor and as a signed-in, enrolled learner, serves the same bytes with nginx, and measures
# each pair with wrk at 64 connections, alternating runs.
# Run by hand or from bench/run-all (not in CI): bash bench/lesson-vs-nginx.sh [seconds]
# Targets (issue 31): the anonymous lesson page at >= 0.5x nginx's requests/s with p99 < 20 ms;
# the signed-in learner's lesson page (not cacheable) at >= 0.25x nginx.
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

# A learner for the signed-in page (the password is read from standard input).
echo "river lantern quietly" | DATABASE_URL="sqlite:$work/bench.db" GRANDROUNDS_KEY_DIR="$work/keys" \
  target/release/grandrounds user add --email lena@clinic.org --name "Lena Learner" --profession nurse >/dev/null
RUST_LOG=warn GRANDROUNDS_KEY_DIR="$work/keys" GRANDROUNDS_SITE_ROOT=target/site LEPTOS_ENV=PROD DATABASE_URL="sqlite:$work/bench.db" \
  target/release/grandrounds serve --listen "127.0.0.1:$APP_PORT" >"$work/app.log" 2>&1 &
app=$!
wait_for "http://127.0.0.1:$APP_PORT/healthz"

mkdir -p "$work/www"
curl -fsS "http://127.0.0.1:$APP_PORT$LESSON" -o "$work/www/lesson.html"
raw=$(wc -c <"$work/www/lesson.html")
# Sign in (a real form post; the session cookie comes back) and enrol, then keep that page.
origin="http://127.0.0.1:$APP_PORT"
cookie=$(sign_in_and_enrol "$origin" lena@clinic.org "$(cut -d/ -f3 <<<"$LESSON")")
curl -fsS -b "$cookie" "$origin$LESSON" -o "$work/www/signed-in.html"
grep -q "Lena Learner\|/account/logout\|Sign out" "$work/www/signed-in.html" \
  || { echo "error: the signed-in lesson page does not show a signed-in learner" >&2; exit 1; }
signed_raw=$(wc -c <"$work/www/signed-in.html")
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
    location = /signed-in { root $work/www; default_type text/html; try_files /signed-in.html =404; }
    location / { root $work/www; default_type text/html; try_files /lesson.html =404; }
  }
}
CONF
mkdir -p "$work/tmp"
nginx -c "$work/nginx.conf"
wait_for "http://127.0.0.1:$NGINX_PORT$LESSON"
cmp -s "$work/www/lesson.html" <(curl -fsS "http://127.0.0.1:$NGINX_PORT$LESSON") || { echo "nginx serves different bytes" >&2; exit 1; }

cmp -s "$work/www/signed-in.html" <(curl -fsS "http://127.0.0.1:$NGINX_PORT/signed-in") || { echo "nginx serves different bytes" >&2; exit 1; }

# Requests/s and p99 (ms) from wrk --latency output; a second argument is a Cookie header.
measure() {
  local url=$1 cookie=${2:-} out
  local header=()
  [ -n "$cookie" ] && header=(-H "Cookie: $cookie")
  curl -fsS -o /dev/null "${header[@]}" "$url"   # warm
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "${header[@]}" "$url")
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
read -r sig_rps sig_p50 sig_p99 < <(measure "http://127.0.0.1:$APP_PORT$LESSON" "$cookie")
read -r ngs_rps ngs_p50 ngs_p99 < <(measure "http://127.0.0.1:$NGINX_PORT/signed-in")
ratio=$(awk -v a="$app_rps" -v n="$ngx_rps" 'BEGIN { printf "%.2f", a / n }')
signed_ratio=$(awk -v a="$sig_rps" -v n="$ngs_rps" 'BEGIN { printf "%.2f", a / n }')

printf '\nlesson %s: %s bytes raw, %s gzip, %s brotli\n\n' "$LESSON" "$raw" "$gz" "$br"
printf '%-22s %12s %10s %10s\n' "server" "requests/s" "p50 ms" "p99 ms"
printf '%-22s %12s %10s %10s\n' "grandrounds (release)" "$app_rps" "$app_p50" "$app_p99"
printf '%-22s %12s %10s %10s\n' "nginx (same bytes)" "$ngx_rps" "$ngx_p50" "$ngx_p99"
printf '%-22s %12s %10s %10s\n' "signed in (release)" "$sig_rps" "$sig_p50" "$sig_p99"
printf '%-22s %12s %10s %10s\n' "nginx (same bytes)" "$ngs_rps" "$ngs_p50" "$ngs_p99"
printf '\nanonymous: ratio grandrounds/nginx %s (target >= 0.5); p99 %s ms (target < 20)\n' "$ratio" "$app_p99"
printf 'signed in (%s bytes): ratio grandrounds/nginx %s (target >= 0.25); p99 %s ms\n' "$signed_raw" "$signed_ratio" "$sig_p99"

figure "lesson page, anonymous: requests/s vs nginx" "$ratio× ($app_rps vs $ngx_rps)" ">= 0.5×"
figure "lesson page, anonymous: p99" "$app_p99 ms" "< 20 ms"
figure "lesson page, signed in: requests/s vs nginx" "$signed_ratio× ($sig_rps vs $ngs_rps)" ">= 0.25×"
figure "lesson page, signed in: p99" "$sig_p99 ms" ""
figure "lesson page, anonymous: bytes (raw / gzip / brotli)" "$raw / $gz / $br" ""
