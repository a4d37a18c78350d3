package slurm_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spikernn/spikernn/slurm"
)

// requireSlurm skips the test when no Slurm answers here, unless
// SPIKERNN_REQUIRE_SLURM=1 (CI, after .ci/slurm/start), which makes it a
// failure.
func requireSlurm(t *testing.T) {
	t.Helper()
	fail := t.Skipf
	if os.Getenv("SPIKERNN_REQUIRE_SLURM") == "1" {
		fail = t.Fatalf
	}
	if _, err := exec.LookPath("sbatch"); err != nil {
		fail("no sbatch in PATH (install slurm-wlm and run .ci/slurm/start as root)")
		return
	}
	if out, err := exec.Command("sinfo", "-h", "-o", "%T").CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) == 0 {
		fail("no Slurm node answers (sinfo: %v %s); start one with .ci/slurm/start", err, bytes.TrimSpace(out))
	}
}

// TestSlurmScriptsRun submits the two scripts to a real Slurm with a
// stand-in for runpipe that records how it was called, and checks that
// every array task ran its shard in the file's directory with GOMAXPROCS
// set, and that the aggregation job ran after all of them, also after one
// that failed (afterany).
func TestSlurmScriptsRun(t *testing.T) {
	requireSlurm(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "pipelines.yaml")
	if err := os.WriteFile(file, []byte("version: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	calls := filepath.Join(dir, "calls")
	fake := filepath.Join(dir, "runpipe")
	// Each call appends one line: its start and end times (ns), pwd,
	// GOMAXPROCS, args.
	// Shard 2 exits 1, as a shard with a failed point does.
	script := "#!/bin/sh\ns=$(date +%s%N)\nsleep 1\necho \"$s $(date +%s%N) $(pwd) $GOMAXPROCS $*\" >> " + calls + "\n" +
		"case \"$*\" in *\"--shard 2/3 \"*) exit 1;; esac\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ws := filepath.Join(dir, "runs", "grid")
	bin, err := slurm.InstallExecutable(fake, ws)
	if err != nil {
		t.Fatal(err)
	}
	j := &slurm.Job{File: file, Pipeline: "grid", Set: []string{"factors=[20, 40]"}, Executable: bin,
		Dir: slurm.DirFor(ws), Options: slurm.Options{Shards: 3, Time: "5"}}
	start := time.Now()
	s, err := slurm.Submit(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		out, err := exec.Command("squeue", "-h", "-j", s.ArrayID+","+s.AggregateID).CombinedOutput()
		if err == nil && len(bytes.TrimSpace(out)) == 0 {
			break
		}
		if time.Now().After(deadline) {
			exec.Command("scancel", s.ArrayID, s.AggregateID).Run()
			t.Fatalf("jobs still queued after 3 min:\n%s", out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("3 array tasks and the aggregation job (each sleeping 1 s) took %.1fs through Slurm", time.Since(start).Seconds())

	data, err := os.ReadFile(calls)
	if err != nil {
		t.Fatalf("the stand-in never ran: %v (logs in %s)", err, filepath.Join(j.Dir, "logs"))
	}
	var shards []string
	var lastShard, aggregate string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.SplitN(line, " ", 5)
		if len(f) != 5 {
			t.Fatalf("call %q", line)
		}
		if f[2] != dir || f[3] != "1" {
			t.Errorf("ran in %s with GOMAXPROCS=%s, want %s and 1", f[2], f[3], dir)
		}
		switch {
		case strings.HasPrefix(f[4], "run "):
			shards = append(shards, f[4])
			lastShard = max(lastShard, f[1])
		case strings.HasPrefix(f[4], "aggregate "):
			if aggregate != "" {
				t.Errorf("aggregated twice")
			}
			aggregate = f[0]
			if want := "aggregate -f " + file + " --pipeline grid --set factors=[20, 40]"; f[4] != want {
				t.Errorf("aggregation call %q, want %q", f[4], want)
			}
		}
	}
	sort.Strings(shards)
	var want []string
	for i := 1; i <= 3; i++ {
		want = append(want, "run -f "+file+" --pipeline grid --set factors=[20, 40] --shard "+string(rune('0'+i))+"/3 --jobs 1 --no-aggregate --progress plain")
	}
	if strings.Join(shards, "\n") != strings.Join(want, "\n") {
		t.Errorf("array tasks ran:\n%s\nwant:\n%s", strings.Join(shards, "\n"), strings.Join(want, "\n"))
	}
	if aggregate == "" || len(aggregate) != len(lastShard) || aggregate < lastShard {
		t.Errorf("aggregation started at %q, the last shard ended at %q: want it after", aggregate, lastShard)
	}
	for i := 1; i <= 3; i++ {
		if _, err := os.Stat(j.ShardLog(s.ArrayID, i)); err != nil {
			t.Errorf("log of task %d: %v", i, err)
		}
	}
	if _, err := os.Stat(j.AggregateLog(s.AggregateID)); err != nil {
		t.Errorf("log of the aggregation: %v", err)
	}
	states := map[string]string{}
	for _, id := range []string{s.ArrayID, s.AggregateID} {
		out, err := exec.Command("scontrol", "-o", "show", "job", id).CombinedOutput()
		if err != nil {
			t.Fatalf("scontrol show job %s: %v\n%s", id, err, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := map[string]string{}
			for _, kv := range strings.Fields(line) {
				k, v, _ := strings.Cut(kv, "=")
				f[k] = v
			}
			states[f["ArrayTaskId"]] = f["JobState"]
		}
	}
	if want := map[string]string{"1": "COMPLETED", "2": "FAILED", "3": "COMPLETED", "": "COMPLETED"}; !reflect.DeepEqual(states, want) {
		t.Errorf("job states (by array task; \"\" the aggregation) %v, want %v", states, want)
	}
}
