// Package report draws the figures of a run and writes its report.
//
// The figures are those a reader of the method expects (Kim, Li &
// Sejnowski 2019 and the reference implementation): the training curve,
// the effect of the scaling factor λ, the spiking network's output per
// condition (mean ± SD) with the stimulus window and the decision
// thresholds, spike rasters with excitatory units in red and inhibitory
// units in blue, firing-rate distributions, and the rate and spiking
// outputs of the same stimulus overlaid. Every figure is a PNG of
// Width × Height pixels; legends sit in a margin beside the data, never on
// it. Files are written to a temporary file and renamed into place.
//
// A sweep's figures summarise many networks, one accuracy each (the
// paper's Fig. 2 and its SI): GroupedAccuracyFigure (box and dots of the
// LIF accuracy per value of an axis, with the success line),
// SuccessFigure (fraction converted successfully per value, with the
// counts) and RateLIFFigure (rate against LIF accuracy per network).
//
// WriteReport writes report.md, which links the figures, and report.html,
// which embeds them, so that the HTML file is self-contained.
package report
