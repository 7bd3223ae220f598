package zendesk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/kbsync/kbsync/sync/forum"
)

// post is a community post as the Posts API gives it.
type post struct {
	ID           flexID  `json:"id"`
	Title        string  `json:"title"`
	Details      string  `json:"details"`
	AuthorID     flexID  `json:"author_id"`
	TopicID      flexID  `json:"topic_id"`
	Status       string  `json:"status"`
	Pinned       bool    `json:"pinned"`
	Featured     bool    `json:"featured"`
	Closed       bool    `json:"closed"`
	VoteSum      flexInt `json:"vote_sum"`
	VoteCount    flexInt `json:"vote_count"`
	CommentCount flexInt `json:"comment_count"`
	CreatedAt    string  `json:"created_at"`
	UpdatedAt    string  `json:"updated_at"`
	URL          string  `json:"url"`
	HTMLURL      string  `json:"html_url"`
}

// comment is a post comment as the Post Comments API gives it.
type comment struct {
	ID        flexID  `json:"id"`
	Body      string  `json:"body"`
	AuthorID  flexID  `json:"author_id"`
	PostID    flexID  `json:"post_id"`
	Official  bool    `json:"official"`
	VoteSum   flexInt `json:"vote_sum"`
	VoteCount flexInt `json:"vote_count"`
	CreatedAt string  `json:"created_at"`
	UpdatedAt string  `json:"updated_at"`
	URL       string  `json:"url"`
	HTMLURL   string  `json:"html_url"`
}

// sideUser is a sideloaded user (?include=users).
type sideUser struct {
	ID   flexID  `json:"id"`
	Name *string `json:"name"`
}

// loc is where a record's bytes are.
type loc struct {
	file int32
	n    int32
	off  int64
}

// group is a post and its comments; post is nil while (or if) the post
// record has not been seen.
type group struct {
	id       string
	post     *loc
	comments []loc
}

type index struct {
	groups    []group
	byID      map[string]int32
	postOrder []int32           // groups in the order their post records appear
	comments  map[string]int32  // comment id -> file index, for duplicates
	users     map[string]string // user id -> name
}

// orphans are the groups whose post is not in the export, in the order their
// first comment appears.
func (ix *index) orphans() []int32 {
	var out []int32
	for i := range ix.groups {
		if ix.groups[i].post == nil {
			out = append(out, int32(i))
		}
	}
	return out
}

func (ix *index) group(id string) *group {
	gi, ok := ix.byID[id]
	if !ok {
		gi = int32(len(ix.groups))
		ix.byID[id] = gi
		ix.groups = append(ix.groups, group{id: id})
	}
	return &ix.groups[gi]
}

func errf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// index validates every record of every file and records where it is.
func (e *Export) index(ctx context.Context) (*index, error) {
	ix := &index{byID: map[string]int32{}, comments: map[string]int32{}, users: map[string]string{}}
	for fi, path := range e.files {
		if err := e.indexFile(ctx, ix, int32(fi), path); err != nil {
			return nil, err
		}
	}
	if len(ix.postOrder) == 0 && len(ix.groups) > 0 {
		return nil, &forum.InputError{Format: format, Path: e.files[0], Offset: -1,
			Err:  errors.New("comments but no posts in the export"),
			Hint: "add the posts list (/api/v2/community/posts.json?include=users) to the export"}
	}
	return ix, nil
}

func (e *Export) indexFile(ctx context.Context, ix *index, fi int32, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return &forum.InputError{Format: format, Path: path, Offset: -1, Err: unwrapPathError(err)}
	}
	defer f.Close()
	s := newStream(path, f)
	w := &fileWalker{e: e, ix: ix, s: s, fi: fi, ctx: ctx}
	for {
		off := s.offset()
		t, err := s.dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return s.fail(fmt.Sprintf("response %d", w.resp+1), off, err, "")
		}
		if t != json.Delim('{') {
			return w.shape("", off, errf("top-level value is %s, want a posts or comments response object", describe(t)))
		}
		if err := w.response(off); err != nil {
			return err
		}
	}
	if w.resp == 0 {
		return &forum.InputError{Format: format, Path: path, Offset: 0, Err: errors.New("no response object in file"),
			Hint: "the file is empty: re-run the export"}
	}
	return nil
}

