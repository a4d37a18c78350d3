package spiking

// Bin is one 5 ms bin of a running trial, handed to an Observer as soon
// as its last step is done. Its slices are only valid during the call:
// copy what you keep.
type Bin struct {
	// Index is the bin number: step i belongs to bin ⌊i·d/100⌋, with d
	// the downsample factor, so bin b covers [b·5 ms, (b+1)·5 ms).
	Index int
	// From and To bound the steps of the bin, [From, To).
	From, To int
	// Start is the time of step From in seconds (From·DT).
	Start float64
	// Duration is the bin length in seconds ((To-From)·DT; 5 ms except
	// for a shorter last bin or when d does not divide 100).
	Duration float64
	// Spikes lists the bin's spike events, in step order then neuron
	// order.
	Spikes []Spike
	// RateHz holds every unit's spike count in the bin divided by
	// Duration, in Hz (N values): the binned firing rate, not the
	// synaptically filtered rate r.
	RateHz []float64
	// Out holds the network output at the bin's steps (To-From values).
	Out []float64
}

// Observer receives a trial bin by bin while it runs, so that spikes,
// rates and outputs can be written out without keeping N×NT matrices. A
// non-nil error stops the trial; Run returns it.
type Observer interface {
	ObserveBin(b *Bin) error
}

// ObserverFunc adapts a function to the Observer interface.
type ObserverFunc func(b *Bin) error

// ObserveBin calls f(b).
func (f ObserverFunc) ObserveBin(b *Bin) error { return f(b) }
