package traces

import (
	"errors"
	"fmt"
)

// ParseError locates a problem in a trace file.
type ParseError struct {
	File   string
	Line   int    // 1-based; 0 if the problem is not on one line
	Column string // column name from the header, if known
	Field  int    // 1-based field number, if known
	Err    error
}

func (e *ParseError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, e.Line)
	}
	switch {
	case e.Column != "" && e.Field > 0:
		return fmt.Sprintf("%s: column %q (field %d): %v", loc, e.Column, e.Field, e.Err)
	case e.Column != "":
		return fmt.Sprintf("%s: column %q: %v", loc, e.Column, e.Err)
	case e.Field > 0:
		return fmt.Sprintf("%s: field %d: %v", loc, e.Field, e.Err)
	}
	return fmt.Sprintf("%s: %v", loc, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrEmpty is returned (wrapped) for a trace without any invocation.
var ErrEmpty = errors.New("the trace holds no invocation")
