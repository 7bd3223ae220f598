package github

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/forum/jsonstream"
)

// errTooBig is returned by the budget reader when one JSON value runs past
// the cap, so that a hostile file cannot make one Decode eat all memory.
var errTooBig = errors.New("record too large")

// budgetReader fails once more than left bytes are read since the last reset.
type budgetReader struct {
	r    io.Reader
	left int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errTooBig
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

// stream walks one file. Any shape the package accepts is reached from run.
type stream struct {
	ctx    context.Context
	path   string
	opts   forum.Options
	dec    *json.Decoder
	budget *budgetReader
	cap    int64
	seen   map[string]string // thread id -> where it was first seen
	yield  func(*forum.Thread) error

	nodes     int    // Discussion nodes met so far in this file
	responses int    // GraphQL responses (pages) met so far in this file
	rec       string // the record being read, for error messages
}

// recordCap bounds one JSON value: a node holds a question, an answer and up
// to 50 comments, each with Markdown and maybe HTML.
func recordCap(opts forum.Options) int64 { return 16*int64(opts.PostLimit()) + 1<<20 }

func decodeStream(ctx context.Context, path string, r io.Reader, opts forum.Options, seen map[string]string, yield func(*forum.Thread) error) error {
	s := &stream{ctx: ctx, path: path, opts: opts, seen: seen, yield: yield, cap: recordCap(opts)}
	s.budget = &budgetReader{r: bufio.NewReaderSize(r, 64<<10)}
	s.dec = json.NewDecoder(s.budget)
	s.dec.UseNumber()
	return s.run()
}

// run reads top-level values until the end of the file: one response, one
// array, or several of either (gh --paginate, JSON Lines).
func (s *stream) run() error {
	values := 0
	for {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		s.budget.left = s.cap
		tok, err := s.dec.Token()
		if err == io.EOF {
			if values == 0 {
				return s.fail(-1, errors.New("no JSON value in file"), "the file is empty; re-run the export")
			}
			return nil
		}
		if err != nil {
			return s.jsonErr(err)
		}
		values++
		switch tok {
		case json.Delim('{'):
			err = s.object(s.dec.InputOffset() - 1)
		case json.Delim('['):
			err = s.array()
		default:
			err = s.fail(s.dec.InputOffset(), fmt.Errorf("top-level value is %s, not an object or array", jsonstream.Describe(tok)), hintShape)
		}
		if err != nil {
			return err
		}
	}
}

const hintShape = "expected GitHub Discussions: GraphQL responses, an array or JSON Lines of Discussion nodes; see the export command in the github package docs"

// next reads a token inside a value, where the end of the file means truncation.
func (s *stream) next() (json.Token, error) {
	s.budget.left = s.cap
	tok, err := s.dec.Token()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, s.jsonErr(err)
	}
	return tok, nil
}

// key reads an object key; the decoder returns only strings there.
func (s *stream) key() (string, error) {
	tok, err := s.next()
	if err != nil {
		return "", err
	}
	key, _ := tok.(string)
	return key, nil
}

func (s *stream) expect(d json.Delim) error {
	tok, err := s.next()
	if err != nil {
		return err
	}
	if tok != d {
		return s.fail(s.dec.InputOffset(), fmt.Errorf("found %s where %q was expected", jsonstream.Describe(tok), string(d)), hintShape)
	}
	return nil
}

// array is a top-level array: of nodes, or of responses (gh --slurp).
func (s *stream) array() error {
	for i := 1; s.dec.More(); i++ {
		tok, err := s.next()
		if err != nil {
			return err
		}
		if tok != json.Delim('{') {
			s.rec = fmt.Sprintf("array element %d", i)
			return s.fail(s.dec.InputOffset(), fmt.Errorf("element is %s, not a Discussion object", jsonstream.Describe(tok)), hintShape)
		}
		if err := s.object(s.dec.InputOffset() - 1); err != nil {
			return err
		}
	}
	return s.expect(json.Delim(']'))
}

// object follows an opening brace: its first key tells a GraphQL response
// from a Discussion node.
func (s *stream) object(start int64) error {
	if !s.dec.More() {
		s.nodes++
		s.rec = fmt.Sprintf("node %d", s.nodes)
		return s.fail(start, errors.New("empty object is not a Discussion"), hintShape)
	}
	key, err := s.key()
	if err != nil {
		return err
	}
	switch key {
	case "data", "errors", "extensions":
		return s.response(key)
	}
	return s.nodeFromKeys(start, key)
}

