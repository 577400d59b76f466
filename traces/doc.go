// Package traces streams workloads into the simulator: the Azure Functions
// 2019 per-minute trace (both column layouts), the Azure Functions 2021
// per-invocation trace, a synthetic generator calibrated to published Azure
// statistics, and a Poisson source for analytical checks. Every source
// implements sim.Source: Next advances, At returns the invocation, Err says
// why the stream stopped. Readers stream: their memory grows with the number
// of functions (and, for per-minute traces, the non-zero cells of one day),
// never with the number of invocations. A 2021 file in no order is sorted
// through a temporary file, in memory bounded by a chunk size (see
// Azure2021); Close removes that file if the replay stops early.
//
// An Azure 2019 trace can also be read once into memory (ParseAzure2019:
// its non-zero per-minute counts and percentile tables, not its
// invocations) and replayed from there any number of times, over any
// window and seed, by sources that share it read-only, on as many
// goroutines as wanted. The streaming reader runs the same code over one
// day at a time, so both give the same invocations for the same options.
//
// Parse errors name the file, the line and the column.
package traces
