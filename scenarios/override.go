package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/skyfaas/skyfaas/sim"
)

// legacyOverrideKeys are override keys that stand for a key of the
// provider's limits table (they were overridable before the limits moved
// into a table of their own).
var legacyOverrideKeys = []string{"concurrency", "scale_up_per_s", "scale_up_burst", "timeout"}

// overrideSet is a list of overrides and where the scenario writes it
// (catalog.override, arms[2].override).
type overrideSet struct {
	at   string
	list []OverrideSpec
}

// catalogBuild builds catalogs from one decoded catalog, with overrides.
type catalogBuild struct {
	raw   map[string]any // the catalog as decoded, never modified
	sizes []int          // the tactical action set (nil if invalid)
}

// build returns a copy of the catalog with every set's overrides applied in
// order, checked and built. Problems are reported under the scenario's
// paths of the overrides that caused them; nil is returned if there are any.
func (b *catalogBuild) build(sets []overrideSet, ps *problems) *sim.Catalog {
	raw := deepCopy(b.raw).(map[string]any)
	provs, _ := raw["providers"].([]map[string]any)
	var provNames []string
	for _, p := range provs {
		n, _ := p["name"].(string)
		provNames = append(provNames, n)
	}
	// origin maps a key path inside provider k (limits.concurrency) to the
	// scenario path of the override that set it; last holds the path of
	// the latest override of each provider.
	origin := make([]map[string]string, len(provs))
	last := make([]string, len(provs))
	failed := false
	for _, set := range sets {
		for i, o := range set.list {
			at := fmt.Sprintf("%s[%d]", set.at, i)
			name, ok := o["provider"].(string)
			k := slices.Index(provNames, name)
			if !ok || k < 0 {
				if !ok {
					ps.add(at+".provider", "missing: name the provider to change (the catalog has %q)", provNames)
				} else {
					ps.add(at+".provider", "unknown provider %q (the catalog has %q)", name, provNames)
				}
				failed = true
				continue
			}
			m, users, ok := normaliseOverride(o, at, ps)
			if !ok || !checkOverride(m, at, users, ps) {
				failed = true
				continue
			}
			if origin[k] == nil {
				origin[k] = map[string]string{}
			}
			merge(provs[k], m, "", func(rel string) { origin[k][rel] = at + "." + userPath(rel, users) })
			last[k] = at
		}
	}
	if failed {
		return nil
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(raw); err != nil {
		ps.add(sets[len(sets)-1].at, "cannot apply the overrides: %v", err)
		return nil
	}
	var cf catalogFile
	if _, err := decodeStrict("catalog", buf.Bytes(), &cf); err != nil {
		ps.add(sets[len(sets)-1].at, "cannot apply the overrides: %v", err)
		return nil
	}
	cps := &problems{}
	cat := buildCatalog(&cf, cps, "")
	for _, pr := range cps.list {
		ps.add(overridePath(pr.Path, origin, last, sets), "%s", pr.Msg)
	}
	if len(cps.list) > 0 || cat == nil {
		return nil
	}
	if b.sizes != nil {
		markActions(cat, b.sizes)
	}
	return cat
}

// normaliseOverride returns an override's keys without "provider", the
// legacy keys moved under limits, and how each moved key was written
// (limits.concurrency → concurrency).
func normaliseOverride(o OverrideSpec, at string, ps *problems) (map[string]any, map[string]string, bool) {
	m := map[string]any{}
	for k, v := range o {
		if k != "provider" {
			m[k] = deepCopy(v)
		}
	}
	ok := true
	if _, has := m["name"]; has {
		ps.add(at+".name", "cannot be overridden: provider selects the provider")
		ok = false
	}
	users := map[string]string{}
	for _, k := range legacyOverrideKeys {
		v, has := m[k]
		if !has {
			continue
		}
		lim, isTable := m["limits"].(map[string]any)
		if m["limits"] != nil && !isTable {
			continue // the decoder reports limits' type
		}
		if lim == nil {
			lim = map[string]any{}
			m["limits"] = lim
		}
		if _, dup := lim[k]; dup {
			ps.add(at+"."+k, "given twice: as %s and as limits.%s", k, k)
			ok = false
		}
		lim[k] = v
		delete(m, k)
		users["limits."+k] = k
	}
	return m, users, ok
}

// userPath returns how the scenario wrote the key path rel of an override.
func userPath(rel string, users map[string]string) string {
	for r, u := range users {
		if rel == r || strings.HasPrefix(rel, r+".") || strings.HasPrefix(rel, r+"[") {
			return u + rel[len(r):]
		}
	}
	return rel
}

// checkOverride decodes an override strictly as a provider's catalog table,
// reporting unknown keys and values of the wrong type.
func checkOverride(m map[string]any, at string, users map[string]string, ps *problems) bool {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(m); err != nil {
		ps.add(at, "%v", err)
		return false
	}
	var sp providerSpec
	md, err := decodeStrict("override", buf.Bytes(), &sp)
	if se := (*Error)(nil); errors.As(err, &se) {
		for _, pr := range se.Problems {
			ps.add(strings.TrimSuffix(at+"."+userPath(pr.Path, users), "."), "%s", pr.Msg)
		}
		return false
	} else if err != nil {
		ps.add(at, "%v", err)
		return false
	}
	ok := true
	for _, k := range md.Undecoded() {
		ps.add(at+"."+userPath(k.String(), users), "%s", unknownKeyMsg(k.String()))
		ok = false
	}
	return ok
}

// merge copies src into dst: tables key by key, anything else whole. set is
// called with the path of each value copied.
func merge(dst, src map[string]any, prefix string, set func(rel string)) {
	for k, v := range src {
		path := prefix + k
		if sv, ok := v.(map[string]any); ok {
			if dv, ok := dst[k].(map[string]any); ok {
				merge(dv, sv, path+".", set)
				continue
			}
		}
		dst[k] = v
		set(path)
	}
}

// overridePath turns the path of a problem in the overridden catalog
// (providers[1].limits.concurrency) into the scenario path of the override
// that set the value, or of the provider's latest override.
func overridePath(path string, origin []map[string]string, last []string, sets []overrideSet) string {
	var k int
	var rest string
	if _, err := fmt.Sscanf(path, "providers[%d]", &k); err != nil || k < 0 || k >= len(last) || last[k] == "" {
		return sets[len(sets)-1].at
	}
	rest = strings.TrimPrefix(path[strings.IndexByte(path, ']')+1:], ".")
	for a := rest; a != ""; {
		if o, ok := origin[k][a]; ok {
			return o + rest[len(a):]
		}
		i := strings.LastIndexAny(a, ".[")
		if i < 0 {
			break
		}
		a = a[:i]
	}
	if rest == "" {
		return last[k]
	}
	return last[k] + "." + rest
}

// deepCopy copies decoded TOML values.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []map[string]any:
		s := make([]map[string]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e).(map[string]any)
		}
		return s
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}
