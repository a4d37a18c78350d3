package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spikernn/spikernn/pipeline"
	_ "github.com/spikernn/spikernn/slurm" // the slurm: blocks of the file
)

// Exit codes.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// command is a subcommand: its name, one-line summary and entry point.
type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"run", "run a pipeline (only what changed)", cmdRun},
		{"submit", "submit a sweep's points to a cluster (Slurm)", cmdSubmit},
		{"status", "count a sweep's points done, running, failed and pending", cmdStatus},
		{"aggregate", "write a sweep's tables and figures from its finished points", cmdAggregate},
		{"lint", "check a pipeline file", cmdLint},
		{"stages", "list the stage kinds with their ports and settings", cmdStages},
		{"graph", "print a pipeline's graph as Mermaid or DOT", cmdGraph},
		{"why", "say whether a stage would run, and why", cmdWhy},
		{"help", "show help for a command", cmdHelp},
	}
}

// run is the whole program: it parses args, runs the subcommand and returns
// the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	fmt.Fprintf(stderr, "runpipe: unknown command %q (commands: %s); see runpipe help\n", args[0], strings.Join(names, ", "))
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "runpipe runs the pipelines declared in pipelines.yaml.\n\nUsage:\n  runpipe COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun runpipe help COMMAND (or runpipe COMMAND --help) for a command's flags.\n"+
		"Exit codes: 0 ok, 1 run failed, 2 usage or lint error, 130 interrupted.\n")
}

func cmdHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] && c.name != "help" {
			return c.run([]string{"--help"}, stdout, stderr)
		}
	}
	if args[0] == "help" {
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "runpipe help: unknown command %q\n", args[0])
	return exitUsage
}

// listFlag collects repeatable flag values; each value may itself be a
// comma-separated list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}

// setFlag collects --set name=value overrides (values may hold commas).
type setFlag []string

func (l *setFlag) String() string { return strings.Join(*l, " ") }

func (l *setFlag) Set(s string) error {
	if !strings.Contains(s, "=") {
		return fmt.Errorf("want name=value, got %q", s)
	}
	*l = append(*l, s)
	return nil
}

// newFlagSet makes a subcommand's flag set, with a usage text.
func newFlagSet(name, synopsis, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("runpipe "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: runpipe %s %s\n\n%s\n", name, synopsis, about)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintf(w, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses flags that may be interleaved with positional
// arguments and returns the positional ones. It returns an exit code < 0
// when parsing succeeded.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, int) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(stdout)
				fs.Usage()
				return nil, exitOK
			}
			return nil, exitUsage // the flag package printed the error
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, -1
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// fileFlags are the flags shared by the commands that read a file.
type fileFlags struct {
	file     string
	pipeline string
	sets     setFlag
}

func (f *fileFlags) register(fs *flag.FlagSet, withPipeline bool) {
	fs.StringVar(&f.file, "f", "pipelines.yaml", "the pipeline `file`")
	if withPipeline {
		fs.StringVar(&f.pipeline, "pipeline", "", "the pipeline to use (`name`; default: the file's default)")
		fs.Var(&f.sets, "set", "override a pipeline param (`name=value`; repeatable)")
	}
}

// load parses the file and compiles the selected pipeline, printing
// problems; it returns the graph or an exit code.
func (f *fileFlags) load(stderr io.Writer) (*pipeline.Graph, int) {
	cfg, code := parseFile(f.file, stderr)
	if cfg == nil {
		return nil, code
	}
	return f.compile(cfg, stderr)
}

// compile compiles the selected pipeline of cfg, printing problems; it
// returns the graph or an exit code.
func (f *fileFlags) compile(cfg *pipeline.Config, stderr io.Writer) (*pipeline.Graph, int) {
	g, err := pipeline.Default().Compile(cfg, pipeline.CompileOptions{Pipeline: f.pipeline, Set: f.sets})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, exitUsage
	}
	return g, -1
}

func parseFile(path string, stderr io.Writer) (*pipeline.Config, int) {
	var cfg *pipeline.Config
	var err error
	withoutMemoryLimit(func() { cfg, err = pipeline.ParseFile(path) })
	if err != nil {
		var ds pipeline.Diagnostics
		if errors.As(err, &ds) {
			fmt.Fprintln(stderr, ds)
		} else if errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(stderr, "runpipe: %s: no such file (run in the directory of pipelines.yaml, or use -f FILE)\n", path)
		} else {
			fmt.Fprintf(stderr, "runpipe: %v\n", err)
		}
		return nil, exitUsage
	}
	return cfg, -1
}
