package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/sweep"
)

func cmdLint(args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("lint", "[-f FILE]", "Checks every pipeline of the file against the registered kinds and prints\nevery problem as file:line:col: message. Exit code 2 when there are any.", stderr)
	var ff fileFlags
	ff.register(fset, false)
	pos, code := parseFlags(fset, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "runpipe lint: unexpected argument %q (use -f FILE)\n", pos[0])
		return exitUsage
	}
	cfg, code := parseFile(ff.file, stderr)
	if cfg == nil {
		return code
	}
	if err := pipeline.Default().Lint(cfg); err != nil {
		fmt.Fprintln(stderr, err)
		var ds pipeline.Diagnostics
		if errors.As(err, &ds) {
			fmt.Fprintf(stderr, "%d problem(s)\n", len(ds))
		}
		return exitUsage
	}
	stages := 0
	for _, p := range cfg.Pipelines {
		stages += len(p.Stages)
	}
	// A sweep's points are compiled too: a value an axis gives a param
	// may be one a stage refuses.
	var sweeps []string
	for _, p := range cfg.Pipelines {
		if !sweep.Has(cfg, p.Name) {
			continue
		}
		s, err := sweep.Load(pipeline.Default(), cfg, sweep.Options{CompileOptions: pipeline.CompileOptions{Pipeline: p.Name}})
		var ds pipeline.Diagnostics
		switch {
		case errors.As(err, &ds) && len(ds) == 1 && strings.Contains(ds[0].Msg, "--max-points"):
			sweeps = append(sweeps, fmt.Sprintf("  sweep %s: %s", p.Name, ds[0].Msg))
		case err != nil:
			fmt.Fprintln(stderr, err)
			if len(ds) > 0 {
				fmt.Fprintf(stderr, "%d problem(s)\n", len(ds))
			}
			return exitUsage
		default:
			var axes []string
			for _, ax := range s.Matrix.Axes {
				axes = append(axes, fmt.Sprintf("%s (%d)", ax.Name, len(ax.Values)))
			}
			sweeps = append(sweeps, fmt.Sprintf("  sweep %s: %d points over %s", p.Name, len(s.Points), strings.Join(axes, " × ")))
		}
	}
	fmt.Fprintf(stdout, "%s: ok (%d pipelines, %d stages)\n", ff.file, len(cfg.Pipelines), stages)
	for _, l := range sweeps {
		fmt.Fprintln(stdout, l)
	}
	return exitOK
}

func cmdStages(args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("stages", "[KIND…]", "Lists the registered stage kinds (or the named ones) under the headings of their\ngroups (sources, stages, sinks), with their ports (mode and item type) and\nsettings (type, default, limits, doc).", stderr)
	pos, code := parseFlags(fset, args, stdout)
	if code >= 0 {
		return code
	}
	env := pipeline.Default()
	kinds := env.Kinds()
	if len(pos) > 0 {
		kinds = pos
	}
	if len(kinds) == 0 {
		fmt.Fprintln(stdout, "no stage kinds are registered")
		return exitOK
	}
	byGroup := map[pipeline.Group][]*pipeline.Spec{}
	for _, k := range kinds {
		spec, err := env.Spec(k)
		if err != nil {
			fmt.Fprintf(stderr, "runpipe stages: %v\n", err)
			return exitUsage
		}
		byGroup[spec.Group] = append(byGroup[spec.Group], spec)
	}
	first := true
	for _, g := range pipeline.Groups() {
		if len(byGroup[g]) == 0 {
			continue
		}
		if !first {
			fmt.Fprintln(stdout)
		}
		first = false
		fmt.Fprintf(stdout, "# %s: %s\n", g, groupDocs[g])
		for _, spec := range byGroup[g] {
			fmt.Fprintln(stdout)
			env.WriteDoc(stdout, spec)
		}
	}
	if len(pos) == 0 {
		writeBlocks(stdout, env)
	}
	return exitOK
}

