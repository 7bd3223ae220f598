package stackexchange

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"regexp"
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
	bom    bool // the input starts with a byte-order mark

	rowOff int64 // offset of the current row's '<'
	rows   int   // rows read so far (1-based number of the current row)
	// between is set while looking for the next row, so that a failure there
	// names "after row N" rather than row N itself.
	between bool
	// cut: the input is a chunk that ends between two rows, inside the
	// root element; its end is not the end of the file.
	cut   bool
	tag   []byte
	attrs []attr
	limit int
}

type attr struct {
	name, raw []byte // raw is the undecoded value, valid until the next call
}

// errTruncated marks input that ended early.
var errTruncated = errors.New("unexpected end of file")

// scanError carries the offset at which the scanner failed and the row
// concerned (0: before the first row).
type scanError struct {
	off   int64
	row   int
	after bool // the failure lies after that row, not inside it
	err   error
}

func (e *scanError) Error() string { return e.err.Error() }
func (e *scanError) Unwrap() error { return e.err }

// Buffer sizes: large for a streaming pass, small for reading one row back
// (bufio fills its whole buffer from a ReadAt, so 1 MiB per row read back
// would copy megabytes for every thread).
const (
	streamBuf = 1 << 20
	rowBuf    = 16 << 10
)

func newRowScanner(r io.Reader, maxRow, bufSize int) *rowScanner {
	return &rowScanner{r: bufio.NewReaderSize(r, bufSize), limit: maxRow}
}

func (s *rowScanner) fail(off int64, format string, args ...any) error {
	return &scanError{off: off, row: s.rows, after: s.between, err: fmt.Errorf(format, args...)}
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
		case errors.Is(err, io.EOF) && quote != 0:
			return s.fail(s.off, "%w inside a tag: a quote opened in it is never closed", errTruncated)
		case errors.Is(err, io.EOF):
			return s.fail(s.off, "%w inside a tag", errTruncated)
		default:
			return s.fail(s.off, "%w", err)
		}
	}
}

// readPI reads a processing instruction ('<' consumed, '?' buffered) into
// s.tag, from that '?' to the closing "?>" included.
func (s *rowScanner) readPI(start int64) error {
	s.tag = s.tag[:0]
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return s.fail(s.off, "%w inside a processing instruction", errTruncated)
			}
			return s.fail(s.off, "%w", err)
		}
		s.off++
		s.tag = append(s.tag, c)
		if len(s.tag) == 2 && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':') {
			return s.fail(start, "a processing instruction needs a target name")
		}
		// len > 2: the '?' that opens "<?" does not also close it.
		if len(s.tag) > 2 && c == '>' && s.tag[len(s.tag)-2] == '?' {
			return nil
		}
		if len(s.tag) > s.limit {
			return s.fail(start, "a processing instruction is larger than %d bytes", s.limit)
		}
	}
}

// xmlDecl is the XML declaration the scanner accepts after "<?xml". It is
// stricter than the XML spec so that encoding/xml, whose own reading of the
// declaration is loose, finds the same version and encoding in it.
var xmlDecl = regexp.MustCompile(`^[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*("1\.0"|'1\.0')` +
	`([ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*("(?i:utf-8)"|'(?i:utf-8)'))?` +
	`([ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*("yes"|'yes'|"no"|'no'))?[ \t\r\n]*$`)

// checkPI accepts the XML declaration at the very start and other
// processing instructions in the prolog.
func (s *rowScanner) checkPI(start int64) error {
	body := s.tag[1 : len(s.tag)-2] // between "<?" and "?>"
	n := 0
	for n < len(body) && !isSpace(body[n]) {
		n++
	}
	target := body[:n]
	if !validName(target) {
		return s.fail(start, "a processing instruction needs a target name")
	}
	if !bytes.EqualFold(target, []byte("xml")) {
		return nil
	}
	if string(target) != "xml" || !(start == 0 || s.bom && start == 3) {
		return s.fail(start, "the XML declaration must come first in the file")
	}
	if !xmlDecl.Match(body[n:]) {
		return s.fail(start, "unsupported XML declaration <%s> (expected version 1.0 and UTF-8)", clip(s.tag))
	}
	return nil
}

