package main

// The stage kinds runpipe knows are those registered, in their packages'
// init functions, by the packages imported here for their side effects
// (the database/sql driver pattern). The science kinds (task-trials,
// train-rate, export-mat, load-mat, lambda-search, lif-convert, evaluate,
// parquet, arrow, summary, plot) register from package stages:
//
//	import _ "github.com/spikernn/spikernn/stages"
//
// Without any, runpipe still builds and works: `runpipe stages` lists
// nothing and a file naming unknown kinds is a lint error.

import _ "github.com/spikernn/spikernn/stages"
