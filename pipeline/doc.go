// Package pipeline runs dataflow pipelines declared in YAML: stages of
// registered kinds connected by typed channels, all running concurrently,
// with content-keyed caching so that a rerun only does what changed.
//
// # Pipeline files
//
// A pipeline file (pipelines.yaml) holds named pipelines:
//
//	version: 1
//	workspace: runs                  # relative to this file's directory
//	default: go-nogo                 # optional; else the first pipeline
//	pipelines:
//	  go-nogo:
//	    description: "train, convert, evaluate"
//	    params: {task: go-nogo, seed: 1, N: 200}
//	    stages:
//	      trials: {kind: task-trials, with: {task: ${task}, seed: ${seed}}}
//	      train:  {kind: train-rate, in: {trials: trials.out}, with: {N: ${N}}, buffer: {trials: 16}}
//
// A stage has a kind, its inputs (`in:`, each input port reading
// "stage.port", or a list of them to merge several streams), its settings
// (`with:`) and optional channel capacities per stream input (`buffer:`).
// ${name} is replaced by the pipeline parameter name (overridable with
// `runpipe run --set name=value`); a reference that is a whole value keeps
// the parameter's type (an int stays an int, a list a list), quoted or not;
// inside a longer string the value is formatted as text; $$ is a literal $.
// Substitution applies to the values under `with:` (mapping keys are
// literal).
// References may be written unquoted, even inside flow mappings. Anchors,
// aliases and merge keys (<<: *base) work as in YAML.
//
// [ParseFile] reads a file; [Environment.Lint] checks every pipeline
// against the registered kinds and reports every problem as
// "file:line:col: message" ([Diagnostics]): unknown fields (with the nearest
// name), unknown kinds (with the list), edges to missing stages or ports or
// of the wrong item type, unconnected required inputs, cycles, missing or
// mistyped settings, values out of range, unknown ${params}.
// [Environment.Compile] builds the [Graph] of one pipeline, with resolved
// settings and cache keys; [Graph.Plan] decides which stages run and why;
// [Plan.Execute] runs them. `runpipe` (cmd/runpipe) is the command line
// over these calls.
//
// # Blocks read by other packages
//
// A field of the file or of a pipeline that the runner does not read
// itself — a pipeline's `sweep:` matrix, the file's task declarations,
// cluster settings — is a [Block], registered by the package that reads it
// ([RegisterBlock]). Lint accepts a registered field and calls the block's
// Check with its [FileValue] (positions kept); any other field is
// unknown. The package reads the value back with [Config.Block] and
// [PipelineConfig.Block].
//
// # Writing a kind
//
// A kind is a [Spec] registered with its constructor, from an init
// function, Redpanda Connect style (one file per kind: ports, spec,
// init, constructor, stage type):
//
//	var (
//		convertModel  = pipeline.ValueInput[*rate.Model]("model", "the rate model")
//		convertLambda = pipeline.ValueInput[float64]("lambda", "scaling factor λ")
//		convertSpikes = pipeline.StreamOutput[SpikeBatch]("spikes", "spike events, one batch per trial")
//	)
//
//	type convertSettings struct {
//		Trials int   `pipeline:"trials"`
//		Seed   int64 `pipeline:"seed"`
//	}
//
//	func init() {
//		pipeline.Register(pipeline.Spec{
//			Name:    "lif-convert",
//			Group:   pipeline.StageGroup,
//			Summary: "converts a rate model to LIF and simulates trials",
//			Inputs:  []pipeline.Port{convertModel, convertLambda},
//			Outputs: []pipeline.Port{convertSpikes},
//			Settings: []pipeline.Setting{
//				{Name: "trials", Type: pipeline.Int, Default: 100, Range: pipeline.AtLeast(1), Doc: "trials to simulate"},
//				{Name: "seed", Type: pipeline.Int, Default: 1, Doc: "noise seed"},
//			},
//			Examples: []pipeline.Example{{Title: "…", YAML: "version: 1\n…"}},
//		}, newConvert)
//	}
//
//	func newConvert(s convertSettings) (pipeline.Stage, error) { return &convert{s}, nil }
//
//	func (c *convert) Run(ctx context.Context, job *pipeline.Job) error {
//		m, err := convertModel.Receive(ctx, job)   // a Value: waits for the one item
//		…
//		out := convertSpikes.Writer(job)           // a Stream: take the writer once
//		for trial := range c.Trials {
//			if err := out.Send(ctx, batch); err != nil {
//				return err
//			}
//			job.Progress().Add(1)
//		}
//		job.Headline("n_spikes", n)
//		return nil
//	}
//
// Every kind names its [Group]: [SourceGroup] (items enter the pipeline:
// generated or read from files), [StageGroup] (items are transformed) or
// [SinkGroup] (items are written out); `runpipe stages` lists the kinds
// under these three headings. spikernn's kinds live in the packages of
// the same names: sources, stages and sinks/kinds, over the shared item
// types of package items.
//
// Ports are made with [ValueInput], [StreamInput], [ValueOutput] and
// [StreamOutput]; the type parameter is the item type, shown by `runpipe
// stages` and checked by lint on every edge. A Value port carries exactly
// one item (a model, λ); a Stream port carries any number, in order (make
// them batches on hot edges: a send costs about as much as a channel
// send). Inside Run, the same port variables give typed access:
// [ValueIn.Receive], [StreamIn.Reader] and [Reader.Recv] (io.EOF at the
// end), [ValueOut.Send], [StreamOut.Writer] and [Writer.Send]. Using a
// port the kind's spec does not list panics. An output read by several
// stages is copied to each, in order; an output read by none costs
// nothing. The runner closes a stage's outputs when its Run returns, and
// discards what it left unread of its inputs. Edges are bounded (`buffer:`,
// default [DefaultBuffer]): a stage reading two streams that come from one
// producer must read them concurrently, or the producer may block on one
// while the stage waits on the other.
//
// Settings are declared in the spec ([Setting]: name, [SettingType],
// default, required, allowed values, [Range], one-line doc, example) and
// decoded into the constructor's typed struct, whose fields carry
// `pipeline:"name"` tags; [Register] panics when the struct and the spec
// disagree. The constructor runs at lint time for every stage, so it must
// be cheap and side-effect free; the error it returns is reported at the
// stage's position.
//
// The [Job] passed to Run also gives the stage a logger ([Job.Logger]), a
// [Progress] reporter ([Job.Progress]: Total, Add, Set, Status), a private
// artifact directory committed with the stage ([Job.Dir]), user-facing
// output files moved into <workspace>/<pipeline>/ at commit
// ([Job.CreateOutput]), a persistent per-key scratch directory that
// survives interrupted runs for resumable work ([Job.PartialDir] with
// [WriteFileAtomic]), headline figures kept in the manifest and printed at
// the end of a run ([Job.Headline]), and the manifests of upstream stages
// ([Job.UpstreamManifest]).
//
// # Caching and reruns
//
// A stage's cache key hashes its kind and the kind's Spec.Version, its
// resolved settings (canonical JSON, after defaults and substitution), the
// keys of the stages it reads, the content of its File settings and
// [ProgramVersion]. Comments and formatting never change it. A stage whose
// committed manifest has the current key (and whose files are still in
// place) is up to date and skipped; otherwise the plan says why it runs:
// "no manifest", "setting N changed 200→300", "upstream train changed"…
//
// Value outputs are cached: each item type needs a [Codec] registered with
// [RegisterCodec] (simple types have built-in JSON codecs, see
// [JSONCodec]); a skipped stage's values are loaded from the cache for the
// stages below it that run. Streams are not cached: when a stage that must
// run reads a stream from an up-to-date stage, that producer runs again
// ("re-run to feed stream …"), and its other, up-to-date consumers are not
// rerun. [Selection] holds --only, --from, --until and --force.
//
// A stage commits when its Run returned nil and every stage it reads has
// committed: its values are saved, its files synced, its data directory
// renamed into <workspace>/<pipeline>/.stages/<stage>/, its output files
// moved into place, and its [Manifest] written last, atomically. A stage
// without a manifest has not finished; old outputs stay until new ones
// commit. A failed or cancelled stage leaves no manifest and no temporary
// files, only its partial directory. One run at a time uses a workspace:
// see [LockWorkspace].
//
// The committed files are checked before they are trusted: each file's
// size and modification time are recorded with its SHA-256, and a file
// whose time differs is hashed again, so a file edited behind the runner's
// back (a model.mat truncated or rewritten in place) reruns its stage. The
// manifest's own SHA-256 is written beside it (manifest.sha256); an edited
// or damaged manifest is not trusted either.
//
// # What lint checks
//
// Reading the file: at most [MaxFileSize] bytes; nesting at most
// [MaxNesting] deep (estimated on the tokens before parsing, then exact
// with aliases expanded); at most [MaxAliases] aliases expanding to at
// most [MaxAliasExpansion] values; no recursive alias (one inside the
// anchor it names, directly, through another anchor or a `<<:` merge).
// Each is one error with its position. Numbers in scientific notation
// (1e9, 1e-12) are numbers; an Int setting takes them when they are whole
// and in range.
//
// Settings: types, ranges and allowed values, with the position of the
// value. Every path a stage writes is an [Output] setting, held to one
// rule: relative, inside the pipeline directory, without "..", not
// absolute, not in .stages; two stages writing the same path are an error
// naming both. [Job.CreateOutput] applies the same rule at write time and
// also refuses a path that leaves the pipeline directory through a
// symbolic link. A kind's constructor judges its settings together, and a
// [Checker] judges them against the stages feeding it (a sampling longer
// than the upstream task's trial, say); [CheckMemory] estimates the
// largest arrays against [DefaultMemoryLimitGB].
package pipeline
