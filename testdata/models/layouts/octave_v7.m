% octave_v7.m: the seed README's model file (seed_readme.mat, written by
% scipy), loaded and saved again by GNU Octave in MATLAB's v7 format, as a
% user of Octave would: save -v7 writes every variable compressed, with
% Octave's header, keeping each variable's class (single, int64, logical).
% Run by make_octave.sh from this directory.
data = load('seed_readme.mat');
save('-v7', 'octave_v7.mat', '-struct', 'data');
