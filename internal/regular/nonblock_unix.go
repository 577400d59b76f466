//go:build unix

package regular

import "syscall"

// nonBlocking makes an open return at once: a FIFO opened for reading
// would otherwise wait for a writer.
const nonBlocking = syscall.O_NONBLOCK
