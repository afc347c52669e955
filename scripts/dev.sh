#!/usr/bin/env bash
# writ's one entry point on Debian 12: installs what is missing (as root),
# configures, builds, and then runs the demo or the tests.
#
#   scripts/dev.sh demo    build, then decide the bundled example request and
#                          run the test suites of every policy pack in policies/
#   scripts/dev.sh test    build, then run every test (what CI runs): the
#                          TSan build of the concurrency tests, the ASan+UBSan
#                          build (Clang) of every suite, the fuzz targets
#                          briefly, then the plain (GCC) build's suites
#   scripts/dev.sh build   install, configure and build only
#   scripts/dev.sh fuzz [S [P]]  build the libFuzzer targets (fuzz/,
#                          FUZZING.md; Clang, ASan+UBSan) in $build-fuzz and
#                          run each until it has used S seconds of CPU time
#                          (default 600), P at a time (default 1), printing a
#                          line per target; the corpora grow in
#                          $build-fuzz/fuzz/corpus/. `test` runs each for
#                          WRIT_CI_FUZZ_SECONDS (default 10), in parallel
#   scripts/dev.sh soak [N]  build, then N policy reloads of writ serve (default
#                          1000; SIGHUP and file change) while clients decide
#                          at full rate (tests/serve/soak.sh): no failed or
#                          torn decision, RSS flat
#
# Environment: WRIT_BUILD_DIR (default build/), WRIT_JOBS (default nproc),
# WRIT_SKIP_SANITIZERS=1 to run only the plain build's tests (no sanitizer
# builds), WRIT_DISCARD_BUILDS=1 (CI) to remove the sanitizer and fuzz
# builds once their tests pass. Every build here is writ's own: warnings are errors
# (WRIT_WERROR=ON), which a user's plain cmake build does not turn on.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${WRIT_BUILD_DIR:-$root/build}
jobs=${WRIT_JOBS:-$(nproc)}
packages=(build-essential cmake ninja-build pkg-config
          libabsl-dev libre2-dev nlohmann-json3-dev libboost-dev
          libbenchmark-dev libgtest-dev libgmock-dev libyaml-cpp-dev libssl-dev libarchive-dev
          libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc   # ext_authz (src/grpc)
          python3-grpcio python3-protobuf                                          # its end-to-end test's client
          clang libclang-rt-14-dev)   # the Clang build; libFuzzer and sanitizers for clang-14

log() { printf '\n== %s\n' "$*" >&2; }

