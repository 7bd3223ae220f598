package khoros

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
)

// stream is one file being walked token by token.
type stream struct {
	path string
	dec  *json.Decoder
	base int64 // bytes consumed before the decoder started (a BOM)
}

func newStream(path string, r io.Reader) *stream {
	br := bufio.NewReaderSize(r, 256<<10)
	s := &stream{path: path}
	if p, err := br.Peek(3); err == nil && bytes.Equal(p, bom) {
		br.Discard(3)
		s.base = 3
	}
	s.dec = json.NewDecoder(br)
	s.dec.UseNumber()
	return s
}

func (s *stream) offset() int64 { return s.base + s.dec.InputOffset() }

// fail turns a decoding error into an InputError naming the file, the record
// and the byte offset.
func (s *stream) fail(record string, off int64, err error, hint string) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		off = s.base + se.Offset
		if hint == "" {
			hint = "the file is not valid JSON: re-download it"
		}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		err = errors.New("file ends in the middle of a JSON value (truncated)")
		if hint == "" {
			hint = "re-download the file: it was cut off"
		}
		if off < 0 {
			off = s.offset()
		}
	}
	return &forum.InputError{Format: format, Path: s.path, Record: record, Offset: off, Err: err, Hint: hint}
}

// skipValue consumes the next value, however deep.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// readKey reads an object key (the decoder only returns strings there).
func readKey(dec *json.Decoder) (string, error) {
	t, err := dec.Token()
	if err != nil {
		return "", err
	}
	k, ok := t.(string)
	if !ok {
		return "", errf("expected an object key, found %v", t)
	}
	return k, nil
}

// expectDelim reads the next token and checks it is d. It returns the token
// when it is something else, for the error message.
func expectDelim(dec *json.Decoder, d json.Delim) (any, bool, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, false, err
	}
	got, ok := t.(json.Delim)
	return t, ok && got == d, nil
}

// describe names a JSON token for error messages.
func describe(t any) string {
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return strconv.Quote(string(v))
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "a value"
}

// walkPrefix feeds every scalar of a possibly cut-off JSON text to fn with
// the path of keys that leads to it ("[]" for array elements), and every key
// as soon as it is read, with the value keySeen{}. It stops at the first
// error or when fn returns false.
func walkPrefix(b []byte, fn func(path []string, v any) bool) {
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
			if !fn(path, keySeen{}) {
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

// keySeen is the value walkPrefix passes for a key whose value is not read yet.
type keySeen struct{}

// readerCache keeps a few files open for the ReadAt pass.
type readerCache struct {
	paths []string
	open  map[int32]*os.File
	order []int32
}

const maxOpenFiles = 8

func newReaderCache(paths []string) *readerCache {
	return &readerCache{paths: paths, open: map[int32]*os.File{}}
}

func (c *readerCache) readAt(file int32, off int64, n int32) ([]byte, error) {
	f, ok := c.open[file]
	if !ok {
		if len(c.order) >= maxOpenFiles {
			old := c.order[0]
			c.order = c.order[1:]
			c.open[old].Close()
			delete(c.open, old)
		}
		var err error
		f, err = os.Open(c.paths[file])
		if err != nil {
			return nil, err
		}
		c.open[file] = f
		c.order = append(c.order, file)
	}
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, off); err != nil {
		return nil, err
	}
	return buf, nil
}

func (c *readerCache) close() {
	for _, f := range c.open {
		f.Close()
	}
}

// flexID is an id that the API gives as a string or as an integer. It keeps
// the literal text: ids never pass through float64.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*f = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexID(s)
		return nil
	}
	digits := strings.TrimPrefix(string(b), "-")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return errf("id %s is neither a string nor an integer", truncate(string(b), 40))
	}
	*f = flexID(b)
	return nil
}

// flexInt is a count or score: a JSON number (integer or not), a numeric
// string or null.
type flexInt struct {
	n   int
	set bool
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*f = flexInt{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		*f = flexInt{n: clampInt(float64(i)), set: true}
		return nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return errf("%s is not a number", truncate(string(b), 40))
	}
	*f = flexInt{n: clampInt(x), set: true}
	return nil
}

func clampInt(x float64) int {
	const lim = 1 << 53
	switch {
	case x > lim:
		return lim
	case x < -lim:
		return -lim
	}
	return int(x)
}

// validID accepts the ids Khoros uses (digits, slugs) and refuses anything
// that could smuggle whitespace, separators or markup into paths and URLs.
func validID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// timeLayouts are the forms seen for Khoros times: RFC 3339 with
// milliseconds and an offset, sometimes without the colon in the offset.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05",
}

// parseTime parses a Khoros timestamp into UTC; "" gives the zero time.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errf("time %q is not RFC 3339", truncate(s, 40))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
