package main

import (
	"os"
	"path/filepath"
	"testing"
)

// A run that fails before recording a result leaves no directory behind
// (issue 10, point 6); one holding results keeps them.
func TestFailedRunLeavesNoEmptyDirectories(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b", "out")
	created, err := newDirs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != 3 {
		t.Fatalf("created %q, want the 3 missing directories", created)
	}
	for _, f := range []string{manifestName, lockName} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "jobs"), 0o755); err != nil {
		t.Fatal(err)
	}
	discardEmptyRun(dir, created, true)
	if _, err := os.Stat(filepath.Join(root, "a")); !os.IsNotExist(err) {
		t.Errorf("%s still exists after a failed run (%v)", filepath.Join(root, "a"), err)
	}

	// A directory that existed keeps its other files, and results stay.
	dir = filepath.Join(root, "kept")
	if err := os.MkdirAll(filepath.Join(dir, "jobs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "jobs", "c000-a00-x-r000.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	created, _ = newDirs(dir)
	discardEmptyRun(dir, created, true)
	if _, err := os.Stat(filepath.Join(dir, "jobs", "c000-a00-x-r000.json")); err != nil {
		t.Errorf("a job record was removed: %v", err)
	}
}
