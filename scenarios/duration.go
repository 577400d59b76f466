package scenarios

import (
	"fmt"
	"time"
)

// Duration is a span of time written as a Go duration string: "15s",
// "500ms", "1h30m". Bare numbers are refused: their unit would be a guess.
type Duration time.Duration

// UnmarshalTOML implements toml.Unmarshaler.
func (d *Duration) UnmarshalTOML(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("must be a duration string such as \"15m\" or \"500ms\" (got %v)", v)
	}
	x, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("must be a duration such as \"15m\" or \"500ms\" (got %q)", s)
	}
	*d = Duration(x)
	return nil
}

// MarshalText writes the duration back as a string (for JSON and TOML).
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// Std returns the standard library value.
func (d Duration) Std() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }
