package slurm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spikernn/spikernn/pipeline"
)

// A Submission is what Submit submitted.
type Submission struct {
	// ArrayID is the job id of the job array, AggregateID that of the
	// aggregation job; for a Single job, JobID is its id and the others
	// are empty.
	ArrayID, AggregateID, JobID string
	// ShardsScript and AggregateScript are the scripts' paths; RunScript
	// that of a Single job.
	ShardsScript, AggregateScript, RunScript string
}

// Sbatch is the sbatch command Submit runs: "sbatch" (found in PATH)
// unless changed.
var Sbatch = "sbatch"

// Submit writes the job's two scripts into j.Dir (creating it and its logs
// directory) and submits them with sbatch --parsable: the job array, then
// the aggregation job with --dependency=afterany on it. When the second
// submission fails, the array stays submitted and its id is returned with
// the error. A Single job is one submission of RunScript.
func Submit(ctx context.Context, j *Job) (*Submission, error) {
	if j.Single {
		return submitSingle(ctx, j)
	}
	shards, err := j.ShardsScript()
	if err != nil {
		return nil, err
	}
	agg, err := j.AggregateScript()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(j.Dir, LogsDir), 0o755); err != nil {
		return nil, fmt.Errorf("slurm: %w", err)
	}
	s := &Submission{ShardsScript: filepath.Join(j.Dir, ShardsScript), AggregateScript: filepath.Join(j.Dir, AggregateScript)}
	if err := pipeline.WriteFileAtomic(s.ShardsScript, []byte(shards), 0o755); err != nil {
		return nil, err
	}
	if err := pipeline.WriteFileAtomic(s.AggregateScript, []byte(agg), 0o755); err != nil {
		return nil, err
	}
	if s.ArrayID, err = sbatch(ctx, s.ShardsScript); err != nil {
		return nil, err
	}
	if s.AggregateID, err = sbatch(ctx, "--dependency=afterany:"+s.ArrayID, s.AggregateScript); err != nil {
		return s, fmt.Errorf("%w (the job array %s is submitted; cancel it with scancel %s, or run runpipe aggregate when it has ended)", err, s.ArrayID, s.ArrayID)
	}
	return s, nil
}

func submitSingle(ctx context.Context, j *Job) (*Submission, error) {
	script, err := j.RunScript()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(j.Dir, LogsDir), 0o755); err != nil {
		return nil, fmt.Errorf("slurm: %w", err)
	}
	s := &Submission{RunScript: filepath.Join(j.Dir, RunScript)}
	if err := pipeline.WriteFileAtomic(s.RunScript, []byte(script), 0o755); err != nil {
		return nil, err
	}
	if s.JobID, err = sbatch(ctx, s.RunScript); err != nil {
		return nil, err
	}
	return s, nil
}

// sbatch runs sbatch --parsable with args and returns the job id it
// prints ("id" or "id;cluster").
func sbatch(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, Sbatch, append([]string{"--parsable"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("slurm: %s not found: submit on a machine with Slurm's commands (the cluster's login node)", Sbatch)
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("slurm: sbatch %s: %s", strings.Join(args, " "), msg)
	}
	id, err := ParseJobID(stdout.String())
	if err != nil {
		return "", fmt.Errorf("slurm: sbatch %s: %w", strings.Join(args, " "), err)
	}
	return id, nil
}

// ParseJobID reads the output of sbatch --parsable: the job id, followed
// by ";cluster" on a multi-cluster site, on the last non-empty line
// (warnings may come before it).
func ParseJobID(out string) (string, error) {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	id, _, _ := strings.Cut(last, ";")
	if id == "" || strings.Trim(id, "0123456789") != "" {
		return "", fmt.Errorf("no job id in sbatch's output %q", strings.TrimSpace(out))
	}
	return id, nil
}