// response reads the rest of a GraphQL response whose first key is first.
func (s *stream) response(first string) error {
	s.responses++
	page := fmt.Sprintf("response %d", s.responses)
	s.rec = page
	found := false
	var gqlErrs []string
	key := first
	for {
		switch key {
		case "data":
			tok, err := s.next()
			if err != nil {
				return err
			}
			switch tok {
			case nil:
			case json.Delim('{'):
				if err := s.data(0, &found); err != nil {
					return err
				}
			default:
				return s.fail(s.dec.InputOffset(), fmt.Errorf("data is %s, not an object", jsonstream.Describe(tok)), hintShape)
			}
		case "errors":
			var errs []struct {
				Message string `json:"message"`
				Type    string `json:"type"`
			}
			s.budget.left = s.cap
			if err := s.dec.Decode(&errs); err != nil {
				return s.jsonErr(err)
			}
			for _, e := range errs {
				m := forum.OneLine(e.Message)
				if e.Type != "" {
					m = forum.OneLine(e.Type) + ": " + m
				}
				gqlErrs = append(gqlErrs, m)
			}
			if len(errs) == 0 {
				gqlErrs = append(gqlErrs, "(empty errors list)")
			}
		default:
			if err := s.skip(); err != nil {
				return err
			}
		}
		if !s.dec.More() {
			break
		}
		var err error
		if key, err = s.key(); err != nil {
			return err
		}
	}
	if err := s.expect(json.Delim('}')); err != nil {
		return err
	}
	s.rec = page
	if len(gqlErrs) > 0 {
		if len(gqlErrs) > 3 {
			gqlErrs = append(gqlErrs[:3], fmt.Sprintf("and %d more", len(gqlErrs)-3))
		}
		return s.fail(s.dec.InputOffset(), fmt.Errorf("GraphQL error: %s", strings.Join(gqlErrs, "; ")),
			"the export ran into an API error; fix the query or token and export again")
	}
	if !found {
		return s.fail(s.dec.InputOffset(), errors.New("GraphQL response holds no discussions connection"),
			"expected data.repository.discussions{nodes} (or edges); use the export command in the github package docs")
	}
	return nil
}

// data looks for a discussions connection (or one discussion) under data,
// whatever the path to it: repository, node(id:), organization...
func (s *stream) data(depth int, found *bool) error {
	for s.dec.More() {
		key, err := s.key()
		if err != nil {
			return err
		}
		val, err := s.next()
		if err != nil {
			return err
		}
		switch {
		case key == "discussions":
			*found = true
			if err := s.connection(val); err != nil {
				return err
			}
		case key == "discussion" && val == json.Delim('{'):
			*found = true
			if err := s.object(s.dec.InputOffset() - 1); err != nil {
				return err
			}
		case val == json.Delim('{') && depth < 4:
			if err := s.data(depth+1, found); err != nil {
				return err
			}
		default:
			if err := s.skipAfter(val); err != nil {
				return err
			}
		}
	}
	return s.expect(json.Delim('}'))
}

// connection reads {nodes:[...]} or {edges:[{node:...}]} after its first token.
func (s *stream) connection(first json.Token) error {
	if first == nil {
		return nil
	}
	if first != json.Delim('{') {
		return s.fail(s.dec.InputOffset(), fmt.Errorf("discussions is %s, not a connection object", jsonstream.Describe(first)), hintShape)
	}
	for s.dec.More() {
		key, err := s.key()
		if err != nil {
			return err
		}
		switch key {
		case "nodes":
			if err := s.elements(s.decodeNode); err != nil {
				return err
			}
		case "edges":
			if err := s.elements(s.edge); err != nil {
				return err
			}
		default:
			if err := s.skip(); err != nil {
				return err
			}
		}
	}
	return s.expect(json.Delim('}'))
}

// elements reads an array, calling each for every element.
func (s *stream) elements(each func() error) error {
	if err := s.expect(json.Delim('[')); err != nil {
		return err
	}
	for s.dec.More() {
		if err := each(); err != nil {
			return err
		}
	}
	return s.expect(json.Delim(']'))
}

func (s *stream) edge() error {
	if err := s.expect(json.Delim('{')); err != nil {
		return err
	}
	for s.dec.More() {
		key, err := s.key()
		if err != nil {
			return err
		}
		if key == "node" {
			if err := s.decodeNode(); err != nil {
				return err
			}
			continue
		}
		if err := s.skip(); err != nil {
			return err
		}
	}
	return s.expect(json.Delim('}'))
}

