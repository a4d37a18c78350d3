package sweep

import (
	"strings"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
	_ "github.com/spikernn/spikernn/sources"
)

const head = `version: 1
pipelines:
  p:
    params: {task: go-nogo, seed: 1, N: 200, taus: [4, 20], seeds: 3}
    stages:
      task: {kind: task, with: {task: ${task}}}
`

func load(t *testing.T, block string, max int) (*Sweep, error) {
	t.Helper()
	c, err := pipeline.Parse(t.TempDir()+"/pipelines.yaml", []byte(head+block))
	if err != nil {
		return nil, err
	}
	return Load(pipeline.Default(), c, Options{CompileOptions: pipeline.CompileOptions{Pipeline: "p", Workspace: t.TempDir()}, MaxPoints: max})
}

func TestMatrixPoints(t *testing.T) {
	s, err := load(t, `    sweep:
      axes:
        N: [10, 50]
        seed: {from: 1, to: ${seeds}}
        taus: [[4, 10], [4, 20]]
      exclude: [{N: 50, seed: 2}]
      include: [{N: 10, task: xor}, {N: 7, seed: 9}]
`, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range s.Points {
		names = append(names, p.Name)
	}
	want := "N=10,seed=1,taus=4_10 N=10,seed=1,taus=4_20 N=10,seed=2,taus=4_10 N=10,seed=2,taus=4_20 N=10,seed=3,taus=4_10 N=10,seed=3,taus=4_20 " +
		"N=50,seed=1,taus=4_10 N=50,seed=1,taus=4_20 N=50,seed=3,taus=4_10 N=50,seed=3,taus=4_20 N=7,seed=9"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("points\n got %s\nwant %s", got, want)
	}
	if s.Points[0].Graph.Params["task"] != "xor" || s.Points[6].Graph.Params["task"] != "go-nogo" {
		t.Errorf("include did not set task on the N=10 points only")
	}
	if sh := s.Shard(2, 3); len(sh) != 4 || sh[0].Name != names[1] {
		t.Errorf("shard 2/3: %d points", len(sh))
	}
}

func TestMatrixErrors(t *testing.T) {
	for _, c := range []struct{ block, want string }{
		{"    sweep: {axes: {M: [1]}}\n", `axis "M" names no param of pipeline p`},
		{"    sweep: {axes: {N: []}}\n", "empty list of values"},
		{"    sweep: {axes: {N: [1, 1]}}\n", "listed twice"},
		{"    sweep: {axes: {task: [../x]}}\n", "cannot name a point"},
		{"    sweep: {axes: {seed: {from: 1, to: 1000000}, N: [1, 2]}}\n", "the axes make 2000000 points, above the limit of 1000"},
		{"    sweep: {axes: {seed: {from: 3, to: 1}}}\n", "empty range"},
		{"    sweep: {axis: {seed: [1]}}\n", `unknown field "axis"`},
		{"    sweep: {axes: {seed: [1, 2]}, exclude: [{seed: 5}]}\n", "matches no point"},
	} {
		_, err := load(t, c.block, 0)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "pipelines.yaml:7:") {
			t.Errorf("%s: got %v, want %q at line 7", strings.TrimSpace(c.block), err, c.want)
		}
	}
}
