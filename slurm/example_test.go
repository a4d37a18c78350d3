package slurm_test

import (
	"fmt"

	"github.com/spikernn/spikernn/slurm"
)

// A sweep of 40 points in 8 array tasks of 2 cores each: task I runs the
// points of shard I/8, five of them, one after another; the aggregation
// job is submitted after it with --dependency=afterany:<array id>.
func ExampleJob_ShardsScript() {
	j := &slurm.Job{
		File:       "/shared/lab/pipelines.yaml",
		Pipeline:   "seeds",
		Executable: "/shared/lab/runs/seeds/slurm/bin/runpipe-0123456789ab",
		Dir:        slurm.DirFor("/shared/lab/runs/seeds"),
		Options:    slurm.Options{Partition: "short", Time: "2:00:00", CPUsPerTask: 2, Shards: 8},
	}
	s, err := j.ShardsScript()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(s)
	fmt.Println("logs:", j.ShardLog("812", 1), "…")
	// Output:
	// #!/bin/bash
	// # Written by runpipe submit: the sweep of pipeline seeds in 8 shards.
	// # Array task I runs the points of shard I/8 one after another; each point
	// # keeps its own lock and cache, so the tasks share the workspace and a
	// # resubmission runs only the points that have not finished.
	// #SBATCH --job-name=runpipe-seeds
	// #SBATCH --array=1-8
	// #SBATCH --output=/shared/lab/runs/seeds/slurm/logs/shard-%A_%a.out
	// #SBATCH --open-mode=append
	// #SBATCH --chdir=/shared/lab
	// #SBATCH --partition=short
	// #SBATCH --time=2:00:00
	// #SBATCH --cpus-per-task=2
	// set -eu
	// # Use the cores Slurm allocated, not every core of the node.
	// export GOMAXPROCS="${SLURM_CPUS_PER_TASK:-1}"
	// echo "runpipe: shard ${SLURM_ARRAY_TASK_ID}/8 of seeds on $(hostname) at $(date -u +%FT%TZ)"
	// exec /shared/lab/runs/seeds/slurm/bin/runpipe-0123456789ab run -f /shared/lab/pipelines.yaml --pipeline seeds --shard "${SLURM_ARRAY_TASK_ID}/8" --jobs "${GOMAXPROCS}" --no-aggregate --progress plain
	// logs: /shared/lab/runs/seeds/slurm/logs/shard-812_1.out …
}
