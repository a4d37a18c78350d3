// Package pipelinetest provides stage kinds and helpers for testing the
// pipeline runtime and programs built on it, in the manner of
// net/http/httptest. Its kinds are registered only where a test asks for
// them, with [Register].
package pipelinetest
