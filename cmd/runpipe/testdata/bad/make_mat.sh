#!/bin/sh
# Makes the broken .mat files of the bad-input corpus from the repository's
# reference model (run from this directory): truncated.mat, its first
# 3000 bytes; garbage.mat, a MAT-5 header followed by random-looking bytes.
set -eu
ref=../../../../testdata/models/gonogo_ref1.mat
head -c 3000 "$ref" > truncated.mat
{ head -c 128 "$ref"; head -c 2000 "$ref" | tail -c 1800 | tr 'A-Za-z0-9' 'N-ZA-Mn-za-m5-90-4'; } > garbage.mat
