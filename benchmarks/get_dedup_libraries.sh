#!/usr/bin/env bash
# The five labelled search libraries of bib-dedupe's evaluation, for `make bench`.
# They were removed from bib-dedupe's tree in commit e3f876d ("extract evaluation and datasets"),
# so they are read from its parent.  Usage:
#   benchmarks/get_dedup_libraries.sh [PATH-TO-A-BIB-DEDUPE-GIT-CLONE]
# Without a path the repository is cloned (needs access to GitHub).  The files go to
# ${XDG_CACHE_HOME:-~/.cache}/qes-pipeline/dedup-libraries, outside this repository.
set -euo pipefail
repo="${1:-}"
if [ -z "$repo" ]; then
  repo="$(mktemp -d)/bib-dedupe"
  git clone --quiet --filter=blob:none https://github.com/CoLRev-Environment/bib-dedupe "$repo"
fi
out="${XDG_CACHE_HOME:-$HOME/.cache}/qes-pipeline/dedup-libraries"
for name in haematology stroke cytology_screening respiratory digital_work; do
  mkdir -p "$out/$name"
  for file in records_pre_merged.csv merged_record_ids.csv; do
    git -C "$repo" show "e3f876d^:data/$name/$file" > "$out/$name/$file"
  done
done
# ASySD's labelled test set (camaradesuk/ASySD, GPL-3.0), for benchmarks/bench_dedup_asysd.py.
# Usage with a clone: ASYSD_REPO=PATH benchmarks/get_dedup_libraries.sh [...]
asysd="${ASYSD_REPO:-}"
if [ -z "$asysd" ]; then
  asysd="$(mktemp -d)/ASySD"
  git clone --quiet --filter=blob:none https://github.com/camaradesuk/ASySD "$asysd"
fi
mkdir -p "$out/asysd"
git -C "$asysd" show "df54be9d7850df603d34a406e42590b682687c02:tests/testthat/labelled_test_set.csv" > "$out/asysd/labelled_test_set.csv"
echo "labelled libraries in $out"
