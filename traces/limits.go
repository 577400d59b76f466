package traces

// Limits: the largest figure each reader accepts, so that every product the
// model forms from a trace (a duration times the slowest execution scale, a
// count times a footprint) stays far inside int64 microseconds and finite
// float64, and the memory a reader holds stays bounded. The README's
// "Limits" table repeats them.
const (
	// MaxExecutionSeconds is the longest execution a trace may give (a
	// duration percentile of the 2019 trace, a duration of the 2021 one):
	// one week, 70 times the 2019 sample's longest (8.46e6 ms, 2.35 h).
	MaxExecutionSeconds = 7 * 24 * 3600
	// MaxMemoryMB is the largest footprint a trace may give, and the
	// largest memory size a catalog or scenario may name: 1 TiB, 70 times
	// the 2019 sample's largest (14,360 MB).
	MaxMemoryMB = 1 << 20
	// MaxArrivalsPerMinute bounds the arrivals of one minute of a
	// per-minute trace, over every function (and so one function's count):
	// 2^23 = 8,388,608 (140,000 per second, 184 times the shared sample's
	// busiest minute). Memory does not set it: a minute of more than
	// SliceArrivals is spread a slice at a time. A count beyond it is
	// taken for a corrupt file rather than replayed for hours.
	MaxArrivalsPerMinute = 1 << 23
	// MaxSyntheticFunctions bounds the synthetic workload's functions: a
	// run holds about 4 to 5 kB per function (measured peak RSS: 3.5 GB
	// for 10^6 functions over a minute, 1.0 GB for 2·10^5 over ten), so
	// about 1 GB per engine at the limit.
	MaxSyntheticFunctions = 200_000
	// MaxLineBytes bounds one line of a trace or carbon series: 1 MiB, 50
	// times a 2019 per-minute row of 1,443 columns at their widest.
	MaxLineBytes = 1 << 20
)
