package slurm_test

import (
	"strings"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
	"github.com/spikernn/spikernn/slurm"
)

func init() { pipelinetest.Register(pipeline.Default()) }

// TestBlocks checks that lint reads the slurm blocks, at the top of the
// file and in a pipeline, and reports each problem at its position; and
// that ForPipeline puts a pipeline's settings over the file's.
func TestBlocks(t *testing.T) {
	src := `version: 1
slurm: {account: lab42, partition: long, time: 60}
pipelines:
  a:
    slurm:
      partition: short
      time: "2:00:00"
      cpus_per_task: 2
      mem: 4G
      shards: 8
    stages:
      w: {kind: test-words}
  b:
    slurm: {shards: 0, mem: 4.5, time: 2h, partitoin: x, cpus_per_task: two, account: "${acct}"}
    stages:
      w: {kind: test-words}
  c:
    stages:
      w: {kind: test-words}
`
	cfg, err := pipeline.Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	err = pipeline.Default().Lint(cfg)
	want := []string{
		`p.yaml:14:21: slurm: shards: want a whole number from 1, got int 0`,
		`p.yaml:14:29: slurm: mem: want a string, got float 4.5`,
		`p.yaml:14:40: slurm: time "2h": want minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS`,
		`p.yaml:14:44: slurm: unknown field "partitoin" (fields: partition, time, cpus_per_task, mem, account, shards)`,
		`p.yaml:14:73: slurm: cpus_per_task: want a whole number from 1, got string "two"`,
		`p.yaml:14:87: slurm: account: params (${...}) are not substituted in the slurm block`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("lint:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}

	got, err := slurm.ForPipeline(cfg, "a")
	if err != nil {
		t.Fatal(err)
	}
	wantA := slurm.Options{Partition: "short", Time: "2:00:00", CPUsPerTask: 2, Mem: "4G", Account: "lab42", Shards: 8}
	if got != wantA {
		t.Errorf("ForPipeline(a) = %+v, want %+v", got, wantA)
	}
	got, err = slurm.ForPipeline(cfg, "c")
	if err != nil {
		t.Fatal(err)
	}
	if wantC := (slurm.Options{Partition: "long", Time: "60", Account: "lab42"}); got != wantC {
		t.Errorf("ForPipeline(c) = %+v, want %+v", got, wantC)
	}
	if _, err := slurm.ForPipeline(cfg, "b"); err == nil || !strings.Contains(err.Error(), "p.yaml:14:21: slurm: shards") {
		t.Errorf("ForPipeline(b): error %v", err)
	}
}

func TestBlockNotMapping(t *testing.T) {
	cfg, err := pipeline.Parse("p.yaml", []byte("version: 1\npipelines:\n  a:\n    slurm: [short]\n    stages:\n      w: {kind: test-words}\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = pipeline.Default().Lint(cfg)
	if want := "p.yaml:4:12: slurm: want a mapping of partition, time, cpus_per_task, mem, account, shards, got list [\"short\"]"; err == nil || err.Error() != want {
		t.Errorf("lint: %v\nwant: %s", err, want)
	}
}

func TestOptionsCheck(t *testing.T) {
	for _, o := range []slurm.Options{
		{}, {Time: "30"}, {Time: "30:00"}, {Time: "1:30:00"}, {Time: "2-0"}, {Time: "2-12:00"}, {Time: "2-12:00:00"},
		{Mem: "4096"}, {Mem: "16G"}, {Partition: "short,long"}, {Account: "lab-42.x"}, {CPUsPerTask: 4, Shards: 100},
	} {
		if err := o.Check(); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
	for _, o := range []slurm.Options{
		{Time: "1h"}, {Time: "1:2:3:4"}, {Time: ""}, {Mem: "4GB"}, {Mem: "0"}, {Mem: "-1G"}, {Partition: "a;b"},
		{Partition: "a b"}, {Account: "x\ny"}, {CPUsPerTask: -1}, {Shards: -2},
	} {
		if o == (slurm.Options{}) {
			continue
		}
		if err := o.Check(); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

func TestMerge(t *testing.T) {
	base := slurm.Options{Partition: "long", Time: "60", CPUsPerTask: 1, Mem: "1G", Account: "a", Shards: 4}
	if got := base.Merge(slurm.Options{}); got != base {
		t.Errorf("Merge(zero) = %+v", got)
	}
	over := slurm.Options{Partition: "short", Time: "5", CPUsPerTask: 2, Mem: "2G", Account: "b", Shards: 3}
	if got := base.Merge(over); got != over {
		t.Errorf("Merge(all) = %+v", got)
	}
	if got := base.Merge(slurm.Options{Shards: 9}); got.Shards != 9 || got.Partition != "long" {
		t.Errorf("Merge(shards) = %+v", got)
	}
}

func TestParseJobID(t *testing.T) {
	for out, want := range map[string]string{
		"812\n":                          "812",
		"812;cluster2\n":                 "812",
		"sbatch: warning: foo\n4711\n\n": "4711",
	} {
		if got, err := slurm.ParseJobID(out); err != nil || got != want {
			t.Errorf("ParseJobID(%q) = %q, %v; want %q", out, got, err, want)
		}
	}
	for _, out := range []string{"", "\n", "Submitted batch job 12\n", "12a"} {
		if got, err := slurm.ParseJobID(out); err == nil {
			t.Errorf("ParseJobID(%q) = %q, want an error", out, got)
		}
	}
}
