#!/bin/sh
# Makes octave_v7.mat from seed_readme.mat with GNU Octave (Debian: apt-get
# install octave; made with Octave 7.3.0); the file is committed so that CI
# needs no Octave. Octave 7.3 may print "error: ignoring const
# execution_exception& while preparing to exit" after --eval: the file is
# written and the exit status is 0.
set -e
cd "$(dirname "$0")"
octave-cli --no-gui --quiet --eval 'octave_v7'
