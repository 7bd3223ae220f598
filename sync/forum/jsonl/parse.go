package jsonl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/forum/jsonstream"
)

const hintSchema = "see the schema in the jsonl package docs"

// lineError is a problem with one line; col is the byte offset in the line
// when known, else -1.
type lineError struct {
	err  error
	col  int64
	hint string
}

func (e *lineError) Error() string { return e.err.Error() }
func (e *lineError) Unwrap() error { return e.err }

func schemaErr(format string, args ...any) error {
	return &lineError{err: fmt.Errorf(format, args...), col: -1, hint: hintSchema}
}

// rawThread is one line. Pointers tell absent (or null) from empty.
type rawThread struct {
	ID         json.RawMessage `json:"id"`
	Title      *string         `json:"title"`
	URL        string          `json:"url"`
	Site       string          `json:"site"`
	Source     string          `json:"source"`
	Question   *rawPost        `json:"question"`
	Answer     *rawPost        `json:"answer"`
	Solutions  []rawPost       `json:"solutions"`
	Replies    []rawPost       `json:"replies"`
	Tags       []string        `json:"tags"`
	Category   string          `json:"category"`
	License    string          `json:"license"`
	Lang       string          `json:"lang"`
	Score      int             `json:"score"`
	Views      int             `json:"views"`
	Updated    *string         `json:"updated"`
	Closed     bool            `json:"closed"`
	Locked     bool            `json:"locked"`
	Status     string          `json:"status"`
	Duplicates []rawRef        `json:"duplicates"`
}

type rawPost struct {
	ID         json.RawMessage `json:"id"`
	URL        string          `json:"url"`
	Body       *string         `json:"body"`
	Format     *string         `json:"format"`
	Author     *string         `json:"author"`
	AuthorID   json.RawMessage `json:"author_id"`
	Created    *string         `json:"created"`
	Updated    *string         `json:"updated"`
	Score      int             `json:"score"`
	AcceptedAt *string         `json:"accepted_at"`
	AcceptedBy string          `json:"accepted_by"`
}

type rawRef struct {
	ID    json.RawMessage `json:"id"`
	Title string          `json:"title"`
	URL   string          `json:"url"`
}

