package exportertest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Watcher counts the dumps a daemon finishes in its dump directory: inotify's
// IN_CLOSE_WRITE on a dump's own name, which both keepalived (it renames
// its file in before writing it) and gokeepalived (it renames its file in,
// then closes it) give once for each dump. Its methods are safe for
// concurrent use.
type Watcher struct {
	f  *os.File // the inotify descriptor, non-blocking: reads wait in the runtime's poller
	wg sync.WaitGroup

	mu      sync.Mutex
	closed  map[string]int
	changed chan struct{} // closed and replaced at each event
	err     error
}

// Watch starts watching dir. Close stops it.
func Watch(dir string) (*Watcher, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("inotify: %w", err)
	}
	// Only IN_CLOSE_WRITE counts, but inotify folds an event into the
	// one before it if they are the same and unread: the other events a
	// dump makes keep one dump's close from folding into the last one's.
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_CLOSE_WRITE|unix.IN_CREATE|unix.IN_MOVED_TO|unix.IN_MODIFY); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("inotify watch %s: %w", dir, err)
	}
	w := &Watcher{f: os.NewFile(uintptr(fd), "inotify"), closed: map[string]int{}, changed: make(chan struct{})}
	w.wg.Add(1)
	go func() { // ends with Close
		defer w.wg.Done()
		w.read()
	}()
	return w, nil
}

// read collects events until Close, which ends its wait.
func (w *Watcher) read() {
	buf := make([]byte, 64<<10)
	for {
		n, err := w.f.Read(buf)
		if errors.Is(err, os.ErrClosed) {
			return
		}
		if err != nil {
			w.fail(err)
			return
		}
		w.mu.Lock()
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			mask := binary.NativeEndian.Uint32(buf[off+4:])
			nameLen := int(binary.NativeEndian.Uint32(buf[off+12:]))
			name := strings.TrimRight(string(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+nameLen]), "\x00")
			off += unix.SizeofInotifyEvent + nameLen
			if mask&unix.IN_Q_OVERFLOW != 0 && w.err == nil {
				w.err = errors.New("inotify queue overflow")
			}
			if mask&unix.IN_CLOSE_WRITE != 0 {
				w.closed[name]++
			}
		}
		close(w.changed)
		w.changed = make(chan struct{})
		w.mu.Unlock()
	}
}

func (w *Watcher) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = fmt.Errorf("inotify: %w", err)
	}
	close(w.changed)
	w.changed = make(chan struct{})
}

// Written is how many times file has been closed after writing so far.
func (w *Watcher) Written(file string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closed[file]
}

// Wait waits until every file of want has been written at least as many
// times as want says, or timeout passes, and returns the files that fell
// short (a daemon may fold a signal that comes while the same one is
// pending into one dump, as both do). It fails only if watching does.
func (w *Watcher) Wait(ctx context.Context, want map[string]int, timeout time.Duration) (short []string, err error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		w.mu.Lock()
		changed, werr := w.changed, w.err
		short = short[:0]
		for f, n := range want {
			if w.closed[f] < n {
				short = append(short, fmt.Sprintf("%s (%d of %d)", f, w.closed[f], n))
			}
		}
		w.mu.Unlock()
		if werr != nil {
			return short, werr
		}
		if len(short) == 0 {
			return nil, nil
		}
		select {
		case <-changed:
		case <-timer.C:
			return short, nil
		case <-ctx.Done():
			return short, ctx.Err()
		}
	}
}

// Close stops watching.
func (w *Watcher) Close() error {
	err := w.f.Close()
	w.wg.Wait()
	return err
}