// writeBlocks lists the registered blocks: the fields of the file that
// packages other than the runner read.
func writeBlocks(w io.Writer, env *pipeline.Environment) {
	for _, level := range []pipeline.BlockLevel{pipeline.FileBlock, pipeline.PipelineBlock} {
		for _, b := range env.Blocks(level) {
			fmt.Fprintf(w, "\n# block %s: a field of the %s: %s\n", b.Name, level, b.Summary)
			if b.Doc != "" {
				fmt.Fprintf(w, "\n%s\n", indent(b.Doc, "    "))
			}
		}
	}
}

// indent prefixes every line of s.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// groupDocs say what the kinds of each group do, for the headings of
// `runpipe stages`.
var groupDocs = map[pipeline.Group]string{
	pipeline.SourceGroup: "kinds where items enter the pipeline",
	pipeline.StageGroup:  "kinds that transform items",
	pipeline.SinkGroup:   "kinds that write items out",
}

func cmdGraph(args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("graph", "[flags]", "Prints a pipeline's stages and connections as a Mermaid flowchart or a\nGraphviz DOT graph (value edges dotted or dashed).", stderr)
	var ff fileFlags
	ff.register(fset, true)
	format := fset.String("format", "mermaid", "output `format`: mermaid or dot")
	pos, code := parseFlags(fset, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "runpipe graph: unexpected argument %q (use --pipeline NAME)\n", pos[0])
		return exitUsage
	}
	if *format != "mermaid" && *format != "dot" {
		fmt.Fprintf(stderr, "runpipe graph: --format %q: want mermaid or dot\n", *format)
		return exitUsage
	}
	g, code := ff.load(stderr)
	if g == nil {
		return code
	}
	var err error
	if *format == "dot" {
		err = g.WriteDOT(stdout)
	} else {
		err = g.WriteMermaid(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "runpipe graph: %v\n", err)
		return exitFailed
	}
	return exitOK
}

func cmdWhy(args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("why", "[flags] STAGE…", "Says whether each named stage would run with the given selection, and why,\nwith its cache key and its last committed run.", stderr)
	var ff fileFlags
	ff.register(fset, true)
	var sf selFlags
	sf.register(fset)
	pos, code := parseFlags(fset, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) == 0 {
		fmt.Fprintln(stderr, "runpipe why: name a stage (runpipe why STAGE)")
		return exitUsage
	}
	g, code := ff.load(stderr)
	if g == nil {
		return code
	}
	plan, err := g.Plan(sf.selection())
	if err != nil {
		return planError(stderr, err)
	}
	for _, name := range pos {
		st := plan.Step(name)
		if st == nil {
			_, err := g.Plan(pipeline.Selection{Only: []string{name}}) // for the message with a suggestion
			if err == nil {
				err = fmt.Errorf("no stage %q", name)
			}
			msg := strings.TrimPrefix(err.Error(), "--only "+name+": ")
			fmt.Fprintf(stderr, "runpipe why: %s\n", msg)
			return exitUsage
		}
		fmt.Fprintf(stdout, "%s (%s): %s — %s\n", name, st.Node.Kind, st.Action, st.Reason)
		fmt.Fprintf(stdout, "  key %s\n", st.Node.Key)
		m, err := g.Manifest(name)
		switch {
		case err == nil:
			then := ""
			if m.Key != st.Node.Key {
				then = ", with key " + m.Key
			}
			fmt.Fprintf(stdout, "  last committed %s, took %s%s\n", m.End.Local().Format(time.DateTime), fmtSeconds(m.Seconds), then)
			if h := headlineText(m.Headline, ""); h != "" {
				fmt.Fprintf(stdout, "  headline %s\n", h)
			}
		case errors.Is(err, fs.ErrNotExist):
			fmt.Fprintf(stdout, "  never committed\n")
		default:
			fmt.Fprintf(stdout, "  manifest: %v\n", err)
		}
	}
	return exitOK
}