// parseLine decodes and checks one non-empty line.
func parseLine(line []byte, opts forum.Options) (*forum.Thread, error) {
	if line[0] != '{' {
		return nil, schemaErr("line is not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var r rawThread
	if err := dec.Decode(&r); err != nil {
		return nil, decodeErr(err, line)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &lineError{err: errors.New("more than one JSON value on the line"), col: dec.InputOffset(), hint: "write exactly one thread object per line"}
	}
	return r.thread(opts)
}

// decodeErr explains a decoding error in the format's terms.
func decodeErr(err error, line []byte) error {
	var syn *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &lineError{err: fmt.Errorf("invalid JSON: %v", syn), col: syn.Offset,
			hint: "each line must be one complete JSON object; check the script's JSON encoder"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &lineError{err: errors.New("invalid JSON: the object is not closed"), col: int64(len(line)),
			hint: "each line must be one complete JSON object; was the line cut or split?"}
	case errors.As(err, &te):
		return &lineError{err: fmt.Errorf("field %s: got JSON %s, want %s", te.Field, te.Value, jsonType(te.Type.Kind().String())), col: te.Offset, hint: hintSchema}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.TrimPrefix(err.Error(), "json: unknown field ")
		if p := unknownPath(line); p != "" {
			field = fmt.Sprintf("%q", p)
		}
		return &lineError{err: fmt.Errorf("unknown field %s", field), col: -1,
			hint: "check the spelling against the schema in the jsonl package docs; unknown fields are not ignored"}
	}
	return schemaErr("%v", err)
}

func jsonType(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int64":
		return "an integer"
	case "slice":
		return "an array"
	case "ptr", "struct":
		return "an object"
	}
	return goKind
}

var (
	threadKeys = keys(rawThread{})
	postKeys   = keys(rawPost{})
	refKeys    = keys(rawRef{})
)

// keys lists the JSON names of a struct's fields, from their tags.
func keys(v any) map[string]bool {
	b, _ := json.Marshal(v)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// unknownPath finds the first unknown key of a line, with its path
// ("answer.autor", "replies[2].crated"), for the error message.
func unknownPath(line []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(line, &top) != nil {
		return ""
	}
	if k := firstUnknown(top, threadKeys); k != "" {
		return k
	}
	objAt := func(name string, raw json.RawMessage, known map[string]bool) string {
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			return ""
		}
		if k := firstUnknown(m, known); k != "" {
			return name + "." + k
		}
		return ""
	}
	for _, name := range []string{"question", "answer"} {
		if p := objAt(name, top[name], postKeys); p != "" {
			return p
		}
	}
	for _, name := range []string{"solutions", "replies", "duplicates"} {
		var list []json.RawMessage
		if json.Unmarshal(top[name], &list) != nil {
			continue
		}
		known := postKeys
		if name == "duplicates" {
			known = refKeys
		}
		for i, raw := range list {
			if p := objAt(fmt.Sprintf("%s[%d]", name, i+1), raw, known); p != "" {
				return p
			}
		}
	}
	return ""
}

func firstUnknown(m map[string]json.RawMessage, known map[string]bool) string {
	var bad []string
	for k := range m {
		if !known[k] {
			bad = append(bad, k)
		}
	}
	sort.Strings(bad)
	if len(bad) == 0 {
		return ""
	}
	return bad[0]
}

// thread checks the required fields and maps the line to the model.
func (r *rawThread) thread(opts forum.Options) (*forum.Thread, error) {
	id, err := rawID("id", r.ID)
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, schemaErr("missing required field id")
	}
	if r.Title == nil {
		return nil, schemaErr("missing required field title")
	}
	t := &forum.Thread{
		Source:   forum.JSONL,
		ID:       id,
		Site:     strings.TrimRight(forum.OneLine(r.Site), "/"),
		URL:      forum.OneLine(r.URL),
		Title:    forum.OneLine(*r.Title),
		Category: forum.OneLine(r.Category),
		License:  forum.OneLine(r.License),
		Lang:     forum.OneLine(r.Lang),
		Score:    r.Score,
		Views:    r.Views,
		Closed:   r.Closed,
		Locked:   r.Locked,
	}
	if t.Title == "" {
		return nil, schemaErr("field title is empty")
	}
	if t.Site == "" {
		t.Site = opts.SiteURL()
	}
	if r.Question == nil {
		return nil, schemaErr("missing required field question")
	}
	if t.Question, err = r.Question.post("question", false, opts); err != nil {
		return nil, err
	}
	if t.Question.ID == "" {
		t.Question.ID = id
	}
	if t.Question.URL == "" {
		t.Question.URL = t.URL
	}
	t.Created = t.Question.Created
	if t.Updated, err = optTime("updated", r.Updated); err != nil {
		return nil, err
	}
	if r.Answer != nil {
		a, err := r.Answer.post("answer", true, opts)
		if err != nil {
			return nil, err
		}
		t.Answer = &a
	}
	for i := range r.Solutions {
		if t.Answer == nil {
			return nil, schemaErr("solutions without answer: put the first accepted answer in answer")
		}
		p, err := r.Solutions[i].post(fmt.Sprintf("solutions[%d]", i+1), true, opts)
		if err != nil {
			return nil, err
		}
		t.Solutions = append(t.Solutions, p)
	}
	for i := range r.Replies {
		p, err := r.Replies[i].post(fmt.Sprintf("replies[%d]", i+1), false, opts)
		if err != nil {
			return nil, err
		}
		t.Replies = append(t.Replies, p)
	}
	seen := map[string]bool{}
	for _, tag := range r.Tags {
		if tag = forum.OneLine(tag); tag != "" && !seen[tag] {
			seen[tag] = true
			t.Tags = append(t.Tags, tag)
		}
	}
	for i, d := range r.Duplicates {
		name := fmt.Sprintf("duplicates[%d].id", i+1)
		did, err := rawID(name, d.ID)
		if err != nil {
			return nil, err
		}
		if did == "" {
			return nil, schemaErr("missing required field %s", name)
		}
		t.Duplicates = append(t.Duplicates, forum.Ref{ID: did, Title: forum.OneLine(d.Title), URL: forum.OneLine(d.URL)})
	}
	switch forum.Status(r.Status) {
	case forum.Public:
	case forum.Deleted:
		t.Status, t.Skip = forum.Deleted, forum.SkipDeleted
	case forum.Private:
		t.Status, t.Skip = forum.Private, forum.SkipPrivate
	default:
		return nil, schemaErr("field status: %q is not \"\", \"deleted\" or \"private\"", r.Status)
	}
	if t.Skip == "" && t.Answer == nil {
		t.Skip = forum.SkipNoAcceptedAnswer
	}
	return t, nil
}