// readComment reads a comment ('<' consumed, "!--" buffered) by the rule
// encoding/xml applies: the first "--" ends it and must be followed by '>'.
func (s *rowScanner) readComment(start int64) error {
	s.r.Discard(3)
	s.off += 3
	var b0, b1 byte
	for n := 0; ; n++ {
		c, err := s.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return s.fail(s.off, "%w inside a comment", errTruncated)
			}
			return s.fail(s.off, "%w", err)
		}
		s.off++
		if b0 == '-' && b1 == '-' {
			if c != '>' {
				return s.fail(s.off-3, `"--" inside a comment`)
			}
			return nil
		}
		b0, b1 = b1, c
		if n > s.limit {
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
				if len(b) == 2 && b[0] == 0xBB && b[1] == 0xBF {
					s.r.Discard(2)
					s.off += 2
					s.bom = true
					continue
				}
				if err != nil && bytes.HasPrefix([]byte{0xBB, 0xBF}, b) {
					return false, s.fail(s.off+int64(len(b)), "%w inside the byte-order mark", errTruncated)
				}
			}
			return false, s.textErr()
		default:
			return false, s.textErr()
		}
	}
}

func (s *rowScanner) textErr() error {
	if s.root != "" && !s.inRoot {
		return s.fail(s.off-1, "content after the closing </%s> tag", s.root)
	}
	return s.fail(s.off-1, "unexpected text outside a row")
}

// Next advances to the next row. It returns false at the end of the table.
func (s *rowScanner) Next() (bool, error) {
	if s.done {
		return false, nil
	}
	s.between = true
	for {
		lt, err := s.skipSpace()
		if err != nil {
			return false, err
		}
		if !lt {
			switch {
			case s.cut && s.inRoot:
				s.done = true
				return false, nil
			case s.root == "":
				return false, s.fail(s.off, "%w before the table's root element", errTruncated)
			case s.inRoot:
				return false, s.fail(s.off, "%w after row %d: the closing </%s> tag is missing", errTruncated, s.rows, s.root)
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
			return false, s.fail(s.off, "%w after '<'", errTruncated)
		}
		switch next[0] {
		case '?':
			if s.root != "" {
				return false, s.fail(start, "processing instruction inside the table")
			}
			if err := s.readPI(start); err != nil {
				return false, err
			}
			if err := s.checkPI(start); err != nil {
				return false, err
			}
			continue
		case '!':
			b, _ := s.r.Peek(3)
			if bytes.Equal(b, []byte("!--")) {
				if err := s.readComment(start); err != nil {
					return false, err
				}
				continue
			}
			if err := s.readTag(start); err != nil {
				return false, err
			}
			if !bytes.HasPrefix(s.tag, []byte("!DOCTYPE")) || len(s.tag) < 9 || !isSpace(s.tag[8]) || s.root != "" {
				return false, s.fail(start, "unexpected <%s>", clip(s.tag))
			}
			// '[' opens an internal subset; '<' markup that encoding/xml
			// would nest, reading the rest of the file differently.
			if bytes.ContainsAny(s.tag, "[<") {
				return false, s.fail(start, "a DOCTYPE with an internal subset (entity declarations) is not supported")
			}
			continue // an external DTD is never fetched
		}
		if s.inRoot {
			// Whatever this tag is, it stands where the next row would.
			s.rows++
			s.between = false
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
			s.rows--
			s.between = true
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
			// The root's attributes are not used, but must be well-formed.
			if err := s.parseAttrs(rest, start); err != nil {
				return false, err
			}
			if err := s.checkAttrs(start); err != nil {
				return false, err
			}
			s.root, s.inRoot = string(name), !selfClosing // <posts/> is an empty table
			continue
		}
		if string(name) != "row" {
			return false, s.fail(start, "unexpected element <%s> (expected <row>)", clip(name))
		}
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
			return s.fail(start, "malformed attribute \"%s\"", clip(b))
		}
		name := bytes.TrimRight(b[:eq], " \t\r\n")
		if !validName(name) {
			return s.fail(start, "malformed attribute name \"%s\"", clip(name))
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

// Int returns an integer attribute; absent attributes give 0, false. The
// dumps write ids and counts as plain decimals, so no entity is decoded.
func (s *rowScanner) Int(name string) (int64, bool, error) {
	raw, ok := s.Raw(name)
	if !ok {
		return 0, false, nil
	}
	n, ok := parseInt(raw)
	if !ok {
		return 0, true, s.fail(s.rowOff, "attribute %s is not an integer: \"%s\"", name, clip(raw))
	}
	return n, true, nil
}

// parseInt is strconv.ParseInt(string(b), 10, 64) without the allocation.
func parseInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case neg && n <= 1<<63:
		return -int64(n), true
	case !neg && n < 1<<63:
		return int64(n), true
	}
	return 0, false
}

// validateAll decodes every attribute of the row, so that a damaged row is
// reported by the indexing pass, before anything is written.
func (s *rowScanner) validateAll() error { return s.checkAttrs(s.rowOff) }

// checkAttrs decodes every attribute into a reused buffer, so that
// validation allocates nothing per row.
func (s *rowScanner) checkAttrs(off int64) error {
	for _, a := range s.attrs {
		var err error
		if err = checkChars(a.raw); err == nil {
			err = checkEntities(a.raw)
		}
		if err != nil {
			return s.fail(off, "attribute %s: %w", a.name, err)
		}
	}
	return nil
}

var entities = map[string]string{"lt": "<", "gt": ">", "amp": "&", "quot": `"`, "apos": "'"}

// predefined reports whether ent names one of XML's entities; a switch,
// because a dump's bodies hold millions of them and a map lookup hashes.
func predefined(ent []byte) bool {
	switch string(ent) {
	case "lt", "gt", "amp", "quot", "apos":
		return true
	}
	return false
}

// checkChars reports a byte sequence that is not valid UTF-8 or holds a
// character XML forbids. It runs over every byte of a dump, so printable
// ASCII, most of the text, is skipped eight bytes at a time.
func checkChars(b []byte) error {
	const lo, hi = 0x2020202020202020, 0x8080808080808080
	for i := 0; i < len(b); {
		if i+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i:])
			// No byte below 0x20 and none with the high bit set.
			if (x-lo)&^x&hi == 0 && x&hi == 0 {
				i += 8
				continue
			}
		}
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

