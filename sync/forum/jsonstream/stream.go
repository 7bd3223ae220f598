// Package jsonstream holds the JSON plumbing that the forum export readers
// share, so that each reader keeps only its format's rules:
//
//   - Stream walks one file token by token with file byte offsets (a BOM
//     counted), reads whole records, and turns decoding errors into a
//     *forum.InputError that names the file, the record and the offset.
//   - SkipValue, SkipRest, ReadKey, ExpectDelim and Describe are the token
//     steps, and the wording of "is an array, want an object" messages.
//   - Prefix, TrimBOM, WalkPrefix, SniffFirst and SniffEach let Sniff look
//     at the cut-off start of export files.
//   - Loc and Records read records back by where they are, for readers that
//     index a first pass and join records in a second.
//   - FlexID, FlexInt and ID read ids and counts that APIs give as strings
//     or numbers, never through float64; ValidID, IDLess, ParseTime,
//     FieldError, RecordName and Truncate are the checks, orderings and
//     message parts that go with them.
//
// What differs between formats stays a parameter: the time layouts, the
// hints, the record names.
package jsonstream

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/kbsync/kbsync/sync/forum"
)

// Stream is one file being walked token by token. Its decoder gives
// numbers as json.Number.
type Stream struct {
	Format string // the forum format name, for errors
	Path   string
	Dec    *json.Decoder
	base   int64 // bytes consumed before the decoder started (a BOM)
	file   io.Closer
}

// New starts a Stream on r, which holds the file path. A leading UTF-8 BOM
// is skipped (encoding/json rejects it) but counted in offsets.
func New(format, path string, r io.Reader) *Stream {
	br := bufio.NewReaderSize(r, 256<<10)
	s := &Stream{Format: format, Path: path}
	if p, err := br.Peek(len(bom)); err == nil && bytes.Equal(p, bom) {
		br.Discard(len(bom))
		s.base = int64(len(bom))
	}
	s.Dec = json.NewDecoder(br)
	s.Dec.UseNumber()
	return s
}

// Open opens path and starts a Stream on it; Close closes the file. A file
// that cannot be opened is an InputError.
func Open(format, path string) (*Stream, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &forum.InputError{Format: format, Path: path, Offset: -1, Err: forum.PathCause(err)}
	}
	s := New(format, path, f)
	s.file = f
	return s, nil
}

// Close closes the file that Open opened; it does nothing for New.
func (s *Stream) Close() error {
	if s.file == nil {
		return nil
	}
	return s.file.Close()
}

// Offset is the file byte offset of the decoder: the end of the last token
// or value read.
func (s *Stream) Offset() int64 { return s.base + s.Dec.InputOffset() }

// Fail turns err into an InputError naming the file, record and byte
// offset (-1 when unknown). Syntax errors get their own offset, and the end
// of the file inside a value is reported as truncation; both get a hint
// when hint is empty.
func (s *Stream) Fail(record string, off int64, err error, hint string) error {
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
			off = s.Offset()
		}
	}
	return &forum.InputError{Format: s.Format, Path: s.Path, Record: record, Offset: off, Err: err, Hint: hint}
}

// Next reads the first token of the next top-level value and its offset.
// Between values, the end of the file is io.EOF; other errors are
// InputErrors, and record names the value in them.
func (s *Stream) Next(record string) (json.Token, int64, error) {
	off := s.Offset()
	t, err := s.Dec.Token()
	if err == io.EOF {
		return nil, off, err
	}
	if err != nil {
		return nil, off, s.Fail(record, off, err, "")
	}
	return t, off, nil
}

// Object walks the rest of an object whose '{' was read: for each key it
// calls field with the key and its offset, and field must consume the
// value. Then it reads the closing '}'. record names the object in errors.
func (s *Stream) Object(record string, field func(key string, off int64) error) error {
	for s.Dec.More() {
		off := s.Offset()
		key, err := ReadKey(s.Dec)
		if err != nil {
			return s.Fail(record, off, err, "")
		}
		if err := field(key, off); err != nil {
			return err
		}
	}
	return s.End(record)
}

// Skip consumes the next value, which starts at off.
func (s *Stream) Skip(record string, off int64) error {
	if err := SkipValue(s.Dec); err != nil {
		return s.Fail(record, off, err, "")
	}
	return nil
}

// End reads the closing delimiter of the object or array being walked,
// once Dec.More reports no more elements.
func (s *Stream) End(record string) error {
	if _, err := s.Dec.Token(); err != nil {
		return s.Fail(record, -1, err, "")
	}
	return nil
}

// Record decodes the next value whole and returns its bytes and the offset
// where they start, so that a reader can check it and keep only where it
// is. A record may hold a post body of postLimit bytes: escaping can double
// it, and 64 KiB is room for the other fields. A larger value is bad input;
// what names the record in the message ("message", "record").
func (s *Stream) Record(record, what string, postLimit int) (json.RawMessage, int64, error) {
	var raw json.RawMessage
	before := s.Offset()
	if err := s.Dec.Decode(&raw); err != nil {
		return nil, 0, s.Fail(record, before, err, "")
	}
	start := s.Offset() - int64(len(raw))
	if max := postLimit*2 + 64<<10; len(raw) > max {
		return nil, 0, &forum.InputError{Format: s.Format, Path: s.Path, Record: record, Offset: start,
			Err:  fmt.Errorf("%s is %d bytes, over the %d byte limit", what, len(raw), max),
			Hint: "raise the post size limit if this " + what + " is genuine"}
	}
	return raw, start, nil
}
