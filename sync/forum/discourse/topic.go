package discourse

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/forum/jsonstream"
)

// topic is what the reader keeps of one topic file.
type topic struct {
	id        string
	title     string
	slug      string
	category  string
	tags      []string
	created   time.Time
	views     int
	closed    bool
	archived  bool
	invisible bool // visible: false (unlisted)
	archetype string
	deleted   bool
	accNumber int    // solved: topic accepted_answer.post_number
	accBy     string // solved: who accepted, when the plugin says
	accPostID string // older solved: accepted_answer_post_id
	accSignal bool   // some post says topic_accepted_answer: true
	hasStream bool
	posts     []*post // file order, first of each id
	byID      map[string]*post
	byNumber  map[int]*post
}

// post is one entry of post_stream.posts.
type post struct {
	id        string
	number    int
	ptype     int
	topicID   string
	username  string
	author    string
	userID    string
	created   time.Time
	updated   time.Time // zero when never edited
	updatedAt time.Time // as given; the .raw.md header carries it
	raw       *string
	cooked    string
	dropped   bool // deleted, hidden or withdrawn by its author
	hidden    bool
	accepted  bool
	likes     int
	wiki      bool
	offset    int64
}

// postJSON is the wire shape of a post; only the fields the reader uses.
type postJSON struct {
	ID              json.Number     `json:"id"`
	PostNumber      json.Number     `json:"post_number"`
	PostType        json.Number     `json:"post_type"`
	TopicID         json.Number     `json:"topic_id"`
	Username        string          `json:"username"`
	Name            string          `json:"name"`
	DisplayUsername string          `json:"display_username"`
	UserID          json.Number     `json:"user_id"`
	CreatedAt       string          `json:"created_at"`
	UpdatedAt       string          `json:"updated_at"`
	Version         json.Number     `json:"version"`
	Cooked          string          `json:"cooked"`
	Raw             *string         `json:"raw"`
	DeletedAt       json.RawMessage `json:"deleted_at"`
	Hidden          bool            `json:"hidden"`
	UserDeleted     bool            `json:"user_deleted"`
	Wiki            bool            `json:"wiki"`
	AcceptedAnswer  json.RawMessage `json:"accepted_answer"`
	TopicAccepted   json.RawMessage `json:"topic_accepted_answer"`
	LikeCount       json.Number     `json:"like_count"`
	ActionsSummary  []struct {
		ID    json.Number `json:"id"`
		Count json.Number `json:"count"`
	} `json:"actions_summary"`
}

const (
	hintJSON      = "the file is not valid JSON; fetch the topic again from /t/{id}.json"
	hintTruncated = "the file ends early (interrupted download?); fetch the topic again from /t/{id}.json"
	hintShape     = "expected one Discourse topic object per file, as returned by /t/{id}.json"
	hintMerge     = "the pages of this topic were merged wrongly; fetch the topic again"
	hintLimit     = "raise the per-post size limit (max_post_bytes) or check the file"
)

// topicParser decodes one topic file token by token, and the posts one at
// a time, so that a large merged file is never held as one JSON value.
type topicParser struct {
	ctx   context.Context
	dec   *json.Decoder
	path  string
	base  int64 // bytes skipped before the decoder (BOM)
	limit int
	t     *topic
}

func parseTopic(ctx context.Context, r io.Reader, path string, limit int) (*topic, error) {
	br := bufio.NewReader(r)
	var base int64
	if b, err := br.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		br.Discard(3)
		base = 3
	}
	dec := json.NewDecoder(br)
	dec.UseNumber()
	p := &topicParser{ctx: ctx, dec: dec, path: path, base: base, limit: limit,
		t: &topic{byID: map[string]*post{}, byNumber: map[int]*post{}}}
	if err := p.parse(); err != nil {
		return nil, err
	}
	return p.t, nil
}

func (p *topicParser) record() string {
	if p.t.id != "" {
		return "topic " + p.t.id
	}
	return ""
}

// fail builds the InputError for the current position.
func (p *topicParser) fail(err error, hint string) error {
	return &forum.InputError{Format: forum.Discourse, Path: p.path, Record: p.record(),
		Offset: p.base + p.dec.InputOffset(), Err: err, Hint: hint}
}

