package stackexchange

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// rowScanner reads a Stack Exchange dump table (<posts><row .../>...</posts>)
// one row at a time. It accepts exactly the XML subset the dumps use and
// decodes an attribute only when asked, which makes the indexing pass over a
// multi-GB Posts.xml several times faster than encoding/xml, which allocates
// every attribute of every row. FuzzRowsAgainstEncodingXML holds it to
// encoding/xml's reading of the same bytes.
type rowScanner struct {
	r      *bufio.Reader
	off    int64 // bytes consumed so far
	root   string
	inRoot bool
	done   bool

	rowOff int64 // offset of the current row's '<'
	rows   int   // rows read so far (1-based number of the current row)
	tag    []byte
	attrs  []attr
	limit  int
}

type attr struct {
	name, raw []byte // raw is the undecoded value, valid until the next call
}

// errTruncated marks input that ended early.
var errTruncated = errors.New("unexpected end of file")

// scanError carries the offset at which the scanner failed.
type scanError struct {
	off int64
	row int
	err error
}

func (e *scanError) Error() string { return e.err.Error() }
func (e *scanError) Unwrap() error { return e.err }

func newRowScanner(r io.Reader, maxRow int) *rowScanner {
	return &rowScanner{r: bufio.NewReaderSize(r, 1<<20), limit: maxRow}
}

func (s *rowScanner) fail(off int64, format string, args ...any) error {
	return &scanError{off: off, row: s.rows, err: fmt.Errorf(format, args...)}
}

// readTag reads from '<' (already consumed) to the closing '>' of the tag,
// honouring quotes, into s.tag (without the '<' and '>').
func (s *rowScanner) readTag(start int64) error {
	s.tag = s.tag[:0]
	var quote byte
	for {
		chunk, err := s.r.ReadSlice('>')
		s.off += int64(len(chunk))
		for _, c := range chunk {
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			}
		}
		s.tag = append(s.tag, chunk...)
		if len(s.tag) > s.limit {
			return s.fail(start, "a row is larger than %d bytes", s.limit)
		}
		switch {
		case err == nil && quote == 0:
			s.tag = s.tag[:len(s.tag)-1]
			return nil
		case err == nil, errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return s.fail(s.off, "%w inside a tag", errTruncated)
		default:
			return s.fail(s.off, "%w", err)
		}
	}
}

// readUntil consumes bytes up to and including the terminator (for comments).
func (s *rowScanner) readUntil(term string, start int64) error {
	s.tag = s.tag[:0]
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return s.fail(s.off, "%w inside a comment", errTruncated)
			}
			return s.fail(s.off, "%w", err)
		}
		s.off++
		s.tag = append(s.tag, c)
		if bytes.HasSuffix(s.tag, []byte(term)) {
			return nil
		}
		if len(s.tag) > s.limit {
			return s.fail(start, "a comment is larger than %d bytes", s.limit)
		}
	}
}

// skipSpace consumes whitespace and reports whether a '<' follows.
func (s *rowScanner) skipSpace() (bool, error) {
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return false, nil
			}
			return false, s.fail(s.off, "%w", err)
		}
		s.off++
		switch c {
		case ' ', '\t', '\n', '\r':
		case '<':
			return true, nil
		case 0xEF: // a byte-order mark is allowed at the very start
			if s.off == 1 {
				b, err := s.r.Peek(2)
				if err == nil && b[0] == 0xBB && b[1] == 0xBF {
					s.r.Discard(2)
					s.off += 2
					continue
				}
			}
			return false, s.fail(s.off-1, "unexpected text outside a row")
		default:
			return false, s.fail(s.off-1, "unexpected text outside a row")
		}
	}
}