// post checks one post; name is its path in the line, for messages.
func (p *rawPost) post(name string, needID bool, opts forum.Options) (forum.Post, error) {
	var out forum.Post
	var err error
	if out.ID, err = rawID(name+".id", p.ID); err != nil {
		return out, err
	}
	if needID && out.ID == "" {
		return out, schemaErr("missing required field %s.id", name)
	}
	if out.AuthorID, err = rawID(name+".author_id", p.AuthorID); err != nil {
		return out, err
	}
	switch {
	case p.Body == nil:
		return out, schemaErr("missing required field %s.body", name)
	case p.Format == nil:
		return out, schemaErr("missing required field %s.format", name)
	case p.Author == nil:
		return out, schemaErr("missing required field %s.author (use \"\" for an unknown user)", name)
	case p.Created == nil || *p.Created == "":
		return out, schemaErr("missing required field %s.created", name)
	}
	if len(*p.Body) > opts.PostLimit() {
		return out, &lineError{err: fmt.Errorf("%s.body is %d bytes, over the %d-byte cap", name, len(*p.Body), opts.PostLimit()), col: -1,
			hint: "raise the post size cap (MaxPostBytes) if this post is genuine"}
	}
	switch forum.BodyFormat(*p.Format) {
	case forum.Markdown, forum.HTML:
		out.Format = forum.BodyFormat(*p.Format)
	default:
		return out, schemaErr("field %s.format: %q is not \"markdown\" or \"html\"", name, *p.Format)
	}
	out.Body = forum.CleanText(*p.Body)
	out.URL = forum.OneLine(p.URL)
	if out.Author = forum.OneLine(*p.Author); out.Author == "" {
		out.Author = forum.FallbackAuthor(out.AuthorID)
	}
	if out.Created, err = optTime(name+".created", p.Created); err != nil {
		return out, err
	}
	if out.Updated, err = optTime(name+".updated", p.Updated); err != nil {
		return out, err
	}
	if out.Accepted, err = optTime(name+".accepted_at", p.AcceptedAt); err != nil {
		return out, err
	}
	out.AcceptedBy = forum.OneLine(p.AcceptedBy)
	out.Score = p.Score
	return out, nil
}

// rawID reads an id written as a string or an integer; absent or null is "".
func rawID(name string, raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	id, err := jsonstream.ID(raw)
	switch {
	case errors.Is(err, jsonstream.ErrNotID):
		s := string(raw)
		if len(s) > 40 {
			s = forum.CleanText(s[:40]) + "..."
		}
		return "", schemaErr("field %s: want a string or an integer, got %s", name, s)
	case err != nil:
		return "", schemaErr("field %s: %v", name, err)
	}
	return forum.OneLine(id), nil
}

// optTime parses an RFC 3339 time; nil or "" is the zero time.
func optTime(name string, s *string) (time.Time, error) {
	if s == nil || *s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		return time.Time{}, schemaErr("field %s: %q is not an RFC 3339 time like 2024-03-01T10:00:00Z", name, *s)
	}
	return t.UTC(), nil
}