// decodeErr turns a decoder error into an InputError with the right hint.
func (p *topicParser) decodeErr(err error) error {
	if ctxErr := p.ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return p.fail(fmt.Errorf("truncated JSON: %w", io.ErrUnexpectedEOF), hintTruncated)
	case errors.As(err, &se):
		return &forum.InputError{Format: forum.Discourse, Path: p.path, Record: p.record(),
			Offset: p.base + se.Offset, Err: fmt.Errorf("invalid JSON: %w", err), Hint: hintJSON}
	case errors.As(err, &te):
		return p.fail(fmt.Errorf("wrong shape: %w", err), hintShape)
	}
	return p.fail(fmt.Errorf("wrong shape: %w", err), hintShape)
}

func (p *topicParser) token() (json.Token, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.decodeErr(err)
	}
	return tok, nil
}

// field decodes the value of key into v.
func (p *topicParser) field(key string, v any) error {
	if err := p.dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return p.fail(fmt.Errorf("field %q: wrong type: %w", key, err), hintShape)
		}
		return p.decodeErr(err)
	}
	return nil
}

func (p *topicParser) parse() error {
	tok, err := p.dec.Token()
	if err == io.EOF {
		return p.fail(errors.New("empty file"), hintShape)
	}
	if err != nil {
		return p.decodeErr(err)
	}
	if tok != json.Delim('{') {
		return p.fail(fmt.Errorf("top-level value is %s, not a topic object", tokenKind(tok)), hintShape)
	}
	sawID := false
	for p.dec.More() {
		tok, err := p.token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if err := p.topicField(key, &sawID); err != nil {
			return err
		}
	}
	if _, err := p.token(); err != nil { // the closing brace
		return err
	}
	if tok, err := p.dec.Token(); err != io.EOF {
		if err != nil {
			return p.decodeErr(err)
		}
		return p.fail(fmt.Errorf("unexpected %s after the topic object", tokenKind(tok)), hintShape)
	}
	if !sawID || !p.t.hasStream {
		return p.fail(errors.New("not a topic: no \"id\" or no \"post_stream\""), hintShape)
	}
	return nil
}

func (p *topicParser) topicField(key string, sawID *bool) error {
	t := p.t
	var err error
	switch key {
	case "id":
		var n json.Number
		if err = p.field(key, &n); err == nil {
			t.id, err = intString(n)
			if err != nil || t.id == "" {
				return p.fail(fmt.Errorf("topic id %q is not an integer", n), hintShape)
			}
			*sawID = true
		}
	case "title":
		err = p.field(key, &t.title)
	case "slug":
		err = p.field(key, &t.slug)
	case "category_id":
		var n json.Number
		if err = p.field(key, &n); err == nil {
			t.category, err = intString(n)
			if err != nil {
				return p.fail(fmt.Errorf("category_id %q is not an integer", n), hintShape)
			}
		}
	case "tags":
		err = p.tags()
	case "created_at":
		var s string
		if err = p.field(key, &s); err == nil {
			if t.created, err = parseTime(s); err != nil {
				return p.fail(fmt.Errorf("created_at: %w", err), hintShape)
			}
		}
	case "views":
		var n json.Number
		if err = p.field(key, &n); err == nil {
			t.views, _ = intValue(n)
		}
	case "closed":
		err = p.field(key, &t.closed)
	case "archived":
		err = p.field(key, &t.archived)
	case "visible":
		var v *bool
		if err = p.field(key, &v); err == nil && v != nil && !*v {
			t.invisible = true
		}
	case "archetype":
		err = p.field(key, &t.archetype)
	case "deleted_at":
		var raw json.RawMessage
		if err = p.field(key, &raw); err == nil {
			t.deleted = isSet(raw)
		}
	case "accepted_answer":
		err = p.acceptedAnswer()
	case "accepted_answer_post_id":
		var n *json.Number
		if err = p.field(key, &n); err == nil && n != nil {
			if t.accPostID, err = intString(*n); err != nil {
				return p.fail(fmt.Errorf("accepted_answer_post_id %q is not an integer", *n), hintShape)
			}
		}
	case "post_stream":
		t.hasStream = true
		err = p.postStream()
	default:
		err = p.skip()
	}
	return err
}

func (p *topicParser) skip() error {
	if err := jsonstream.SkipValue(p.dec); err != nil {
		return p.decodeErr(err)
	}
	return nil
}

