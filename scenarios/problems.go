package scenarios

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a scenario or catalog.
type Problem struct {
	Path string // e.g. arms[2].strategic.provider
	Line int    // 1-based; 0 if unknown
	Msg  string
}

// Error lists every problem found in one file.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	if len(e.Problems) == 1 {
		fmt.Fprintf(&b, "%s: ", e.File)
	} else {
		fmt.Fprintf(&b, "%s: %d problems:", e.File, len(e.Problems))
	}
	for _, p := range e.Problems {
		if len(e.Problems) > 1 {
			b.WriteString("\n  ")
		}
		if p.Line > 0 {
			fmt.Fprintf(&b, "line %d: ", p.Line)
		}
		if p.Path != "" {
			fmt.Fprintf(&b, "%s: ", p.Path)
		}
		b.WriteString(p.Msg)
	}
	return b.String()
}

// problems collects problems with their lines.
type problems struct {
	loc  *locator
	list []Problem
}

func (ps *problems) add(path, format string, args ...any) {
	ps.list = append(ps.list, Problem{Path: path, Line: ps.loc.line(path), Msg: fmt.Sprintf(format, args...)})
}

// at says where path is in the file, for a message naming another place
// than its own: " (line N)", or "" if unknown.
func (ps *problems) at(path string) string {
	if n := ps.loc.line(path); n > 0 {
		return fmt.Sprintf(" (line %d)", n)
	}
	return ""
}

// addErr adds an error from a component; a leading "key: " in its message
// is taken as a key below path.
func (ps *problems) addErr(path string, err error) {
	msg := err.Error()
	// A policy's strict decoding of its settings: "toml: line 1 (last key
	// "provider"): ..." names the key in the policy's own table.
	if m := typeError.FindStringSubmatch(msg); m != nil {
		at := path
		if m[2] != "" {
			at += "." + m[2]
		}
		ps.add(at, "%s", m[3])
		return
	}
	if i := strings.Index(msg, ": "); i > 0 && keyPattern.MatchString(msg[:i]) && msg[:i] != "toml" {
		ps.add(path+"."+msg[:i], "%s", msg[i+2:])
		return
	}
	ps.add(path, "%s", msg)
}

var keyPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$`)

func (ps *problems) err(file string) error {
	if len(ps.list) == 0 {
		return nil
	}
	slices.SortStableFunc(ps.list, func(a, b Problem) int { return a.Line - b.Line })
	return &Error{File: file, Problems: ps.list}
}

// locator maps key paths of a TOML document (arms[1].strategic.provider) to
// the line that defines them, or the closest enclosing table. It reads the
// document's lines the way the TOML grammar lays out tables, which is enough
// to point a reader at a line; it does not validate TOML (the decoder does).
type locator struct {
	lines map[string]int // indexed path → line
	plain map[string][]string
}

var (
	arrayHeader = regexp.MustCompile(`^\[\[\s*([^\[\]]+?)\s*\]\]`)
	tableHeader = regexp.MustCompile(`^\[\s*([^\[\]]+?)\s*\]`)
	keyLine     = regexp.MustCompile(`^([A-Za-z0-9_\-."' ]+?)\s*=`)
	indexPart   = regexp.MustCompile(`\[\d+\]`)
)

func newLocator(data []byte) *locator {
	l := &locator{lines: map[string]int{}, plain: map[string][]string{}}
	counts := map[string]int{} // array path (indexed parent) → elements seen
	table := ""
	depth, delim := 0, "" // inside a multi-line array, or a string value closed by delim
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if delim != "" {
			if strings.Contains(line, delim) {
				delim = ""
			}
			continue
		}
		if depth > 0 {
			depth += bracketDepth(line)
			continue
		}
		if line == "" || line[0] == '#' {
			continue
		}
		if m := arrayHeader.FindStringSubmatch(line); m != nil {
			base := l.resolve(cleanKey(m[1]), counts)
			i := counts[base]
			counts[base]++
			table = base + "[" + strconv.Itoa(i) + "]"
			l.record(table, n)
			continue
		}
		if m := tableHeader.FindStringSubmatch(line); m != nil {
			table = l.resolve(cleanKey(m[1]), counts)
			l.record(table, n)
			continue
		}
		if m := keyLine.FindStringSubmatch(line); m != nil {
			k := cleanKey(m[1])
			if table != "" {
				k = table + "." + k
			}
			l.record(k, n)
			value := line[len(m[0]):]
			depth = max(0, bracketDepth(value))
			for _, q := range []string{`"""`, "'''"} {
				if strings.Count(value, q)%2 == 1 {
					delim = q
				}
			}
		}
	}
	return l
}

// bracketDepth returns the change in array nesting over a line, ignoring
// brackets inside strings and comments.
func bracketDepth(s string) int {
	d, quote := 0, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return d
		case c == '[':
			d++
		case c == ']':
			d--
		}
	}
	return d
}

// resolve rewrites a dotted table name so that segments naming arrays of
// tables point at their latest element.
func (l *locator) resolve(name string, counts map[string]int) string {
	parts := strings.Split(name, ".")
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += "."
		}
		out += p
		if c, ok := counts[out]; ok && i < len(parts)-1 {
			out += "[" + strconv.Itoa(c-1) + "]"
		}
	}
	return out
}

func cleanKey(k string) string {
	k = strings.ReplaceAll(k, `"`, "")
	k = strings.ReplaceAll(k, `'`, "")
	parts := strings.Split(k, ".")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return strings.Join(parts, ".")
}

func (l *locator) record(path string, line int) {
	if _, ok := l.lines[path]; !ok {
		l.lines[path] = line
		p := indexPart.ReplaceAllString(path, "")
		l.plain[p] = append(l.plain[p], path)
	}
}

// line returns the line of path, or of its closest recorded ancestor.
func (l *locator) line(path string) int {
	if l == nil {
		return 0
	}
	for p := path; p != ""; {
		if n, ok := l.lines[p]; ok {
			return n
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return 0
}

// indexedPaths returns the indexed paths whose un-indexed form is plain
// (the decoder reports keys without array positions). A key inside an
// inline table is found through its enclosing key: the remainder is kept.
func (l *locator) indexedPaths(plain string) []string {
	for p := plain; p != ""; {
		if found := l.plain[p]; len(found) > 0 {
			rest := plain[len(p):]
			out := make([]string, len(found))
			for i, f := range found {
				out[i] = f + rest
			}
			return out
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return []string{plain}
}
