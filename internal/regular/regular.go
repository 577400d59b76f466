// Package regular opens input files only if they are regular files: a
// FIFO blocks its reader until a writer comes, and a device such as
// /dev/zero never ends, so neither is ever read. Every reader of a
// scenario, catalog, trace, carbon series or record goes through it.
package regular

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Open opens name for reading after checking, without opening it, that it
// is a regular file (a symbolic link is followed); the opened file is
// checked again, so a file swapped in between is refused too. The open
// itself does not wait (non-blocking where the system has it), so a FIFO
// swapped in is refused, not waited on.
func Open(name string) (*os.File, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(name, fi.Mode())
	}
	f, err := os.OpenFile(name, os.O_RDONLY|nonBlocking, 0)
	if err != nil {
		return nil, err
	}
	got, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !got.Mode().IsRegular() || !os.SameFile(fi, got) {
		f.Close()
		return nil, fmt.Errorf("%s: changed while it was opened; not read", name)
	}
	return f, nil
}

// ReadCloser is Open for readers that take an io.ReadCloser opener.
func ReadCloser(name string) (io.ReadCloser, error) {
	f, err := Open(name)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// DirFS is os.DirFS(dir) opening its files by Open: a FIFO or a device
// under dir is refused, never opened.
func DirFS(dir string) fs.FS { return dirFS(dir) }

type dirFS string

func (d dirFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := Open(filepath.Join(string(d), filepath.FromSlash(name)))
	if err != nil {
		return nil, err
	}
	return f, nil
}

// ReadFile reads a regular file of at most limit bytes; what names the
// kind of file in the message (scenario, catalog).
func ReadFile(name string, limit int64, what string) ([]byte, error) {
	f, err := Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes, the limit of a %s file", name, limit, what)
	}
	return data, nil
}

// notRegular names what a non-regular file is.
func notRegular(name string, m fs.FileMode) error {
	kind := "not a regular file"
	switch {
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&fs.ModeDevice != 0 || m&fs.ModeCharDevice != 0:
		kind = "a device"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	}
	return fmt.Errorf("%s is %s, not a regular file: only regular files are read", name, kind)
}