// decodeNode decodes the next value as one Discussion node.
func (s *stream) decodeNode() error {
	s.nodes++
	s.rec = fmt.Sprintf("node %d", s.nodes)
	start := s.dec.InputOffset()
	var n rawNode
	s.budget.left = s.cap
	if err := s.dec.Decode(&n); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return s.jsonErr(err)
	}
	return s.emit(&n, start)
}

// nodeFromKeys reads the rest of an object whose opening brace and first key
// are already consumed, and decodes it as a node. A node is small, so it is
// rebuilt in memory key by key.
func (s *stream) nodeFromKeys(start int64, first string) error {
	s.nodes++
	s.rec = fmt.Sprintf("node %d", s.nodes)
	var buf bytes.Buffer
	buf.WriteByte('{')
	key := first
	for {
		k, _ := json.Marshal(key)
		buf.Write(k)
		buf.WriteByte(':')
		var raw json.RawMessage
		s.budget.left = s.cap
		if err := s.dec.Decode(&raw); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return s.jsonErr(err)
		}
		buf.Write(raw)
		if int64(buf.Len()) > s.cap {
			return s.jsonErr(errTooBig)
		}
		if !s.dec.More() {
			break
		}
		buf.WriteByte(',')
		var err error
		if key, err = s.key(); err != nil {
			return err
		}
	}
	if err := s.expect(json.Delim('}')); err != nil {
		return err
	}
	buf.WriteByte('}')
	var n rawNode
	d := json.NewDecoder(&buf)
	d.UseNumber()
	if err := d.Decode(&n); err != nil {
		return s.fail(start, typeErr(err), hintShape)
	}
	return s.emit(&n, start)
}

// emit maps a node, checks it against the others and yields it.
func (s *stream) emit(n *rawNode, start int64) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	t, err := n.thread(s.opts)
	if t != nil {
		s.rec = fmt.Sprintf("discussion %s (node %d)", t.ID, s.nodes)
	} else if num := n.label(); num != "" {
		s.rec = fmt.Sprintf("discussion %s (node %d)", num, s.nodes)
	}
	if err != nil {
		hint := hintShape
		var h *hinted
		if errors.As(err, &h) {
			hint = h.hint
		}
		return s.fail(start, err, hint)
	}
	where := fmt.Sprintf("node %d of %s", s.nodes, filepath.Base(s.path))
	if prev, dup := s.seen[t.ID]; dup {
		return s.fail(start, fmt.Errorf("duplicate discussion number %s, first seen at %s", t.ID, prev),
			"the export holds this discussion twice, from overlapping pages or files; remove one copy")
	}
	s.seen[t.ID] = where
	return s.yield(t)
}

// skip reads and drops the next value without keeping it.
func (s *stream) skip() error {
	tok, err := s.next()
	if err != nil {
		return err
	}
	return s.skipAfter(tok)
}

// skipAfter drops the rest of a value whose first token is tok.
func (s *stream) skipAfter(tok json.Token) error {
	if tok != json.Delim('{') && tok != json.Delim('[') {
		return nil
	}
	return jsonstream.SkipRest(s.next) // next checks the budget at every token
}

// fail builds the InputError for the current record.
func (s *stream) fail(off int64, err error, hint string) error {
	return &forum.InputError{Format: forum.GitHub, Path: s.path, Record: s.rec, Offset: off, Err: err, Hint: hint}
}

// jsonErr turns a decoder error into an InputError with the best offset known.
func (s *stream) jsonErr(err error) error {
	off := s.dec.InputOffset()
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return s.fail(syn.Offset, fmt.Errorf("invalid JSON: %v", syn), "the file is not valid JSON (truncated or edited?); export it again")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return s.fail(off, errors.New("unexpected end of file"), "the file is truncated; export it again")
	case errors.Is(err, errTooBig):
		return s.fail(off, fmt.Errorf("one JSON value is larger than %d bytes", s.cap),
			"raise the post size cap (MaxPostBytes) if this export is genuine")
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return s.fail(off, typeErr(err), hintShape)
	}
	return s.fail(off, err, hintShape)
}

// typeErr says which field had the wrong JSON type, in JSON terms.
func typeErr(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return fmt.Errorf("a Discussion node must be an object, got %s", te.Value)
		}
		return fmt.Errorf("field %s: got %s, want %s", te.Field, te.Value, jsonType(te.Type.Kind().String()))
	}
	return err
}

func jsonType(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int64", "float64":
		return "a number"
	case "slice":
		return "an array"
	}
	return "an object"
}