// tags are strings, or objects with a name in newer Discourse versions.
func (p *topicParser) tags() error {
	var raw []json.RawMessage
	if err := p.field("tags", &raw); err != nil {
		return err
	}
	for _, r := range raw {
		var s string
		if err := json.Unmarshal(r, &s); err != nil {
			var o struct {
				Name string `json:"name"`
			}
			if err := json.Unmarshal(r, &o); err != nil {
				return p.fail(fmt.Errorf("tag %s is neither a string nor an object with a name", r), hintShape)
			}
			s = o.Name
		}
		if s = forum.OneLine(s); s != "" {
			p.t.tags = append(p.t.tags, s)
		}
	}
	return nil
}

// acceptedAnswer reads the solved plugin's topic field: an object with the
// post number, or null. Any other value only says that one exists.
func (p *topicParser) acceptedAnswer() error {
	var raw json.RawMessage
	if err := p.field("accepted_answer", &raw); err != nil {
		return err
	}
	s := strings.TrimSpace(string(raw))
	switch {
	case s == "" || s == "null" || s == "false":
		return nil
	case strings.HasPrefix(s, "{"):
		var a struct {
			PostNumber       json.Number `json:"post_number"`
			AccepterUsername string      `json:"accepter_username"`
			AccepterName     string      `json:"accepter_name"`
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			return p.fail(fmt.Errorf("accepted_answer: %w", err), hintShape)
		}
		n, err := intValue(a.PostNumber)
		if err != nil || n < 1 {
			return p.fail(fmt.Errorf("accepted_answer.post_number %q is not a post number", a.PostNumber), hintShape)
		}
		p.t.accNumber = n
		p.t.accBy = forum.OneLine(a.AccepterName)
		if p.t.accBy == "" {
			p.t.accBy = forum.OneLine(a.AccepterUsername)
		}
	default:
		p.t.accSignal = true
	}
	return nil
}

func (p *topicParser) postStream() error {
	tok, err := p.token()
	if err != nil {
		return err
	}
	if tok == nil { // null
		return nil
	}
	if tok != json.Delim('{') {
		return p.fail(fmt.Errorf("post_stream is %s, not an object", tokenKind(tok)), hintShape)
	}
	for p.dec.More() {
		tok, err := p.token()
		if err != nil {
			return err
		}
		switch key, _ := tok.(string); key {
		case "posts":
			err = p.posts()
		default:
			err = p.skip()
		}
		if err != nil {
			return err
		}
	}
	_, err = p.token()
	return err
}

func (p *topicParser) posts() error {
	tok, err := p.token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('[') {
		return p.fail(fmt.Errorf("post_stream.posts is %s, not an array", tokenKind(tok)), hintShape)
	}
	for i := 0; p.dec.More(); i++ {
		if i%64 == 0 {
			if err := p.ctx.Err(); err != nil {
				return err
			}
		}
		off := p.base + p.dec.InputOffset()
		var pj postJSON
		if err := p.dec.Decode(&pj); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || p.ctx.Err() != nil {
				return p.decodeErr(err)
			}
			what := fmt.Sprintf("post %d of post_stream.posts", i+1)
			return p.postErr(off, what, fmt.Errorf("wrong shape: %w", err), hintShape)
		}
		if err := p.addPost(&pj, off); err != nil {
			return err
		}
	}
	_, err = p.token()
	return err
}

func (p *topicParser) postErr(off int64, what string, err error, hint string) error {
	rec := what
	if p.t.id != "" {
		rec = "topic " + p.t.id + " " + what
	}
	return &forum.InputError{Format: forum.Discourse, Path: p.path, Record: rec, Offset: off, Err: err, Hint: hint}
}

