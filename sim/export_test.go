package sim

// UseGeneralPath makes e take the general processor-sharing path for every
// pool it opens from now on, instances of one execution included (see
// single.go).
func UseGeneralPath(e *Engine) { e.generalPath = true }
