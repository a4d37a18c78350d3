package items

import (
	"path/filepath"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/report"
)

// modelFile is the file name of a cached model value.
const modelFile = "model.mat"

// The codecs of the item types of Value ports, so that an up-to-date stage
// serves its values from the cache. A model is cached as a model file in
// the reference layout (rate.Model.Save, read back by rate.Load); the
// other items as JSON.
func init() {
	pipeline.RegisterCodec(pipeline.NewCodec("mat",
		func(dir string, m *rate.Model) error { return m.Save(filepath.Join(dir, modelFile)) },
		func(dir string) (*rate.Model, error) { return rate.Load(filepath.Join(dir, modelFile)) }))
	pipeline.RegisterCodec(pipeline.JSONCodec[TaskSpec]())
	pipeline.RegisterCodec(pipeline.JSONCodec[*ModelAssumptions]())
	pipeline.RegisterCodec(pipeline.JSONCodec[*Stimuli]())
	pipeline.RegisterCodec(pipeline.JSONCodec[*TrainingRecord]())
	pipeline.RegisterCodec(pipeline.JSONCodec[*LambdaSearch]())
	pipeline.RegisterCodec(pipeline.JSONCodec[*Evaluation]())
	pipeline.RegisterCodec(pipeline.JSONCodec[*report.Summary]())
}
