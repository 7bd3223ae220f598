package kb

import (
	"bufio"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"os"
	"time"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// indexWriter writes a git index entry by entry, so that a sync of a
// million articles never holds a million go-git index entries: the
// entries come, sorted, from the old index merged with the changed paths.
// It writes version 2, or 3 when an entry needs extended flags, with no
// extensions (as go-git's encoder does; git rebuilds its caches).
type indexWriter struct {
	f       *os.File
	bw      *bufio.Writer
	sum     hash.Hash
	w       io.Writer
	version uint32
	left    int // entries the header announced and not written yet
	buf     []byte
}

// newIndexWriter starts an index of count entries in the file name.
func newIndexWriter(name string, count int, extended bool) (*indexWriter, error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	w := &indexWriter{f: f, bw: bufio.NewWriterSize(f, 1<<20), sum: sha1.New(), version: 2, left: count}
	if extended {
		w.version = 3
	}
	w.w = io.MultiWriter(w.bw, w.sum)
	hdr := binary.BigEndian.AppendUint32([]byte("DIRC"), w.version)
	hdr = binary.BigEndian.AppendUint32(hdr, uint32(count))
	w.w.Write(hdr) // errors surface at finish, from the buffered writer
	return w, nil
}

// add writes one entry; entries must come sorted by name, then stage.
func (w *indexWriter) add(e *index.Entry) error {
	if w.left == 0 {
		return fmt.Errorf("index: more entries than announced")
	}
	w.left--
	b := w.buf[:0]
	for _, t := range []time.Time{e.CreatedAt, e.ModifiedAt} {
		sec, nsec := uint32(0), uint32(0)
		if !t.IsZero() && t.Unix() >= 0 && t.UnixNano() >= 0 {
			sec, nsec = uint32(t.Unix()), uint32(t.Nanosecond())
		}
		b = binary.BigEndian.AppendUint32(b, sec)
		b = binary.BigEndian.AppendUint32(b, nsec)
	}
	for _, v := range []uint32{e.Dev, e.Inode, uint32(e.Mode), e.UID, e.GID, e.Size} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	b = append(b, e.Hash[:]...)
	flags := uint16(e.Stage&0x3)<<12 | uint16(min(len(e.Name), 0xfff))
	n := 62
	if e.IntentToAdd || e.SkipWorktree {
		if w.version < 3 {
			return fmt.Errorf("index: %s needs extended flags in a version %d index", e.Name, w.version)
		}
		var ext uint16
		if e.IntentToAdd {
			ext |= 1 << 13
		}
		if e.SkipWorktree {
			ext |= 1 << 14
		}
		b = binary.BigEndian.AppendUint16(b, flags|0x4000)
		b = binary.BigEndian.AppendUint16(b, ext)
		n += 2
	} else {
		b = binary.BigEndian.AppendUint16(b, flags)
	}
	b = append(b, e.Name...)
	for range 8 - (n+len(e.Name))%8 {
		b = append(b, 0)
	}
	w.buf = b
	_, err := w.w.Write(b)
	return err
}

// finish writes the checksum and makes the file durable.
func (w *indexWriter) finish() error {
	if w.left != 0 {
		w.abort()
		return fmt.Errorf("index: %d entries announced and not written", w.left)
	}
	_, err := w.bw.Write(w.sum.Sum(nil))
	if err == nil {
		err = w.bw.Flush()
	}
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(w.f.Name())
	}
	return err
}

// abort drops a half-written index.
func (w *indexWriter) abort() {
	w.f.Close()
	os.Remove(w.f.Name())
}
