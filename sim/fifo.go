package sim

// fifo is a slice-backed queue that reuses its storage.
type fifo[T any] struct {
	buf  []T
	head int
}

// emptied returns the queue with no element, keeping its storage.
func (f fifo[T]) emptied() fifo[T] { return fifo[T]{buf: f.buf[:0]} }

func (f *fifo[T]) len() int { return len(f.buf) - f.head }

func (f *fifo[T]) push(v T) { f.buf = append(f.buf, v) }

// front returns the oldest element; the queue must not be empty.
func (f *fifo[T]) front() *T { return &f.buf[f.head] }

// popFront removes the oldest element; the queue must not be empty.
func (f *fifo[T]) popFront() T {
	v := f.buf[f.head]
	f.head++
	if f.head == len(f.buf) {
		f.buf, f.head = f.buf[:0], 0
	} else if f.head >= 64 && 2*f.head >= len(f.buf) {
		n := copy(f.buf, f.buf[f.head:])
		f.buf, f.head = f.buf[:n], 0
	}
	return v
}

// popBack removes the newest element; the queue must not be empty.
func (f *fifo[T]) popBack() T {
	v := f.buf[len(f.buf)-1]
	f.buf = f.buf[:len(f.buf)-1]
	if f.head == len(f.buf) {
		f.buf, f.head = f.buf[:0], 0
	}
	return v
}

// at returns the i-th oldest element.
func (f *fifo[T]) at(i int) *T { return &f.buf[f.head+i] }

// removeAt removes the i-th oldest element, keeping the order of the rest.
func (f *fifo[T]) removeAt(i int) {
	if i == 0 {
		f.popFront()
		return
	}
	j := f.head + i
	copy(f.buf[j:], f.buf[j+1:])
	f.buf = f.buf[:len(f.buf)-1]
}