// Next advances to the next row. It returns false at the end of the table.
func (s *rowScanner) Next() (bool, error) {
	if s.done {
		return false, nil
	}
	for {
		lt, err := s.skipSpace()
		if err != nil {
			return false, err
		}
		if !lt {
			if s.inRoot || s.root == "" {
				return false, s.fail(s.off, "%w after row %d: the closing tag is missing", errTruncated, s.rows)
			}
			s.done = true
			return false, nil
		}
		start := s.off - 1
		if s.root != "" && !s.inRoot {
			return false, s.fail(start, "content after the closing </%s> tag", s.root)
		}
		next, err := s.r.Peek(1)
		if err != nil {
			return false, s.fail(s.off, "%w", errTruncated)
		}
		switch next[0] {
		case '?':
			if s.root != "" || s.rows > 0 {
				return false, s.fail(start, "processing instruction inside the table")
			}
			if err := s.readUntil("?>", start); err != nil {
				return false, err
			}
			continue
		case '!':
			b, _ := s.r.Peek(3)
			if bytes.Equal(b, []byte("!--")) {
				if err := s.readUntil("-->", start); err != nil {
					return false, err
				}
				continue
			}
			if err := s.readTag(start); err != nil {
				return false, err
			}
			if !bytes.HasPrefix(s.tag, []byte("!DOCTYPE")) || s.root != "" {
				return false, s.fail(start, "unexpected <%s>", clip(s.tag))
			}
			if bytes.ContainsAny(s.tag, "[") {
				return false, s.fail(start, "a DOCTYPE with an internal subset (entity declarations) is not supported")
			}
			continue // an external DTD is never fetched
		}
		if err := s.readTag(start); err != nil {
			return false, err
		}
		tag := s.tag
		if len(tag) == 0 {
			return false, s.fail(start, "malformed tag <>")
		}
		if tag[0] == '/' {
			name := string(bytes.TrimRight(tag[1:], " \t\r\n"))
			if !s.inRoot || name != s.root {
				return false, s.fail(start, "unexpected closing tag </%s>", clip([]byte(name)))
			}
			s.inRoot = false
			continue
		}
		selfClosing := tag[len(tag)-1] == '/'
		if selfClosing {
			tag = tag[:len(tag)-1]
		}
		if len(tag) == 0 {
			return false, s.fail(start, "malformed tag </>")
		}
		name, rest := splitName(tag)
		if len(name) == 0 || !validName(name) {
			return false, s.fail(start, "malformed tag <%s>", clip(tag))
		}
		if !s.inRoot {
			if s.root != "" {
				return false, s.fail(start, "a second root element <%s>", clip(name))
			}
			if selfClosing {
				s.root = string(name)
				continue // an empty table: <posts/>
			}
			s.root, s.inRoot = string(name), true
			if err := s.parseAttrs(rest, start); err != nil {
				return false, err
			}
			continue
		}
		if string(name) != "row" {
			return false, s.fail(start, "unexpected element <%s> (expected <row>)", clip(name))
		}
		s.rows++
		s.rowOff = start
		if err := s.parseAttrs(rest, start); err != nil {
			return false, err
		}
		if !selfClosing {
			if err := s.expectRowEnd(); err != nil {
				return false, err
			}
		}
		return true, nil
	}
}

// expectRowEnd accepts <row ...></row>, the long form of an empty row.
func (s *rowScanner) expectRowEnd() error {
	// Keep the row's attributes: they point into s.tag, so read the end tag
	// into a separate buffer.
	saved := s.tag
	s.tag = nil
	defer func() { s.tag = saved }()
	lt, err := s.skipSpace()
	if err != nil {
		return err
	}
	if !lt {
		return s.fail(s.off, "%w: <row> is not closed", errTruncated)
	}
	start := s.off - 1
	if err := s.readTag(start); err != nil {
		return err
	}
	if string(bytes.TrimRight(s.tag, " \t\r\n")) != "/row" {
		return s.fail(start, "a row must be empty; found <%s> inside it", clip(s.tag))
	}
	return nil
}

func (s *rowScanner) parseAttrs(b []byte, start int64) error {
	s.attrs = s.attrs[:0]
	for {
		b = trimSpace(b)
		if len(b) == 0 {
			return nil
		}
		eq := bytes.IndexByte(b, '=')
		if eq <= 0 {
			return s.fail(start, "malformed attribute %q", clip(b))
		}
		name := bytes.TrimRight(b[:eq], " \t\r\n")
		if !validName(name) {
			return s.fail(start, "malformed attribute name %q", clip(name))
		}
		b = trimSpace(b[eq+1:])
		if len(b) == 0 || (b[0] != '"' && b[0] != '\'') {
			return s.fail(start, "attribute %s has no quoted value", name)
		}
		q := b[0]
		end := bytes.IndexByte(b[1:], q)
		if end < 0 {
			return s.fail(start, "attribute %s is not closed", name)
		}
		raw := b[1 : 1+end]
		if bytes.IndexByte(raw, '<') >= 0 {
			return s.fail(start, "attribute %s contains '<'", name)
		}
		for _, a := range s.attrs {
			if bytes.Equal(a.name, name) {
				return s.fail(start, "attribute %s appears twice", name)
			}
		}
		s.attrs = append(s.attrs, attr{name: name, raw: raw})
		rest := b[2+end:]
		if len(rest) > 0 && !isSpace(rest[0]) {
			return s.fail(start, "attributes must be separated by spaces after %s", name)
		}
		b = rest
	}
}