// checkEntities validates the character references of a value without
// decoding it.
func checkEntities(raw []byte) error {
	for i := bytes.IndexByte(raw, '&'); i >= 0; i = bytes.IndexByte(raw, '&') {
		rest := raw[i+1:]
		semi := bytes.IndexByte(rest, ';')
		if semi < 0 {
			return errors.New("unterminated character entity")
		}
		ent := rest[:semi]
		if len(ent) > 1 && ent[0] == '#' {
			var n uint64
			var err error
			if ent[1] == 'x' {
				n, err = strconv.ParseUint(string(ent[2:]), 16, 32)
			} else {
				n, err = strconv.ParseUint(string(ent[1:]), 10, 32)
			}
			if err != nil || !inCharRange(rune(n)) {
				return fmt.Errorf("invalid character entity &%s;", clip(ent))
			}
		} else if !predefined(ent) {
			return fmt.Errorf("invalid character entity &%s;", clip(ent))
		}
		raw = rest[semi+1:]
	}
	return nil
}

// decodeValue resolves the predefined and numeric character references and
// turns literal CR LF into LF, as encoding/xml does.
func decodeValue(raw []byte) (string, error) {
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		if err := checkChars(raw); err != nil {
			return "", err
		}
		return string(raw), nil
	}
	out, err := appendDecoded(make([]byte, 0, len(raw)), raw)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// appendDecoded appends the decoded value of raw to out. Literal characters
// are checked on raw and character references by their code point, which
// together check the decoded value as encoding/xml does. encoding/xml lets a
// reference to a surrogate (&#xD800;) through as U+FFFD; this refuses it.
func appendDecoded(out, raw []byte) ([]byte, error) {
	if err := checkChars(raw); err != nil {
		return out, err
	}
	for i := 0; i < len(raw); i++ {
		// Text runs between references and CRs go over in one copy: a
		// body's markup is all references (&lt;p&gt;).
		j := i
		for j < len(raw) && raw[j] != '&' && raw[j] != '\r' {
			j++
		}
		out = append(out, raw[i:j]...)
		if i = j; i == len(raw) {
			break
		}
		if raw[i] == '\r' {
			out = append(out, '\n')
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			continue
		}
		semi := bytes.IndexByte(raw[i:], ';')
		if semi < 0 {
			return out, errors.New("unterminated character entity")
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
				return out, fmt.Errorf("invalid character entity &%s;", clip([]byte(ent)))
			}
			out = utf8.AppendRune(out, rune(n))
			continue
		}
		v, ok := entities[ent]
		if !ok {
			return out, fmt.Errorf("invalid character entity &%s;", clip([]byte(ent)))
		}
		out = append(out, v...)
	}
	return out, nil
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

// validName accepts ASCII XML names with at most one colon (encoding/xml
// refuses a name with two).
func validName(b []byte) bool {
	colons := 0
	for i, c := range b {
		switch {
		case c == ':':
			colons++
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return len(b) > 0 && colons <= 1
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
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
