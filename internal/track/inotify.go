package track

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// inotifyEvent is one decoded inotify event.
type inotifyEvent struct {
	wd   int
	mask uint32
	name string
}

// parseEvents decodes the inotify events in buf, a read(2) from an inotify
// descriptor; a truncated trailing event is dropped.
func parseEvents(buf []byte) []inotifyEvent {
	var evs []inotifyEvent
	for len(buf) >= unix.SizeofInotifyEvent {
		n := int(binary.NativeEndian.Uint32(buf[12:16]))
		end := unix.SizeofInotifyEvent + n
		if end > len(buf) {
			break
		}
		name := buf[unix.SizeofInotifyEvent:end]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i] // the name is padded with NULs
		}
		evs = append(evs, inotifyEvent{
			wd:   int(int32(binary.NativeEndian.Uint32(buf[0:4]))),
			mask: binary.NativeEndian.Uint32(buf[4:8]),
			name: string(name),
		})
		buf = buf[end:]
	}
	return evs
}

// loop reads ino's events until ctx ends (which closes ino) and sends the
// value changes they cause.
func (t *FileTracker) loop(ctx context.Context, ino *os.File, ws []*watched, out chan<- FileUpdate) error {
	buf := make([]byte, 64*1024)
	for {
		n, err := ino.Read(buf)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("track files: read inotify: %w", err)
		}
		if n < unix.SizeofInotifyEvent {
			t.log.Info(fmt.Sprintf("inotify read() returned short length %d", n))
			continue
		}
		for _, ev := range parseEvents(buf[:n]) {
			for _, w := range t.handle(ev, ws) {
				if !send(ctx, out, FileUpdate{Name: w.name, Value: w.value}) {
					return nil
				}
			}
		}
	}
}

// handle applies one event to the files and returns those whose value it
// changed (src trackers/track_file.c process_inotify).
func (t *FileTracker) handle(ev inotifyEvent, ws []*watched) []*watched {
	if ev.mask&unix.IN_ISDIR != 0 {
		return nil
	}
	if ev.mask&watchMask == 0 {
		t.log.Info(fmt.Sprintf("Unknown inotify event 0x%x", ev.mask))
		if ev.mask&unix.IN_Q_OVERFLOW != 0 {
			// Events were lost: read every file again (keepalived does not).
			return t.rereadAll(ws)
		}
		return nil
	}
	var changed []*watched
	for _, w := range ws {
		if w.removed || w.wd != ev.wd || w.base != ev.name {
			continue
		}
		if ev.mask&(unix.IN_DELETE|unix.IN_MOVED_FROM) != 0 {
			// The file has gone: its value is 0.
			if w.value != 0 {
				w.value = 0
				changed = append(changed, w)
			}
			continue
		}
		if t.read(w) {
			changed = append(changed, w)
		}
	}
	return changed
}

// rereadAll reads every watched file and returns those whose value
// changed.
func (t *FileTracker) rereadAll(ws []*watched) []*watched {
	var changed []*watched
	for _, w := range ws {
		if !w.removed && t.read(w) {
			changed = append(changed, w)
		}
	}
	return changed
}
