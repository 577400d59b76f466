// Package slug makes names safe as parts of file names. A job's files
// carry its arm's name this way (results/sweep), so the scenario checks
// that no two arms share one (scenarios).
package slug

import "strings"

// Of makes a name safe as part of a file name: lower case letters,
// digits, '-', '_' and '.', anything else a '-', with no '-' at either
// end. Names differing only in case or in other characters share one.
func Of(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}
