package main

// The stage kinds runpipe knows are those registered, in their packages'
// init functions, by the packages imported here for their side effects
// (the database/sql driver pattern), one package per group of kinds:
//
//	sources      task, task-trials, load-mat: where items enter
//	stages       train-rate, lambda-search, lif-convert, evaluate: what transforms them
//	sinks/kinds  export-mat, parquet, arrow, summary, plot: what writes them out
//
// Without any, runpipe still builds and works: `runpipe stages` lists
// nothing and a file naming unknown kinds is a lint error.

import (
	_ "github.com/spikernn/spikernn/sinks/kinds"
	_ "github.com/spikernn/spikernn/sources"
	_ "github.com/spikernn/spikernn/stages"
)
