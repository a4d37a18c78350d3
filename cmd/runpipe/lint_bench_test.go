package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
)

// worstLintInputs are the pipeline files of at most pipeline.MaxFileSize
// bytes that cost `runpipe lint` the most, each just inside the reader's
// bounds (tokens, nesting, aliases) where a bound applies, so that lint
// parses, decodes and checks the whole file. Issue 15 asks for an answer in
// under a second on any of them.
func worstLintInputs() map[string]string {
	const head = "version: 1\npipelines:\n  p:\n"
	fill := func(b *strings.Builder, limit int, line func(i int) string) {
		for i := 0; ; i++ {
			l := line(i)
			if b.Len()+len(l) > limit {
				return
			}
			b.WriteString(l)
		}
	}
	in := map[string]string{}

	// A flow list of numbers as one setting, as long as the token bound
	// allows (two tokens an item).
	var b strings.Builder
	b.WriteString(head + "    stages:\n      t: {kind: task, with: {task: go-nogo}}\n      m: {kind: load-mat, with: {path: m.mat}}\n")
	b.WriteString("      l: {kind: lambda-search, in: {model: m.model, task: t.task}, with: {factors: [")
	for i := 1; i < pipeline.MaxTokens/2-200; i++ {
		fmt.Fprintf(&b, "%d,", i)
	}
	b.WriteString("0.5]}}\n")
	in["flow-list"] = b.String()

	// The same list, past the token bound: refused before parsing.
	in["nested-dashes-1MiB"] = strings.Repeat("- ", pipeline.MaxFileSize/2-1) + "x"
	in["flow-list-1MiB"] = "version: 1\na: [" + strings.Repeat("1,", pipeline.MaxFileSize/2-20) + "1]\n"

	// A block sequence of 1 MiB: past the token bound, which only the
	// tokenizer finds.
	b.Reset()
	b.WriteString("version: 1\nx:\n")
	fill(&b, pipeline.MaxFileSize, func(int) string { return "  - 1\n" })
	in["block-list-1MiB"] = b.String()

	// A chain of stages, each reading the model of the one before and
	// writing its own file, as many as the token bound allows.
	b.Reset()
	b.WriteString(head + "    stages:\n      s0: {kind: load-mat, with: {path: m.mat}}\n")
	for i := 1; ; i++ {
		l := fmt.Sprintf("      s%d: {kind: export-mat, in: {model: s%d.model}, with: {path: m%d.mat}}\n", i, i-1, i)
		if 23*(i+1) > pipeline.MaxTokens {
			break
		}
		b.WriteString(l)
	}
	in["chain"] = b.String()

	// Many stages reading one: the task feeding parquet-free consumers.
	b.Reset()
	b.WriteString(head + "    stages:\n      t: {kind: task, with: {task: go-nogo}}\n      m: {kind: load-mat, with: {path: m.mat}}\n")
	for i := 0; 40*(i+1) < pipeline.MaxTokens; i++ {
		fmt.Fprintf(&b, "      l%d: {kind: lambda-search, in: {model: m.model, task: t.task}, with: {table: l%d.parquet, model_file: l%d.mat}}\n", i, i, i)
	}
	in["fan-out"] = b.String()

	// Many params, each used once, as many keys as the token bound allows.
	b.Reset()
	b.WriteString(head + "    params: {")
	const nParams = pipeline.MaxTokens/4 - 100
	for i := 0; i < nParams; i++ {
		fmt.Fprintf(&b, "p%d: %d, ", i, i)
	}
	b.WriteString("seed: 1}\n    stages:\n      t: {kind: task-trials, with: {task: go-nogo, seed: ${seed}, count: 10}}\n")
	in["many-keys"] = b.String()

	// One long string made of substitutions (${N} 200,000 times): a
	// single token that expands to a megabyte.
	b.Reset()
	b.WriteString(head + "    params: {N: 12345}\n    description: \"")
	fill(&b, pipeline.MaxFileSize-200, func(int) string { return "${N}" })
	b.WriteString("\"\n    stages:\n      t: {kind: task, with: {task: go-nogo}}\n")
	in["long-substitution"] = b.String()

	// One long plain string, and a setting with a long unknown name.
	b.Reset()
	b.WriteString(head + "    description: \"")
	fill(&b, pipeline.MaxFileSize/2, func(int) string { return "abcdefgh" })
	b.WriteString("\"\n    stages:\n      t: {kind: task, with: {task: go-nogo, ")
	fill(&b, pipeline.MaxFileSize-200, func(int) string { return "t" })
	b.WriteString(": 1}}\n")
	in["long-strings"] = b.String()

	// Nesting at the depth bound, repeated.
	deep := strings.Repeat("[", pipeline.MaxNesting-4) + "1" + strings.Repeat("]", pipeline.MaxNesting-4)
	b.Reset()
	b.WriteString("version: 1\nx: [")
	for i := 0; b.Len() < pipeline.MaxFileSize-2*len(deep) && (i+1)*(2*pipeline.MaxNesting-6) < pipeline.MaxTokens-1000; i++ {
		b.WriteString(deep + ", ")
	}
	b.WriteString("1]\n")
	in["deep"] = b.String()

	// Aliases within their bounds: pipelines that reuse one set of stages,
	// as pipelines.yaml does, until the expansion bound.
	b.Reset()
	b.WriteString("version: 1\npipelines:\n  p0:\n    stages: &s\n      t: {kind: task, with: {task: go-nogo}}\n      m: {kind: load-mat, with: {path: m.mat}}\n      l: {kind: lambda-search, in: {model: m.model, task: t.task}}\n")
	for i := 1; 30*(i+1) < pipeline.MaxAliasExpansion; i++ {
		fmt.Fprintf(&b, "  p%d: {stages: *s}\n", i)
	}
	in["aliases"] = b.String()

	// Aliases of a scalar, as many as allowed, in a param.
	b.Reset()
	b.WriteString(head + "    params: {f: &f 20, fs: [")
	b.WriteString(strings.Repeat("*f, ", pipeline.MaxAliases-1))
	b.WriteString("*f]}\n    stages:\n      t: {kind: task, with: {task: go-nogo}}\n")
	in["scalar-aliases"] = b.String()
	return in
}

// BenchmarkLintWorst measures `runpipe lint` (in process, under runpipe's
// memory limit) on each of worstLintInputs.
func BenchmarkLintWorst(b *testing.B) {
	inputs := worstLintInputs()
	dir := b.TempDir()
	for _, name := range slices.Sorted(maps.Keys(inputs)) {
		src := inputs[name]
		if len(src) > pipeline.MaxFileSize {
			b.Fatalf("%s: %d bytes, more than the %d a file may hold", name, len(src), pipeline.MaxFileSize)
		}
		path := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if code, _, errOut := runpipe("lint", "-f", path); code != exitOK && code != exitUsage {
					b.Fatalf("exit code %d: %s", code, errOut)
				}
			}
		})
	}
}
