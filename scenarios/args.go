package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/skyfaas/skyfaas/policies/operational/oracle"
	"github.com/skyfaas/skyfaas/policies/policy"
)

// PolicySpec is a policy name with its settings, as the scenario gives it.
type PolicySpec struct {
	Name string         `json:"policy"`
	Args map[string]any `json:"args,omitempty"`
}

// parsePolicy reads a layer's value: a name, or a table whose "policy" key
// names the policy and whose other keys are its settings.
func parsePolicy(v any) (PolicySpec, error) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return PolicySpec{}, fmt.Errorf("empty policy name")
		}
		return PolicySpec{Name: x}, nil
	case PolicySpec:
		return x, nil
	case map[string]any:
		name, ok := x["policy"].(string)
		if !ok || name == "" {
			return PolicySpec{}, fmt.Errorf("a policy table needs a \"policy\" key naming the policy (got keys %q)", slices.Sorted(maps.Keys(x)))
		}
		args := maps.Clone(x)
		delete(args, "policy")
		if len(args) == 0 {
			args = nil
		}
		return PolicySpec{Name: name, Args: args}, nil
	}
	return PolicySpec{}, fmt.Errorf("must be a policy name or a table with a \"policy\" key (got %v)", v)
}

// table returns the spec as the scenario would write it.
func (s PolicySpec) table() any {
	if len(s.Args) == 0 {
		return s.Name
	}
	t := maps.Clone(s.Args)
	t["policy"] = s.Name
	return t
}

// Label names the spec in tables: the policy, then its settings in key order.
func (s PolicySpec) Label() string {
	name := s.Name
	if name == oracle.Name {
		name = oracle.Label // a bound, not a policy: say so wherever it is shown
	}
	if len(s.Args) == 0 {
		return name
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(s.Args)) {
		parts = append(parts, fmt.Sprintf("%s=%v", k, s.Args[k]))
	}
	return name + "(" + strings.Join(parts, ",") + ")"
}

// Args returns the strict settings decoder the scenario layer hands to
// policies, for settings given as a map (tests, tools).
func Args(settings map[string]any) policy.Args { return tomlArgs(settings) }

// tomlArgs decodes a policy's settings strictly: it re-encodes them as TOML
// and decodes that into the policy's Config, refusing keys it does not know.
type tomlArgs map[string]any

// Decode implements policy.Args.
func (a tomlArgs) Decode(v any) error {
	if len(a) == 0 {
		return nil
	}
	if err := durationsAreStrings(a, v); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(map[string]any(a)); err != nil {
		return fmt.Errorf("settings: %v", err)
	}
	md, err := toml.NewDecoder(&buf).Decode(v)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) && pe.LastKey != "" {
			return fmt.Errorf("%s: %s", pe.LastKey, pe.Message)
		}
		return err
	}
	if u := md.Undecoded(); len(u) > 0 {
		return fmt.Errorf("%s: unknown setting for this policy", u[0].String())
	}
	return nil
}

var durationType = reflect.TypeFor[time.Duration]()

// durationsAreStrings refuses a bare number for a duration setting: the
// TOML decoder would read keepalive = 600 as 600 ns. Durations are strings
// with a unit everywhere in a scenario ("10m", "500ms").
func durationsAreStrings(a tomlArgs, v any) error {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	for _, f := range reflect.VisibleFields(t) {
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft != durationType {
			continue
		}
		key, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if key == "" {
			key = f.Name
		}
		if val, ok := a[key]; ok {
			if _, isString := val.(string); !isString {
				return fmt.Errorf("%s: must be a duration string such as \"10m\" or \"500ms\" (got %v)", key, val)
			}
		}
	}
	return nil
}
