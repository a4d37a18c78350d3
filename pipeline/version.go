package pipeline

// ProgramVersion is part of every cache key. Bump it when a change of this
// program changes what cached outputs mean; every stage then reruns
// ("program version changed"). A single kind's outputs are invalidated by
// bumping its Spec.Version instead.
const ProgramVersion = 1
