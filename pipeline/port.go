package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
	"sync/atomic"
	"time"
)

// PortMode says how many items travel over a port.
type PortMode int

const (
	// Value ports carry exactly one item (a model, a scaling factor). Value
	// outputs are cached: a stage that is up to date serves its values to
	// the stages below it from the cache, through the item type's [Codec].
	Value PortMode = iota + 1
	// Stream ports carry any number of items, in order (trials, batches of
	// spike rows). Streams are not cached: a consumer that must run makes
	// its producer run too.
	Stream
)

// String returns "value" or "stream".
func (m PortMode) String() string {
	switch m {
	case Value:
		return "value"
	case Stream:
		return "stream"
	}
	return fmt.Sprintf("PortMode(%d)", int(m))
}

// ErrNotConnected is returned by [ValueIn.Receive] for an optional input that
// the pipeline file leaves unconnected.
var ErrNotConnected = errors.New("pipeline: input not connected")

// ErrUpstreamFailed is returned when reading from an input whose producer
// failed before finishing its output. The run is being cancelled; the
// producer's own error is the one reported.
var ErrUpstreamFailed = errors.New("pipeline: upstream stage failed")

// DefaultBuffer is the capacity of a stream edge whose consumer does not set
// one with `buffer:` in the pipeline file. Items on hot edges should be
// batches, so a small buffer suffices.
const DefaultBuffer = 8

// A Port describes one input or output of a kind: its name, item type, mode
// and documentation. Ports are created with [ValueInput], [StreamInput],
// [ValueOutput] and [StreamOutput], kept in package variables, listed in the
// kind's [Spec], and used inside Run to get typed access to the stage's
// channels.
type Port interface {
	// Name is the port name used in the pipeline file (`in: {name: stage.port}`).
	Name() string
	// Doc is the one-line documentation of the port.
	Doc() string
	// Type is the Go type of the items on the port.
	Type() reflect.Type
	// Mode reports whether the port carries one Value or a Stream.
	Mode() PortMode
	// Input reports whether the port is an input (true) or an output.
	Input() bool
	// Required reports whether an input must be connected. Outputs are
	// never required to be consumed.
	Required() bool

	def() *portDef
}

// portDef is the type-erased description of a port, with the type-specific
// channel operations captured by the generic constructors.
type portDef struct {
	name, doc string
	typ       reflect.Type
	mode      PortMode
	input     bool
	required  bool

	makeChan  func(n int) any
	closeChan func(ch any)
	// drain discards items until ch is closed or ctx is done.
	drain func(ctx context.Context, ch any)
	// put sends v (of the port's type, or of a type implementing it when
	// the port's type is an interface) on ch, which has room for it.
	put func(ch any, v any)
	// sender returns a send function for ch, for producers whose item type
	// differs from the port's (interface) type.
	sender func(ch any) func(ctx context.Context, v any) error
}

// Name returns the port's name.
func (d *portDef) Name() string { return d.name }

// Doc returns the port's one-line documentation.
func (d *portDef) Doc() string { return d.doc }

// Type returns the Go type of the port's items.
func (d *portDef) Type() reflect.Type { return d.typ }

// Mode reports whether the port carries one Value or a Stream.
func (d *portDef) Mode() PortMode { return d.mode }

// Input reports whether the port is an input.
func (d *portDef) Input() bool { return d.input }

// Required reports whether the input must be connected.
func (d *portDef) Required() bool { return d.required }

func (d *portDef) def() *portDef { return d }