func (p *topicParser) addPost(pj *postJSON, off int64) error {
	id, err := intString(pj.ID)
	if err != nil || id == "" {
		return p.postErr(off, "post", fmt.Errorf("post id %q is not an integer", pj.ID), hintShape)
	}
	what := "post " + id
	number, err := intValue(pj.PostNumber)
	if err != nil || number < 1 {
		return p.postErr(off, what, fmt.Errorf("post_number %q is not a post number", pj.PostNumber), hintShape)
	}
	what = fmt.Sprintf("post #%d (id %s)", number, id)
	if _, dup := p.t.byID[id]; dup {
		return nil // merged pages overlap: the first copy wins
	}
	if other := p.t.byNumber[number]; other != nil {
		return p.postErr(off, what, fmt.Errorf("post number %d is also post id %s", number, other.id), hintMerge)
	}
	if len(pj.Cooked) > p.limit || (pj.Raw != nil && len(*pj.Raw) > p.limit) {
		return p.postErr(off, what, fmt.Errorf("post body is larger than %d bytes", p.limit), hintLimit)
	}
	ps := &post{id: id, number: number, ptype: 1, username: forum.OneLine(pj.Username),
		raw: pj.Raw, hidden: pj.Hidden, wiki: pj.Wiki, offset: off}
	if pj.PostType != "" {
		if ps.ptype, err = intValue(pj.PostType); err != nil {
			return p.postErr(off, what, fmt.Errorf("post_type %q is not an integer", pj.PostType), hintShape)
		}
	}
	if ps.topicID, err = intString(pj.TopicID); err != nil {
		return p.postErr(off, what, fmt.Errorf("topic_id %q is not an integer", pj.TopicID), hintShape)
	}
	if ps.userID, err = intString(pj.UserID); err != nil {
		return p.postErr(off, what, fmt.Errorf("user_id %q is not an integer", pj.UserID), hintShape)
	}
	ps.author = authorName(pj.DisplayUsername, pj.Name, pj.Username, ps.userID)
	if ps.created, err = parseTime(pj.CreatedAt); err != nil {
		return p.postErr(off, what, fmt.Errorf("created_at: %w", err), hintShape)
	}
	updated, err := parseTime(pj.UpdatedAt)
	if err != nil {
		return p.postErr(off, what, fmt.Errorf("updated_at: %w", err), hintShape)
	}
	ps.updatedAt = updated
	// version > 1 is the only sign of an edit: updated_at also moves when
	// Discourse re-renders a post.
	if v, err := intValue(pj.Version); err == nil {
		if v > 1 {
			ps.updated = updated
		}
	} else if updated.After(ps.created) {
		ps.updated = updated
	}
	ps.cooked = pj.Cooked
	ps.dropped = isSet(pj.DeletedAt) || pj.Hidden || pj.UserDeleted
	ps.accepted = string(pj.AcceptedAnswer) == "true"
	if string(pj.TopicAccepted) == "true" {
		p.t.accSignal = true
	}
	if n, err := intValue(pj.LikeCount); err == nil {
		ps.likes = n
	} else {
		for _, a := range pj.ActionsSummary {
			if a.ID.String() == "2" { // 2 is "like"
				ps.likes, _ = intValue(a.Count)
			}
		}
	}
	p.t.posts = append(p.t.posts, ps)
	p.t.byID[id] = ps
	p.t.byNumber[number] = ps
	return nil
}

// authorName prefers the display name, then the username; a deleted user
// gets the stable fallback.
func authorName(display, name, username, userID string) string {
	for _, s := range []string{display, name, username} {
		if s = forum.OneLine(s); s != "" {
			return s
		}
	}
	return forum.FallbackAuthor(userID)
}

// tokenKind names a token for messages. Unlike jsonstream.Describe it
// names '{' as "{", which two messages show; kept so that they stay as
// they were.
func tokenKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return fmt.Sprintf("%q", string(v))
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", tok)
}

// isSet reports whether a nullable field such as deleted_at holds a value.
func isSet(raw json.RawMessage) bool {
	switch strings.TrimSpace(string(raw)) {
	case "", "null", "false", `""`:
		return false
	}
	return true
}

// intString checks that n is an integer and returns it as a string ("" for
// an absent or null number).
func intString(n json.Number) (string, error) {
	if n == "" {
		return "", nil
	}
	if _, err := strconv.ParseInt(string(n), 10, 64); err != nil {
		return "", err
	}
	return string(n), nil
}

func intValue(n json.Number) (int, error) {
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		return 0, err
	}
	if v > 1<<31-1 || v < -(1<<31) {
		return 0, fmt.Errorf("%s is out of range", n)
	}
	return int(v), nil
}

// parseTime reads Discourse's RFC 3339 timestamps ("" is the zero time).
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad timestamp %q", forum.OneLine(s))
	}
	return ts.UTC(), nil
}
