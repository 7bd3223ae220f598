package jsonstream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/kbsync/kbsync/sync/forum"
)

var bom = []byte("\xef\xbb\xbf")

// TrimBOM drops a leading UTF-8 byte order mark.
func TrimBOM(b []byte) []byte { return bytes.TrimPrefix(b, bom) }

// Prefix reads at most n bytes from the start of path, for Sniff. A
// shorter file is read whole.
func Prefix(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, n)
	got, err := io.ReadFull(f, buf)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	return buf[:got], nil
}

// KeySeen is the value WalkPrefix passes for a key whose value is not read
// yet.
type KeySeen struct{}

// WalkPrefix feeds every scalar of a possibly cut-off JSON text to fn with
// the path of keys that leads to it ("[]" for array elements), and every
// key as soon as it is read, with the value KeySeen{}. It stops at the
// first error or when fn returns false. b must not start with a BOM.
func WalkPrefix(b []byte, fn func(path []string, v any) bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	type frame struct {
		obj     bool
		wantKey bool
	}
	var frames []frame
	var path []string
	valueDone := func() {
		if n := len(frames); n > 0 && frames[n-1].obj {
			frames[n-1].wantKey = true
			path = path[:len(path)-1]
		}
	}
	for {
		t, err := dec.Token()
		if err != nil {
			return
		}
		if n := len(frames); n > 0 && frames[n-1].obj && frames[n-1].wantKey {
			if d, ok := t.(json.Delim); ok && d == '}' {
				frames = frames[:n-1]
				valueDone()
				continue
			}
			k, _ := t.(string)
			path = append(path, k)
			frames[n-1].wantKey = false
			if !fn(path, KeySeen{}) {
				return
			}
			continue
		}
		switch t {
		case json.Delim('{'):
			frames = append(frames, frame{obj: true, wantKey: true})
			continue
		case json.Delim('['):
			frames = append(frames, frame{})
			path = append(path, "[]")
			continue
		case json.Delim(']'):
			frames = frames[:len(frames)-1]
			path = path[:len(path)-1]
			valueDone()
			continue
		}
		if !fn(path, t) {
			return
		}
		valueDone()
	}
}

// SniffFirst reports whether match accepts the first n bytes of path, or
// of the first file that forum.ExportFiles lists with exts when path is a
// folder. A folder without such a file is not a match; the error is for a
// path that cannot be read.
func SniffFirst(path string, n int, match func([]byte) bool, exts ...string) (bool, error) {
	files, isDir, err := forum.ExportFiles(path, exts...)
	if err != nil && !isDir {
		return false, err
	}
	if len(files) == 0 {
		return false, nil // a folder without export files is simply not this format
	}
	b, err := Prefix(files[0], n)
	if err != nil {
		return false, err
	}
	return match(b), nil
}

// SniffEach reports whether match accepts the first n bytes of every one
// of files. The error, for a file that cannot be read, names format and
// the file.
func SniffEach(format string, files []string, n int, match func([]byte) bool) (bool, error) {
	for _, name := range files {
		b, err := Prefix(name, n)
		if err != nil {
			return false, fmt.Errorf("%s: sniff %s: %w", format, name, err)
		}
		if !match(b) {
			return false, nil
		}
	}
	return true, nil
}
