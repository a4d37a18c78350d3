// Package slurm runs a pipeline's sweep on a Slurm cluster: it writes an
// sbatch script for a job array whose task I of N runs
//
//	runpipe run --pipeline P --shard I/N --no-aggregate
//
// on a workspace every node shares, and a second script for an aggregation
// job that starts when every array task has ended, whatever their exit
// status (--dependency=afterany), and runs
//
//	runpipe aggregate --pipeline P
//
// which writes the sweep's tables and report from the points that
// finished and names the ones that failed. It then submits both with
// sbatch --parsable and returns the job ids ([Submit]); `runpipe submit
// --executor slurm` is the command built on it. A pipeline that is not a
// sweep is one job running `runpipe run` ([Job.Single]).
//
// One array task runs many points (shard I holds the points whose index in
// name order is I-1 modulo N), so a sweep of hundreds of networks is a few
// dozen jobs, not hundreds. Shards are independent: each point has its own
// lock and cache in the workspace, a task that is killed (preempted, over
// its time limit) leaves nothing a rerun trusts, and submitting again runs
// only the points that have not finished.
//
// So that every node runs the same build, the running runpipe binary
// (os.Executable) is copied into the workspace under a name holding its
// content hash ([InstallExecutable]) and the scripts run that copy.
//
// The Slurm settings ([Options]) come from the command line, from a
// pipeline's `slurm:` block in pipelines.yaml, or from a `slurm:` block at
// the top of the file, in that order of precedence:
//
//	slurm: {account: lab42}           # every pipeline of the file
//	pipelines:
//	  sweep-n:
//	    slurm:
//	      partition: short
//	      time: "2:00:00"             # per array task
//	      cpus_per_task: 2
//	      mem: 4G
//	      shards: 8
//
// The package registers both blocks with [pipeline.RegisterBlock], so that
// lint checks them and reports problems as file:line:col.
//
// What the workspace's filesystem must offer (NFS, Lustre, GPFS, BeeGFS):
// POSIX advisory locks (flock or fcntl, which NFSv4 and Lustre's flock
// mount option provide), rename within a directory that is atomic, and the
// same path on the login node and every compute node.
package slurm
