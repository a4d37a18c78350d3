package pipeline_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
)

// TestGroup checks that a kind must name its group and that its doc shows
// it.
func TestGroup(t *testing.T) {
	for _, g := range []pipeline.Group{0, pipeline.SinkGroup + 1} {
		func() {
			defer func() {
				if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), `kind "x": Group`) {
					t.Errorf("group %v: panic %v, want one about the kind's Group", g, p)
				}
			}()
			pipeline.RegisterIn(pipeline.NewEnvironment(), pipeline.Spec{Name: "x", Group: g, Summary: "x"},
				func(struct{}) (pipeline.Stage, error) { return nil, nil })
		}()
	}
	env := pipeline.NewEnvironment()
	want := map[pipeline.Group]string{pipeline.SourceGroup: "sources", pipeline.StageGroup: "stages", pipeline.SinkGroup: "sinks"}
	for i, g := range pipeline.Groups() {
		if g.String() != want[g] {
			t.Errorf("group %d: %q, want %q", i, g, want[g])
		}
		name := fmt.Sprintf("kind-%d", i)
		pipeline.RegisterIn(env, pipeline.Spec{Name: name, Group: g, Summary: "x"},
			func(struct{}) (pipeline.Stage, error) { return nil, nil })
		spec, err := env.Spec(name)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := env.WriteDoc(&b, spec); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "\n  group: "+want[g]+"\n") {
			t.Errorf("doc of a kind of group %s:\n%s", want[g], b.String())
		}
	}
	if len(pipeline.Groups()) != len(want) {
		t.Errorf("Groups() = %v", pipeline.Groups())
	}
}
