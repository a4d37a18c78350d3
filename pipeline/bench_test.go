package pipeline_test

import (
	"context"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
)

// BenchmarkUpToDate measures what a no-change rerun costs: parse, lint,
// compile (keys), lock and plan (reading every manifest).
func BenchmarkUpToDate(b *testing.B) {
	env := testEnv()
	path := pipelinetest.WriteFile(b, b.TempDir(), chainYAML)
	if _, _, err := pipelinetest.Run(context.Background(), env, path, pipeline.CompileOptions{}, pipeline.Selection{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		plan, _, err := pipelinetest.Run(context.Background(), env, path, pipeline.CompileOptions{}, pipeline.Selection{})
		if err != nil {
			b.Fatal(err)
		}
		if len(plan.Runs()) != 0 {
			b.Fatalf("ran %v", plan.Runs())
		}
	}
}

// BenchmarkStreamStages measures items/s through a running pipeline of
// three stages (gen → scale → sum), one item per send, commit included.
func BenchmarkStreamStages(b *testing.B) {
	env := testEnv()
	dir := b.TempDir()
	path := pipelinetest.WriteFile(b, dir, `
	version: 1
	pipelines:
	  p:
	    params: {n: 1}
	    stages:
	      gen:   {kind: test-gen, with: {n: ${n}}}
	      scale: {kind: test-scale, in: {in: gen.out}, buffer: {in: 64}}
	      sum:   {kind: test-sum, in: {in: scale.out}, buffer: {in: 64}}
	`)
	const n = 200000
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := pipelinetest.Run(context.Background(), env, path, pipeline.CompileOptions{Set: []string{"n=200000"}}, pipeline.Selection{Force: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
}
