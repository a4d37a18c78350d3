package spiking

import "gonum.org/v1/gonum/mat"

// recBlock is the number of steps a recorder buffers before it writes
// them into its N×nt matrices: writing one step straight into column i of
// a row-major N×nt matrix touches N cache lines, a block of 64 steps
// writes 64 contiguous values per row instead.
const recBlock = 64

// channel is one recorded quantity: its N×nt target and a step-major
// block buffer.
type channel struct {
	dst *mat.Dense
	buf []float64 // recBlock × N
}

// recorder buffers the optional recordings of a trial.
type recorder struct {
	n              int
	from, len      int
	v, rates, ipsc *channel
	chans          [3]channel
}

func (r *recorder) reset(n int, v, rates, ipsc *mat.Dense) {
	r.n, r.from, r.len = n, 0, 0
	set := func(c *channel, dst *mat.Dense) *channel {
		if dst == nil {
			c.dst = nil
			return nil
		}
		c.dst = dst
		if cap(c.buf) < recBlock*n {
			c.buf = make([]float64, recBlock*n)
		}
		c.buf = c.buf[:recBlock*n]
		return c
	}
	r.v = set(&r.chans[0], v)
	r.rates = set(&r.chans[1], rates)
	r.ipsc = set(&r.chans[2], ipsc)
}

func (r *recorder) active() bool { return r.v != nil || r.rates != nil || r.ipsc != nil }

// put records x as step i of c.
func (r *recorder) put(c *channel, i int, x []float64) {
	t := i - r.from
	copy(c.buf[t*r.n:(t+1)*r.n], x)
}

// step closes step i, flushing a full block.
func (r *recorder) step(i int) {
	r.len = i + 1 - r.from
	if r.len == recBlock {
		r.flush()
	}
}

// flush writes the buffered steps into the matrices.
func (r *recorder) flush() {
	if r.len == 0 {
		return
	}
	for _, c := range [...]*channel{r.v, r.rates, r.ipsc} {
		if c == nil {
			continue
		}
		raw := c.dst.RawMatrix()
		for k := 0; k < r.n; k++ {
			row := raw.Data[k*raw.Stride+r.from : k*raw.Stride+r.from+r.len]
			for t := range row {
				row[t] = c.buf[t*r.n+k]
			}
		}
	}
	r.from += r.len
	r.len = 0
}