type fileWalker struct {
	e    *Export
	ix   *index
	s    *stream
	fi   int32
	ctx  context.Context
	resp int
}

const shapeHint = `want {"posts":[...]} or {"comments":[...]} (with "users" sideloaded) as the Help Center API returns them`

func (w *fileWalker) shape(record string, off int64, err error) error {
	return &forum.InputError{Format: format, Path: w.s.path, Record: record, Offset: off, Err: err, Hint: shapeHint}
}

// response reads one response object; its '{' is consumed.
func (w *fileWalker) response(start int64) error {
	w.resp++
	rec := fmt.Sprintf("response %d", w.resp)
	dec := w.s.dec
	known := false
	var apiError json.RawMessage
	for dec.More() {
		off := w.s.offset()
		key, err := readKey(dec)
		if err != nil {
			return w.s.fail(rec, off, err, "")
		}
		switch key {
		case "posts", "comments", "users":
			known = true
			if err := w.array(rec, key); err != nil {
				return err
			}
		case "error", "errors":
			if err := dec.Decode(&apiError); err != nil {
				return w.s.fail(rec, off, err, "")
			}
		default:
			if err := skipValue(dec); err != nil {
				return w.s.fail(rec, off, err, "")
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return w.s.fail(rec, -1, err, "")
	}
	if apiError != nil && !known {
		return &forum.InputError{Format: format, Path: w.s.path, Record: rec, Offset: start,
			Err:  errf("an API error response: %s", truncate(string(apiError), 200)),
			Hint: "the request failed: fix it and export again"}
	}
	if !known {
		return w.shape(rec, start, errors.New(`response has no "posts", "comments" or "users"`))
	}
	return nil
}

// array reads the posts, comments or users array of a response.
func (w *fileWalker) array(rec, key string) error {
	dec := w.s.dec
	off := w.s.offset()
	t, ok, err := expectDelim(dec, '[')
	if err != nil {
		return w.s.fail(rec, off, err, "")
	}
	if !ok {
		return w.shape(rec, off, errf("%s is %s, want an array", key, describe(t)))
	}
	for i := 0; dec.More(); i++ {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		r := fmt.Sprintf("%s %s[%d]", rec, key, i)
		var raw json.RawMessage
		before := w.s.offset()
		if err := dec.Decode(&raw); err != nil {
			return w.s.fail(r, before, err, "")
		}
		start := w.s.offset() - int64(len(raw))
		if max := w.e.limit*2 + 64<<10; len(raw) > max {
			return &forum.InputError{Format: format, Path: w.s.path, Record: r, Offset: start,
				Err:  errf("record is %d bytes, over the %d byte limit", len(raw), max),
				Hint: "raise the post size limit if this record is genuine"}
		}
		at := loc{file: w.fi, off: start, n: int32(len(raw))}
		switch key {
		case "posts":
			err = w.post(r, raw, at)
		case "comments":
			err = w.comment(r, raw, at)
		case "users":
			err = w.user(r, raw, at)
		}
		if err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return w.s.fail(rec, -1, err, "")
	}
	return nil
}

// recordError names the record by its id when the id is readable.
func (w *fileWalker) recordError(rec, kind string, raw json.RawMessage, at loc, err error, hint string) error {
	var just struct {
		ID flexID `json:"id"`
	}
	if json.Unmarshal(raw, &just) == nil && validID(string(just.ID)) {
		rec += " (" + kind + " " + string(just.ID) + ")"
	}
	return &forum.InputError{Format: format, Path: w.s.path, Record: rec, Offset: at.off, Err: err, Hint: hint}
}

func (w *fileWalker) post(rec string, raw json.RawMessage, at loc) error {
	var p post
	if err := json.Unmarshal(raw, &p); err != nil {
		return w.recordError(rec, "post", raw, at, fieldError(err), shapeHint)
	}
	if err := w.e.checkPost(&p); err != nil {
		return w.recordError(rec, "post", raw, at, err, "")
	}
	g := w.ix.group(string(p.ID))
	if g.post != nil {
		return w.recordError(rec, "post", raw, at, errf("duplicate post id %s (first seen in %s)", p.ID, w.e.files[g.post.file]),
			"the same post was exported twice (pages fetched while the community changed?): remove the duplicate")
	}
	g.post = &at
	w.ix.postOrder = append(w.ix.postOrder, w.ix.byID[string(p.ID)])
	return nil
}

func (w *fileWalker) comment(rec string, raw json.RawMessage, at loc) error {
	var c comment
	if err := json.Unmarshal(raw, &c); err != nil {
		return w.recordError(rec, "comment", raw, at, fieldError(err), shapeHint)
	}
	if err := w.e.checkComment(&c); err != nil {
		return w.recordError(rec, "comment", raw, at, err,
			"a comment must carry its own post_id; check that the comments file belongs to that post")
	}
	if first, dup := w.ix.comments[string(c.ID)]; dup {
		return w.recordError(rec, "comment", raw, at, errf("duplicate comment id %s (first seen in %s)", c.ID, w.e.files[first]),
			"the same comment was exported twice: remove the duplicate")
	}
	w.ix.comments[string(c.ID)] = w.fi
	g := w.ix.group(string(c.PostID))
	g.comments = append(g.comments, at)
	return nil
}

func (w *fileWalker) user(rec string, raw json.RawMessage, at loc) error {
	var u sideUser
	if err := json.Unmarshal(raw, &u); err != nil {
		return w.recordError(rec, "user", raw, at, fieldError(err), shapeHint)
	}
	if !validID(string(u.ID)) {
		return w.recordError(rec, "user", raw, at, errf("user id %q is missing or not an id", truncate(string(u.ID), 40)), "")
	}
	// Sideloads repeat on every page: the first name seen wins.
	if _, seen := w.ix.users[string(u.ID)]; !seen && u.Name != nil {
		w.ix.users[string(u.ID)] = forum.OneLine(*u.Name)
	}
	return nil
}

func (e *Export) checkPost(p *post) error {
	if !validID(string(p.ID)) {
		return errf("post id %q is missing or not an id", truncate(string(p.ID), 40))
	}
	if len(p.Details) > e.limit {
		return errf("details are %d bytes, over the %d byte limit", len(p.Details), e.limit)
	}
	return checkTimes(p.CreatedAt, p.UpdatedAt)
}

// postInURL finds the post id in a comment's url or html_url
// (…/community/posts/123-title/comments/456, …/community/posts/123/comments/456.json).
var postInURL = regexp.MustCompile(`/posts/([0-9]+)`)

func (e *Export) checkComment(c *comment) error {
	if !validID(string(c.ID)) {
		return errf("comment id %q is missing or not an id", truncate(string(c.ID), 40))
	}
	if !validID(string(c.PostID)) {
		return errf("post_id %q is missing or not an id", truncate(string(c.PostID), 40))
	}
	for _, u := range []string{c.HTMLURL, c.URL} {
		if m := postInURL.FindStringSubmatch(u); m != nil && m[1] != string(c.PostID) {
			return errf("post_id is %s but the comment's URL %s belongs to post %s", c.PostID, truncate(u, 120), m[1])
		}
	}
	if len(c.Body) > e.limit {
		return errf("body is %d bytes, over the %d byte limit", len(c.Body), e.limit)
	}
	return checkTimes(c.CreatedAt, c.UpdatedAt)
}

func checkTimes(created, updated string) error {
	if created == "" {
		return errors.New("created_at is missing")
	}
	for _, ts := range []string{created, updated} {
		if _, err := parseTime(ts); err != nil {
			return err
		}
	}
	return nil
}

// fieldError names the field of a type mismatch.
func fieldError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return errf("field %s is a JSON %s, want %s", te.Field, te.Value, te.Type)
		}
		return errf("record is a JSON %s, want an object", te.Value)
	}
	return err
}