// Raw returns the undecoded value of the named attribute of the current row.
func (s *rowScanner) Raw(name string) ([]byte, bool) {
	for _, a := range s.attrs {
		if string(a.name) == name {
			return a.raw, true
		}
	}
	return nil, false
}

// Attr returns the decoded value of the named attribute of the current row.
func (s *rowScanner) Attr(name string) (string, bool, error) {
	raw, ok := s.Raw(name)
	if !ok {
		return "", false, nil
	}
	v, err := decodeValue(raw)
	if err != nil {
		return "", true, s.fail(s.rowOff, "attribute %s: %w", name, err)
	}
	return v, true, nil
}

// Int returns an integer attribute; absent attributes give 0, false.
func (s *rowScanner) Int(name string) (int64, bool, error) {
	raw, ok := s.Raw(name)
	if !ok {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, true, s.fail(s.rowOff, "attribute %s is not an integer: %q", name, clip(raw))
	}
	return n, true, nil
}

// validateAll decodes every attribute of the row, so that a damaged row is
// reported by the indexing pass, before anything is written.
func (s *rowScanner) validateAll() error {
	for _, a := range s.attrs {
		if err := checkValue(a.raw); err != nil {
			return s.fail(s.rowOff, "attribute %s: %w", a.name, err)
		}
	}
	return nil
}

var entities = map[string]string{"lt": "<", "gt": ">", "amp": "&", "quot": `"`, "apos": "'"}

// checkValue validates an attribute value without building the decoded string.
func checkValue(raw []byte) error {
	if bytes.IndexByte(raw, '&') < 0 {
		return checkChars(raw)
	}
	_, err := decodeValue(raw)
	return err
}

func checkChars(b []byte) error {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return fmt.Errorf("illegal character code U+%04X", c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return errors.New("invalid UTF-8")
		}
		if !inCharRange(r) {
			return fmt.Errorf("illegal character code U+%04X", r)
		}
		i += n
	}
	return nil
}

// decodeValue resolves the predefined and numeric character references and
// turns literal CR LF into LF, as encoding/xml does.
func decodeValue(raw []byte) (string, error) {
	if err := checkChars(raw); err != nil {
		return "", err
	}
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		return string(raw), nil
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '\r':
			out = append(out, '\n')
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			continue
		case '&':
		default:
			out = append(out, c)
			continue
		}
		semi := bytes.IndexByte(raw[i:], ';')
		if semi < 0 {
			return "", errors.New("unterminated character entity")
		}
		ent := string(raw[i+1 : i+semi])
		i += semi
		if len(ent) > 1 && ent[0] == '#' {
			var n uint64
			var err error
			if ent[1] == 'x' {
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			} else {
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			}
			if err != nil || !inCharRange(rune(n)) {
				return "", fmt.Errorf("invalid character entity &%s;", clip([]byte(ent)))
			}
			out = utf8.AppendRune(out, rune(n))
			continue
		}
		v, ok := entities[ent]
		if !ok {
			return "", fmt.Errorf("invalid character entity &%s;", clip([]byte(ent)))
		}
		out = append(out, v...)
	}
	return string(out), nil
}

func inCharRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

func splitName(tag []byte) (name, rest []byte) {
	for i, c := range tag {
		if isSpace(c) {
			return tag[:i], tag[i:]
		}
	}
	return tag, nil
}

func validName(b []byte) bool {
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == ':':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return len(b) > 0
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	return b
}

// clip shortens a fragment of input for an error message.
func clip(b []byte) string {
	const max = 40
	s := string(b)
	if len(s) > max {
		s = s[:max] + "..."
	}
	return strconv.Quote(s)[1 : len(strconv.Quote(s))-1]
}
