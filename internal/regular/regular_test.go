package regular

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	for _, c := range []struct{ name, want string }{
		{fifo, "named pipe (FIFO)"},
		{"/dev/zero", "a device"},
		{dir, "a directory"},
	} {
		done := make(chan error, 1)
		go func() { _, err := ReadFile(c.name, 1<<20, "test"); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ReadFile(%s) = %v, want an error containing %q", c.name, err, c.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("ReadFile(%s) blocked", c.name)
		}
	}
}

func TestReadFileLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(p, make([]byte, 101), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(p, 100, "scenario"); err == nil || !strings.Contains(err.Error(), "larger than 100 bytes, the limit of a scenario file") {
		t.Errorf("got %v", err)
	}
	if b, err := ReadFile(p, 101, "scenario"); err != nil || len(b) != 101 {
		t.Errorf("at the limit: %d bytes, %v", len(b), err)
	}
}

// The open itself never waits: a FIFO that passed the first check (swapped
// in after it) is opened at once and refused by the second.
func TestOpenDoesNotWait(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan error, 1)
	go func() {
		f, err := os.OpenFile(fifo, os.O_RDONLY|nonBlocking, 0)
		if err == nil {
			f.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("non-blocking open of a FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the open of a FIFO waited for a writer")
	}
}

// DirFS reads regular files under its directory and refuses the others,
// as Open does.
func TestDirFS(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	fsys := DirFS(dir)
	if b, err := fs.ReadFile(fsys, "a.txt"); err != nil || string(b) != "a" {
		t.Errorf("ReadFile(a.txt) = %q, %v", b, err)
	}
	if _, err := fs.ReadFile(fsys, "../a.txt"); err == nil {
		t.Error("a path out of the directory accepted")
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan error, 1)
	go func() { _, err := fs.ReadFile(fsys, "fifo"); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "named pipe (FIFO)") {
			t.Errorf("ReadFile(fifo) = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadFile(fifo) hung")
	}
}