install_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# configure_and_build DIR [cmake args...] -- [targets...]
configure_and_build() {
  local dir=$1; shift
  local args=() targets=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  targets=("$@")
  log "configure $dir ${args[*]}"
  # Line tables only (-g1): file:line in backtraces and sanitizer reports,
  # without the full debug info that made CI's five builds 11 GB.
  cmake -S "$root" -B "$dir" -G Ninja -DWRIT_WERROR=ON \
      -DCMAKE_C_FLAGS_DEBUG=-g1 -DCMAKE_CXX_FLAGS_DEBUG=-g1 \
      "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
      "${args[@]}" >/dev/null
  log "build $dir ${targets[*]:-all}"
  if [ ${#targets[@]} -gt 0 ]; then
    cmake --build "$dir" -j "$jobs" --target "${targets[@]}"
  else
    cmake --build "$dir" -j "$jobs"
  fi
}

build_main() { install_packages; configure_and_build "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo; }

# The differential test (tests/differential) runs Cedar's validator under node:
# nodejs and npm from Debian, and the cedar-wasm its package-lock.json pins.
install_differential() {
  local diff="$root/tests/differential"
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    log "installing nodejs npm"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm
  fi
  if [ ! -d "$diff/node_modules/@cedar-policy/cedar-wasm" ]; then
    log "npm ci in tests/differential"
    (cd "$diff" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

demo() {
  build_main
  local ex="$root/policies/example"
  log "writ validate and writ authorize on policies/example, through its schema"
  "$build/tools/writ/writ" validate --schema "$ex/schema.cedarschema" --policies "$ex"
  "$build/tools/writ/writ" authorize --schema "$ex/schema.cedarschema" --policies "$ex/policies.cedar" \
      --entities "$ex/entities.json" --request "$ex/request.json"
  log "writ test --coverage on policies/ (the example and the starter packs)"
  "$build/tools/writ/writ" test --coverage "$root/policies"
}

# build_fuzz [SECONDS]: the fuzz configuration (Clang, ASan+UBSan, libFuzzer)
# in $build-fuzz; its ctests run each target SECONDS (fuzz/CMakeLists.txt).
build_fuzz() {
  install_packages
  configure_and_build "$build-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DWRIT_FUZZ=ON -DWRIT_FUZZ_SECONDS="${1:-10}" \
      -DWRIT_BUILD_SERVE=ON -DWRIT_BUILD_GRPC=OFF -DWRIT_BUILD_TESTS=OFF -DWRIT_BUILD_TOOLS=OFF \
      -DWRIT_BUILD_EXAMPLES=OFF -DWRIT_BUILD_BENCH=OFF
}

# fuzz_long CPU_SECONDS PARALLEL: every target until it has used CPU_SECONDS
# of CPU time (fuzz/run_cpu.sh), PARALLEL at a time; fails if any found
# something.
fuzz_long() {
  build_fuzz
  log "fuzzing every target for ${1}s of CPU time, ${2} at a time"
  local targets
  targets=$(sed -n 's/^ *writ_fuzz_target(\([a-z_]*\).*/\1/p' "$root/fuzz/CMakeLists.txt")
  printf '%s\n' $targets | xargs -P "$2" -I{} bash "$root/fuzz/run_cpu.sh" "$build-fuzz" {} "$1"
}

# discard DIR: with WRIT_DISCARD_BUILDS=1 (CI: .ci/run), removes a build
# whose tests have passed, so that CI's disk holds one extra build at a time.
discard() {
  [ "${WRIT_DISCARD_BUILDS:-0}" = 1 ] || return 0
  log "removing $1 (WRIT_DISCARD_BUILDS=1)"
  rm -rf "$1"
}

run_tests() {
  install_differential
  build_main
  if [ "${WRIT_SKIP_SANITIZERS:-0}" != 1 ]; then
    # Sanitizers, for the suites they matter for: every suite under ASan+UBSan
    # (hostile input), the concurrency tests under TSan.
    local asan="$build-asan" tsan="$build-tsan"
    # Both link the stage libraries shared (WRIT_SHARED_STAGES): each test
    # binary would otherwise carry its own instrumented copy of the library.
    configure_and_build "$tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWRIT_SANITIZE=thread -DWRIT_SHARED_STAGES=ON \
        -DWRIT_BUILD_TOOLS=OFF \
        -- eval_test engine_test grants_test capi_test serve_test serve_reload_test serve_bundle_source_test
    log "tests (TSan)"
    # The tests that run threads: concurrent deciders, grants and reloads, the
    # server's deciding pool, the bundle fetcher and its polling thread.
    ctest --test-dir "$tsan" --output-on-failure -j "$jobs" -R 'Concurrent|DoesNotStall|FetchTest|BundleSourceTest'
    discard "$tsan"
    # ASan+UBSan is built with Clang (Debian's clang-14), warnings as errors:
    # it is also what the other compiler says about the code, and every
    # suite on its code generation (the plain build is GCC's). One build for
    # both: a separate Clang Release build was 8 of CI's minutes.
    configure_and_build "$asan" -DCMAKE_BUILD_TYPE=Debug -DWRIT_SANITIZE=address -DWRIT_SHARED_STAGES=ON \
        -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14
    log "tests (ASan+UBSan, Clang)"
    # The install test checks the installed (static) package: the plain
    # build's. The differential tests against Cedar (node driving the CLI
    # hundreds of times: 5.5 minutes here) are the plain build's too; the
    # code they drive is fuzzed under ASan+UBSan below.
    ctest --test-dir "$asan" --output-on-failure -j "$jobs" -LE 'install|differential'
    discard "$asan"
    # Every fuzz target briefly, over its seeds (and the inputs that once
    # crashed it); `scripts/dev.sh fuzz` runs them long.
    build_fuzz "${WRIT_CI_FUZZ_SECONDS:-10}"
    log "fuzzing every target for ${WRIT_CI_FUZZ_SECONDS:-10}s"
    ctest --test-dir "$build-fuzz" -L fuzz --output-on-failure -j "$jobs"
    discard "$build-fuzz"
  fi
  # The plain build's full run last, so that its summary closes the output.
  log "tests (plain build)"
  ctest --test-dir "$build" --output-on-failure -j "$jobs"
}

case "${1:-}" in
  demo) demo ;;
  test) run_tests ;;
  build) build_main ;;
  fuzz) fuzz_long "${2:-600}" "${3:-1}" ;;
  soak) build_main; bash "$root/tests/serve/soak.sh" "$build/tools/writ/writ" "${2:-1000}" ;;
  *) sed -n '2,/^set -e/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
