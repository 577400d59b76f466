// Package sharedtest locates the project's shared reference data
// (../shared beside the repository) for tests: a test that needs it skips
// with a clear message where it is absent, and fails instead when
// SKYFAAS_REQUIRE_SHARED=1 is set, as CI does.
package sharedtest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir returns the absolute path of the shared directory, or skips (or
// fails, under SKYFAAS_REQUIRE_SHARED=1) the test if it is absent.
func Dir(tb testing.TB) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(filepath.Dir(file))) // repository root
	dir := filepath.Join(root, "..", "shared")
	if st, err := os.Stat(filepath.Join(dir, "traces", "azure2019-sample1000", "invocations.csv")); err != nil || st.IsDir() {
		if os.Getenv("SKYFAAS_REQUIRE_SHARED") == "1" {
			tb.Fatalf("shared data not found at %s (SKYFAAS_REQUIRE_SHARED=1 requires it): %v", dir, err)
		}
		tb.Skipf("shared data not found at %s: skipping (set SKYFAAS_REQUIRE_SHARED=1 to make this a failure)", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return abs
}

// Sample returns the paths of the shared Azure 2019 sample's three files.
func Sample(tb testing.TB) (invocations, durations, memory string) {
	d := filepath.Join(Dir(tb), "traces", "azure2019-sample1000")
	return filepath.Join(d, "invocations.csv"), filepath.Join(d, "durations.csv"), filepath.Join(d, "memory.csv")
}
