//go:build !unix

package regular

// nonBlocking is 0 where opens have no non-blocking flag.
const nonBlocking = 0
