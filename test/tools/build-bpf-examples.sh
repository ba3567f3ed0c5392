#!/bin/sh
# Rebuilds the example eBPF objects under test/fixtures/bpf/ from their C sources with
# `clang -O2 -g -target bpf`. The objects are committed so tests run without clang; run this
# after editing a source and commit the changed .o files. Needs clang with the bpf target and
# the kernel UAPI headers (linux/bpf.h, from linux-libc-dev). Sources are compiled by relative
# name with the directory mapped to "." so no machine path ends up in the debug info.
set -eu
dir="$(cd "$(dirname "$0")/../fixtures/bpf" && pwd)"
arch_inc="/usr/include/$(uname -m)-linux-gnu"
cd "$dir"
# hostile/: objects the loader, the verifier or the CLI must refuse with one clear line.
for src in *.c hostile/*.c; do
  obj="${src%.c}.o"
  clang -O2 -g -target bpf -I"$arch_inc" -fdebug-prefix-map="$dir"=. -c "$src" -o "$obj"
  echo "built $obj"
done
