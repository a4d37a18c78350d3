package slurm

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spikernn/spikernn/pipeline"
)

// BlockName is the name of the `slurm:` block of a pipeline file, at the
// top of the file and in a pipeline.
const BlockName = "slurm"

// Options are the Slurm settings of a submission. The zero value of a
// field means: not set, Slurm's (or the site's) default.
type Options struct {
	// Partition is sbatch's --partition (one name, or a comma-separated
	// list).
	Partition string
	// Time is the time limit of one array task, sbatch's --time: minutes,
	// MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS.
	Time string
	// CPUsPerTask is sbatch's --cpus-per-task; each array task runs its
	// points with that many cores (GOMAXPROCS). Default 1.
	CPUsPerTask int
	// Mem is the memory of one array task, sbatch's --mem: a whole number
	// with an optional unit K, M, G or T (megabytes without).
	Mem string
	// Account is sbatch's --account.
	Account string
	// Shards is the number of array tasks the sweep's points are divided
	// among. Default: one per point, at most DefaultMaxShards.
	Shards int
}

// DefaultMaxShards is the number of array tasks of a submission that sets
// no shards: a sweep of more points runs several points per task.
const DefaultMaxShards = 32

// Merge returns o with every field that over sets replacing o's.
func (o Options) Merge(over Options) Options {
	if over.Partition != "" {
		o.Partition = over.Partition
	}
	if over.Time != "" {
		o.Time = over.Time
	}
	if over.CPUsPerTask != 0 {
		o.CPUsPerTask = over.CPUsPerTask
	}
	if over.Mem != "" {
		o.Mem = over.Mem
	}
	if over.Account != "" {
		o.Account = over.Account
	}
	if over.Shards != 0 {
		o.Shards = over.Shards
	}
	return o
}

var (
	nameRE = regexp.MustCompile(`^[A-Za-z0-9_.+-]+(,[A-Za-z0-9_.+-]+)*$`)
	timeRE = regexp.MustCompile(`^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d{1,2}|\d+-\d{1,2}:\d{1,2}|\d+-\d{1,2}:\d{1,2}:\d{1,2})$`)
	memRE  = regexp.MustCompile(`^[1-9]\d*[KMGT]?$`)
)

// Check reports the first invalid field of o, naming it as in the
// `slurm:` block.
func (o Options) Check() error {
	switch {
	case o.Partition != "" && !nameRE.MatchString(o.Partition):
		return fmt.Errorf("partition %q: want a partition name (letters, digits, . _ + -) or a comma-separated list", o.Partition)
	case o.Account != "" && !nameRE.MatchString(o.Account):
		return fmt.Errorf("account %q: want an account name (letters, digits, . _ + -)", o.Account)
	case o.Time != "" && !timeRE.MatchString(o.Time):
		return fmt.Errorf("time %q: want minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS", o.Time)
	case o.Mem != "" && !memRE.MatchString(o.Mem):
		return fmt.Errorf("mem %q: want a whole number with an optional unit K, M, G or T (e.g. 4G)", o.Mem)
	case o.CPUsPerTask < 0:
		return fmt.Errorf("cpus_per_task %d: want at least 1", o.CPUsPerTask)
	case o.Shards < 0:
		return fmt.Errorf("shards %d: want at least 1", o.Shards)
	}
	return nil
}

// fields are the keys of a `slurm:` block, in the order of Options.
var fields = []string{"partition", "time", "cpus_per_task", "mem", "account", "shards"}

// FromBlock reads a `slurm:` block. Problems are returned as diagnostics
// at the position of the offending key or value; the options returned
// hold the fields that were valid.
func FromBlock(v *pipeline.FileValue) (Options, pipeline.Diagnostics) {
	var o Options
	var ds pipeline.Diagnostics
	if v == nil {
		return o, nil
	}
	m, ok := v.V.(*pipeline.FileMapping)
	if !ok {
		if v.V == nil {
			return o, nil // `slurm:` with nothing under it
		}
		return o, pipeline.Diagnostics{{Pos: v.Pos, Msg: "slurm: want a mapping of " + strings.Join(fields, ", ") + ", got " + v.Describe()}}
	}
	bad := func(pos pipeline.Pos, format string, args ...any) {
		ds = append(ds, pipeline.Diagnostic{Pos: pos, Msg: "slurm: " + fmt.Sprintf(format, args...)})
	}
	for _, k := range m.Keys {
		fv := m.Values[k]
		var field Options
		switch k {
		case "partition", "account", "mem", "time":
			s, ok := scalarString(fv)
			if !ok {
				bad(fv.Pos, "%s: want a string, got %s", k, fv.Describe())
				continue
			}
			if strings.Contains(s, "${") {
				bad(fv.Pos, "%s: params (${...}) are not substituted in the slurm block", k)
				continue
			}
			switch k {
			case "partition":
				field.Partition = s
			case "account":
				field.Account = s
			case "mem":
				field.Mem = s
			case "time":
				field.Time = s
			}
		case "cpus_per_task", "shards":
			n, ok := fv.V.(int64)
			if !ok || n < 1 || n > 1<<20 {
				bad(fv.Pos, "%s: want a whole number from 1, got %s", k, fv.Describe())
				continue
			}
			if k == "shards" {
				field.Shards = int(n)
			} else {
				field.CPUsPerTask = int(n)
			}
		default:
			bad(m.KeyPos[k], "unknown field %q (fields: %s)", k, strings.Join(fields, ", "))
			continue
		}
		if err := field.Check(); err != nil {
			bad(fv.Pos, "%v", err)
			continue
		}
		o = o.Merge(field)
	}
	return o, ds
}

// scalarString returns a string value, or an integer written without
// quotes (mem: 4096, time: 30) as its decimal text.
func scalarString(v *pipeline.FileValue) (string, bool) {
	switch x := v.V.(type) {
	case string:
		return x, true
	case int64:
		return fmt.Sprint(x), true
	}
	return "", false
}

// ForPipeline returns the options of the file's top-level `slurm:` block
// with those of the named pipeline's block over them. An invalid block is
// an error listing its problems (lint reports them too).
func ForPipeline(c *pipeline.Config, name string) (Options, error) {
	top, ds := FromBlock(c.Block(BlockName))
	var o Options
	if p := c.Pipeline(name); p != nil {
		var pds pipeline.Diagnostics
		o, pds = FromBlock(p.Block(BlockName))
		ds = append(ds, pds...)
	}
	return top.Merge(o), ds.Err()
}

func init() {
	check := func(_ *pipeline.Config, _ *pipeline.PipelineConfig, v *pipeline.FileValue) pipeline.Diagnostics {
		_, ds := FromBlock(v)
		return ds
	}
	pipeline.RegisterBlock(pipeline.Block{Name: BlockName, Level: pipeline.FileBlock,
		Summary: "Slurm settings of `runpipe submit` for every pipeline of the file", Check: check})
	pipeline.RegisterBlock(pipeline.Block{Name: BlockName, Level: pipeline.PipelineBlock,
		Summary: "Slurm settings of `runpipe submit` for this pipeline (over the file's)", Check: check})
}
