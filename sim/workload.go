package sim

// FunctionID indexes the functions a Source declares.
type FunctionID int32

// Invocation is one request of the workload.
type Invocation struct {
	Arrival  Time
	Duration Duration // reference execution time, as measured in the trace
	Function FunctionID
	MemoryMB float32 // memory footprint
}

// FunctionInfo describes a function of the workload.
type FunctionInfo struct {
	Name    string // stable identifier (trace hash or generated name)
	App     int32  // index into Source.Apps
	Trigger string // trigger group where the trace gives it ("http", "timer", ...), else ""
}

// Source is a workload streamed in arrival order: Next advances, At returns
// the current invocation, Err reports why Next returned false early. Arrivals
// must not decrease; the engine returns an error if they do.
type Source interface {
	// Functions lists every function that may appear, known before the first
	// invocation so that policies can place them all at time 0.
	Functions() []FunctionInfo
	// Apps lists the application names that FunctionInfo.App indexes.
	Apps() []string
	// Horizon is the end of the workload's time span (for a per-minute trace,
	// the end of its last minute).
	Horizon() Time
	Next() bool
	At() Invocation
	Err() error
}