func newPortDef[T any](name, doc string, mode PortMode, input bool) portDef {
	return portDef{
		name: name, doc: doc, typ: reflect.TypeFor[T](), mode: mode, input: input, required: input,
		makeChan:  func(n int) any { return make(chan T, n) },
		closeChan: func(ch any) { close(ch.(chan T)) },
		drain: func(ctx context.Context, ch any) {
			c := ch.(chan T)
			for {
				select {
				case _, ok := <-c:
					if !ok {
						return
					}
				case <-ctx.Done():
					return
				}
			}
		},
		put: func(ch any, v any) {
			x, _ := v.(T) // a nil interface value stays the zero T
			ch.(chan T) <- x
		},
		sender: func(ch any) func(ctx context.Context, v any) error {
			c := ch.(chan T)
			return func(ctx context.Context, v any) error {
				x, _ := v.(T)
				select {
				case c <- x:
					return nil
				default:
				}
				select {
				case c <- x:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		},
	}
}

// accepts reports whether an input port of type in can read an output of
// type out: the same type, or an interface type that out implements.
func accepts(in, out reflect.Type) bool {
	return in == out || (in.Kind() == reflect.Interface && out.Implements(in))
}

// ValueIn is a Value input port carrying one item of type T.
type ValueIn[T any] struct{ portDef }

// ValueInput declares a required Value input port named name whose single
// item has type T (or, for an interface type T, of a type implementing it).
func ValueInput[T any](name, doc string) *ValueIn[T] {
	return &ValueIn[T]{newPortDef[T](name, doc, Value, true)}
}

// Optional marks the input as optional and returns p. Receive on an
// unconnected optional input returns [ErrNotConnected].
func (p *ValueIn[T]) Optional() *ValueIn[T] { p.required = false; return p }

// Connected reports whether the input is connected in job's pipeline.
func (p *ValueIn[T]) Connected(job *Job) bool { return job.input(&p.portDef).edge != nil }

// Receive waits for the input's value and returns it. It may be called more
// than once; later calls return the same value. It returns ctx.Err() when
// ctx is done first, [ErrNotConnected] for an unconnected optional input and
// an error wrapping [ErrUpstreamFailed] when the producer ended without
// sending.
func (p *ValueIn[T]) Receive(ctx context.Context, job *Job) (T, error) {
	var zero T
	in := job.input(&p.portDef)
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.got {
		return in.value.(T), nil
	}
	if in.edge == nil {
		return zero, fmt.Errorf("input %q: %w", p.name, ErrNotConnected)
	}
	ch := in.edge.ch.(chan T)
	t0 := time.Now()
	defer func() { job.waited.Add(int64(time.Since(t0))) }()
	select {
	case v, ok := <-ch:
		if !ok {
			return zero, in.edge.endErr(p.name, true)
		}
		in.value, in.got = v, true
		return v, nil
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// StreamIn is a Stream input port carrying items of type T.
type StreamIn[T any] struct{ portDef }

// StreamInput declares a required Stream input port named name whose items
// have type T. When T is an interface type, the input reads any output
// whose item type implements it (one `parquet` kind reading spike rows and
// rate rows as sinks.Table). Several producers may feed one stream input
// (`in: {rows: [a.out, b.out]}`); their items are merged in arrival order,
// each producer's items staying in order.
func StreamInput[T any](name, doc string) *StreamIn[T] {
	return &StreamIn[T]{newPortDef[T](name, doc, Stream, true)}
}

// Optional marks the input as optional and returns p. An unconnected
// optional stream reads as empty.
func (p *StreamIn[T]) Optional() *StreamIn[T] { p.required = false; return p }

// Connected reports whether the input is connected in job's pipeline.
func (p *StreamIn[T]) Connected(job *Job) bool { return job.input(&p.portDef).edge != nil }

// Reader returns the reader of the input in job. Take it once at the start
// of Run; it is the cheap handle to use in loops.
func (p *StreamIn[T]) Reader(job *Job) *Reader[T] {
	in := job.input(&p.portDef)
	r := &Reader[T]{name: p.name, e: in.edge, waited: &job.waited}
	if in.edge != nil {
		r.ch = in.edge.ch.(chan T)
	}
	return r
}

// Reader reads the items of one Stream input.
type Reader[T any] struct {
	ch     chan T
	e      *edge
	name   string
	waited *atomic.Int64 // the job's time blocked on its channels
}

// Recv returns the next item. At the end of the stream it returns io.EOF;
// when ctx is done, ctx.Err(); when a producer failed, an error wrapping
// [ErrUpstreamFailed].
func (r *Reader[T]) Recv(ctx context.Context) (T, error) {
	var zero T
	if r.ch == nil {
		return zero, io.EOF
	}
	// Fast path: an item is ready, no need to watch ctx.
	select {
	case v, ok := <-r.ch:
		if !ok {
			return zero, r.e.endErr(r.name, false)
		}
		return v, nil
	default:
	}
	t0 := time.Now()
	defer func() { r.waited.Add(int64(time.Since(t0))) }()
	select {
	case v, ok := <-r.ch:
		if !ok {
			return zero, r.e.endErr(r.name, false)
		}
		return v, nil
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// ValueOut is a Value output port carrying one item of type T.
type ValueOut[T any] struct{ portDef }

// ValueOutput declares a Value output port named name whose single item has
// type T. A stage must send exactly one value on each of its Value outputs
// before Run returns nil. Register a [Codec] for T so the value can be
// cached; without one, the stage reruns whenever a consumer needs it.
func ValueOutput[T any](name, doc string) *ValueOut[T] {
	return &ValueOut[T]{newPortDef[T](name, doc, Value, false)}
}

// Send delivers v to every consumer of the output and keeps it for the
// cache. It never blocks. Sending twice is an error.
func (p *ValueOut[T]) Send(ctx context.Context, job *Job, v T) error {
	out := job.output(&p.portDef)
	out.mu.Lock()
	defer out.mu.Unlock()
	if out.sent {
		return fmt.Errorf("pipeline: value output %q of stage %q sent twice", p.name, job.node.Name)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	out.sent, out.value = true, v
	for _, e := range out.edges {
		// Capacity 1 and a single producer: never blocks.
		if ch, ok := e.ch.(chan T); ok {
			ch <- v
		} else {
			e.def.put(e.ch, v) // an interface-typed consumer
		}
	}
	return nil
}

// StreamOut is a Stream output port carrying items of type T.
type StreamOut[T any] struct{ portDef }

// StreamOutput declares a Stream output port named name whose items have
// type T. An output read by several stages is duplicated to each of them,
// in order; an output read by none costs nothing.
func StreamOutput[T any](name, doc string) *StreamOut[T] {
	return &StreamOut[T]{newPortDef[T](name, doc, Stream, false)}
}

// Writer returns the writer of the output in job. Take it once at the start
// of Run. The runner closes the output when Run returns: the writer must
// not be used after that.
func (p *StreamOut[T]) Writer(job *Job) *Writer[T] {
	out := job.output(&p.portDef)
	w := &Writer[T]{waited: &job.waited}
	for _, e := range out.edges {
		if ch, ok := e.ch.(chan T); ok {
			w.chans = append(w.chans, ch)
		} else {
			w.others = append(w.others, e.def.sender(e.ch))
		}
	}
	return w
}

// Writer sends the items of one Stream output to its consumers.
type Writer[T any] struct {
	chans  []chan T                                 // consumers of type T
	others []func(ctx context.Context, v any) error // interface-typed consumers
	waited *atomic.Int64                            // the job's time blocked on its channels
}

// Send sends v to every consumer of the output, in order, waiting while a
// consumer's buffer is full. It returns ctx.Err() when ctx is done first.
// With no consumer it does nothing.
func (w *Writer[T]) Send(ctx context.Context, v T) error {
	for _, ch := range w.chans {
		select {
		case ch <- v:
			continue
		default:
		}
		// The consumer is behind: the wait is not this stage's work.
		t0 := time.Now()
		select {
		case ch <- v:
			w.waited.Add(int64(time.Since(t0)))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if len(w.others) > 0 {
		t0 := time.Now()
		defer func() { w.waited.Add(int64(time.Since(t0))) }()
	}
	for _, send := range w.others {
		if err := send(ctx, v); err != nil {
			return err
		}
	}
	return nil
}

// Connected reports whether any stage consumes the output.
func (w *Writer[T]) Connected() bool { return len(w.chans)+len(w.others) > 0 }

// edge is the channel feeding one input port of one stage, from one or more
// producers. The last producer to finish closes it.
type edge struct {
	ch        any // chan T
	def       *portDef
	from      []string // "stage.port" of the producers
	producers int      // remaining open producers, guarded by mu
	mu        sync.Mutex
	failed    bool // a producer ended with an error; written before close
}

// done records that one producer finished (failed or not) and closes the
// channel after the last one.
func (e *edge) done(failed bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if failed {
		e.failed = true
	}
	e.producers--
	if e.producers == 0 {
		e.def.closeChan(e.ch)
	}
}

// endErr is the error for a closed channel: io.EOF for a stream that ended
// normally, else an error wrapping ErrUpstreamFailed.
func (e *edge) endErr(port string, value bool) error {
	e.mu.Lock()
	failed := e.failed
	e.mu.Unlock()
	if !failed && !value {
		return io.EOF
	}
	return fmt.Errorf("input %q from %s: %w", port, quoteList(e.from), ErrUpstreamFailed)
}
