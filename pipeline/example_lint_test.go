package pipeline_test

import (
	"fmt"
	"os"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
)

// ExampleEnvironment_Lint shows lint's positioned messages.
func ExampleEnvironment_Lint() {
	env := pipeline.NewEnvironment()
	pipelinetest.Register(env)
	cfg, err := pipeline.Parse("pipelines.yaml", []byte(`version: 1
pipelines:
  demo:
    params: {n: 5}
    stages:
      gen:   {kind: test-gen, with: {n: ${m}}}
      scale: {kind: test-scale, in: {in: gen.out}, with: {bi: 2}}
      sum:   {kind: test-sum, in: {in: scale.outt}}
      words: {kind: test-wrods}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(env.Lint(cfg))
	// Output:
	// pipelines.yaml:6:41: unknown param ${m} (params: n)
	// pipelines.yaml:7:59: unknown setting "bi" for kind test-scale (did you mean "by"?) (settings: by)
	// pipelines.yaml:8:40: input in: stage scale (test-scale) has no output "outt" (did you mean "out"?) (outputs: out)
	// pipelines.yaml:9:21: unknown kind "test-wrods" (did you mean "test-words"?) (kinds: test-add, test-block, test-const, test-factors, test-fail, test-gen, test-relay, test-scale, test-sum, test-typed, test-words, test-write)
}

// ExampleGraph_WriteMermaid prints a pipeline as a Mermaid flowchart.
func ExampleGraph_WriteMermaid() {
	env := pipeline.NewEnvironment()
	pipelinetest.Register(env)
	cfg, _ := pipeline.Parse("pipelines.yaml", []byte(`version: 1
pipelines:
  demo:
    stages:
      gen:   {kind: test-gen}
      c:     {kind: test-const, with: {value: 3}}
      scale: {kind: test-scale, in: {in: gen.out, factor: c.value}}
`))
	g, err := env.Compile(cfg, pipeline.CompileOptions{Workspace: os.TempDir()})
	if err != nil {
		fmt.Println(err)
		return
	}
	g.WriteMermaid(os.Stdout)
	// Output:
	// flowchart LR
	//   s_gen["gen<br/><i>test-gen</i>"]
	//   s_c["c<br/><i>test-const</i>"]
	//   s_scale["scale<br/><i>test-scale</i>"]
	//   s_gen -->|"out → in: int"| s_scale
	//   s_c -.->|"value → factor: float64"| s_scale
}
