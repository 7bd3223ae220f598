package github

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/forum/jsonstream"
)

// ghost is GitHub's own placeholder for a deleted account (github.com/ghost).
const ghost = "ghost"

// rawNode is a Discussion node as exports write it. Fields whose JSON type
// varies between exporters stay raw and are read in thread().
type rawNode struct {
	Number         json.RawMessage `json:"number"`
	ID             json.RawMessage `json:"id"`
	Title          *string         `json:"title"`
	Body           *string         `json:"body"`
	BodyHTML       *string         `json:"bodyHTML"`
	URL            string          `json:"url"`
	CreatedAt      json.RawMessage `json:"createdAt"`
	UpdatedAt      json.RawMessage `json:"updatedAt"`
	LastEditedAt   json.RawMessage `json:"lastEditedAt"`
	Author         json.RawMessage `json:"author"`
	Category       *rawCategory    `json:"category"`
	Labels         json.RawMessage `json:"labels"`
	Answer         *rawComment     `json:"answer"`
	AnswerChosenAt json.RawMessage `json:"answerChosenAt"`
	AnswerChosenBy json.RawMessage `json:"answerChosenBy"`
	IsAnswered     *bool           `json:"isAnswered"`
	Locked         bool            `json:"locked"`
	Closed         bool            `json:"closed"`
	UpvoteCount    int             `json:"upvoteCount"`
	Comments       json.RawMessage `json:"comments"`
}

type rawCategory struct {
	Name         string `json:"name"`
	IsAnswerable *bool  `json:"isAnswerable"`
}

// rawComment is a DiscussionComment: the answer or a comment.
type rawComment struct {
	ID           json.RawMessage `json:"id"`
	Body         *string         `json:"body"`
	BodyHTML     *string         `json:"bodyHTML"`
	URL          string          `json:"url"`
	CreatedAt    json.RawMessage `json:"createdAt"`
	UpdatedAt    json.RawMessage `json:"updatedAt"`
	LastEditedAt json.RawMessage `json:"lastEditedAt"`
	Author       json.RawMessage `json:"author"`
	UpvoteCount  int             `json:"upvoteCount"`
	IsAnswer     bool            `json:"isAnswer"`
	IsMinimized  bool            `json:"isMinimized"`
}

// hinted is a record error with its own hint for the user.
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Unwrap() error { return h.err }

func shapeErr(format string, args ...any) error {
	return &hinted{err: fmt.Errorf(format, args...), hint: hintShape}
}

// label is the discussion number (or id) for error messages, best effort.
func (n *rawNode) label() string {
	if s, err := rawID(n.Number); err == nil && s != "" {
		return s
	}
	if s, err := rawID(n.ID); err == nil {
		return s
	}
	return ""
}

// thread maps a node to the shared model.
func (n *rawNode) thread(opts forum.Options) (*forum.Thread, error) {
	number, err := rawID(n.Number)
	if err != nil {
		return nil, shapeErr("field number: %v", err)
	}
	nodeID, err := rawID(n.ID)
	if err != nil {
		return nil, shapeErr("field id: %v", err)
	}
	id := number
	if id == "" {
		id = nodeID
	}
	if id == "" || n.Title == nil {
		return nil, shapeErr("object is not a GitHub Discussion: it needs a number (or id) and a title")
	}
	if nodeID == "" {
		nodeID = number
	}
	created, ok, err := rawTime("createdAt", n.CreatedAt)
	if err != nil {
		return nil, err
	}
	if !ok || created.IsZero() {
		return nil, shapeErr("discussion has no createdAt")
	}
	updated, _, err := rawTime("updatedAt", n.UpdatedAt)
	if err != nil {
		return nil, err
	}

	t := &forum.Thread{
		Source:  forum.GitHub,
		ID:      id,
		Site:    opts.SiteURL(),
		URL:     n.URL,
		Title:   forum.OneLine(*n.Title),
		Score:   n.UpvoteCount,
		Created: created,
		Updated: updated,
		Closed:  n.Closed,
		Locked:  n.Locked,
	}
	repo, urlNum := splitURL(n.URL)
	if t.Site == "" {
		t.Site = repo
	}
	if t.URL == "" && t.Site != "" && isDigits(number) {
		t.URL = t.Site + "/discussions/" + number
	}
	// The flattened exporters put the number in "id".
	num := number
	if num == "" && isDigits(nodeID) {
		num = nodeID
	}
	if num == "" {
		num = urlNum
	}

	q := rawComment{ID: n.ID, Body: n.Body, BodyHTML: n.BodyHTML, URL: t.URL,
		CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt, LastEditedAt: n.LastEditedAt,
		Author: n.Author, UpvoteCount: n.UpvoteCount}
	t.Question, err = q.post("question", opts)
	if err != nil {
		return nil, err
	}
	t.Question.ID = nodeID

	if n.Category != nil {
		t.Category = forum.OneLine(n.Category.Name)
	}
	if t.Tags, err = labels(n.Labels); err != nil {
		return nil, err
	}

	var answerID string
	if n.Answer != nil {
		a, err := n.Answer.post("answer", opts)
		if err != nil {
			return nil, err
		}
		if a.ID == "" {
			return nil, shapeErr("answer has no id")
		}
		answerRepo, answerNum := splitURL(a.URL)
		if (answerNum != "" && num != "" && answerNum != num) || (answerRepo != "" && repo != "" && !strings.EqualFold(answerRepo, repo)) {
			return nil, &hinted{
				err:  fmt.Errorf("answer %s has url %s, which belongs to another discussion", a.ID, a.URL),
				hint: "the export mixes up discussions; export again",
			}
		}
		if a.Accepted, _, err = rawTime("answerChosenAt", n.AnswerChosenAt); err != nil {
			return nil, err
		}
		if a.AcceptedBy, err = actor(n.AnswerChosenBy, ""); err != nil {
			return nil, shapeErr("field answerChosenBy: %v", err)
		}
		answerID = a.ID
		t.Answer = &a
	}

	replies, err := parseConn("comments", n.Comments)
	if err != nil {
		return nil, err
	}
	for i, raw := range replies {
		var c rawComment
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, shapeErr("comment %d: %v", i+1, typeErr(err))
		}
		if c.IsMinimized {
			continue // hidden as spam, off-topic or outdated
		}
		cid, _ := rawID(c.ID)
		if c.IsAnswer || (cid != "" && cid == answerID) {
			continue
		}
		p, err := c.post(fmt.Sprintf("comment %d", i+1), opts)
		if err != nil {
			return nil, err
		}
		t.Replies = append(t.Replies, p)
	}

	if t.Answer == nil {
		chosen, _, _ := rawTime("answerChosenAt", n.AnswerChosenAt)
		if (n.IsAnswered != nil && *n.IsAnswered) || !chosen.IsZero() {
			t.Skip = forum.SkipAcceptedAnswerMissing
		} else {
			// Also the case of categories that are not answerable.
			t.Skip = forum.SkipNoAcceptedAnswer
		}
	}
	return t, nil
}

// post maps the question or a comment. which names it in errors.
func (c *rawComment) post(which string, opts forum.Options) (forum.Post, error) {
	var p forum.Post
	var err error
	if p.ID, err = rawID(c.ID); err != nil {
		return p, shapeErr("%s: field id: %v", which, err)
	}
	p.URL = c.URL
	if p.Author, err = actor(c.Author, ghost); err != nil {
		return p, shapeErr("%s: field author: %v", which, err)
	}
	switch {
	case c.Body != nil && *c.Body != "":
		p.Body, p.Format = *c.Body, forum.Markdown
	case c.BodyHTML != nil && *c.BodyHTML != "":
		p.Body, p.Format = *c.BodyHTML, forum.HTML
	default:
		p.Format = forum.Markdown
	}
	if len(p.Body) > opts.PostLimit() {
		return p, &hinted{
			err:  fmt.Errorf("%s body is %d bytes, over the %d-byte cap", which, len(p.Body), opts.PostLimit()),
			hint: "raise the post size cap (MaxPostBytes) if this post is genuine",
		}
	}
	if p.Format == forum.HTML {
		p.Body = CleanHTML(p.Body)
	}
	p.Body = forum.CleanText(p.Body)
	p.Score = c.UpvoteCount
	if p.Created, _, err = rawTime(which+" createdAt", c.CreatedAt); err != nil {
		return p, err
	}
	edited, set, err := rawTime(which+" lastEditedAt", c.LastEditedAt)
	if err != nil {
		return p, err
	}
	updated, _, err := rawTime(which+" updatedAt", c.UpdatedAt)
	if err != nil {
		return p, err
	}
	switch {
	case set:
		p.Updated = edited
	case updated.After(p.Created):
		// Exports without lastEditedAt: updatedAt is the best sign of an edit.
		p.Updated = updated
	}
	return p, nil
}

// rawID reads an id written as a string or an integer; null or absent is "".
func rawID(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	id, err := jsonstream.ID(raw)
	if errors.Is(err, jsonstream.ErrNotID) {
		return "", fmt.Errorf("want a string or an integer, got %s", clip(raw))
	}
	return forum.OneLine(id), err
}

// rawTime reads an RFC 3339 time. set says whether the field was in the
// export at all (null counts as set: GitHub's "never").
func rawTime(field string, raw json.RawMessage) (t time.Time, set bool, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return t, false, nil
	}
	if string(raw) == "null" {
		return t, true, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return t, true, shapeErr("field %s: want an RFC 3339 time string, got %s", field, clip(raw))
	}
	if s == "" {
		return t, true, nil
	}
	t, err = time.Parse(time.RFC3339, s)
	if err != nil {
		return t, true, shapeErr("field %s: %q is not an RFC 3339 time", field, s)
	}
	return t.UTC(), true, nil
}

// actor reads author-like fields: {login}, a plain login, or null.
// absent is what a missing or null actor becomes.
func actor(raw json.RawMessage, absent string) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return absent, nil
	}
	var login string
	switch raw[0] {
	case '"':
		if err := json.Unmarshal(raw, &login); err != nil {
			return "", err
		}
	case '{':
		var a struct {
			Login *string `json:"login"`
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			return "", fmt.Errorf("want {login}, got %s", clip(raw))
		}
		if a.Login != nil {
			login = *a.Login
		}
	default:
		return "", fmt.Errorf("want a login or {login}, got %s", clip(raw))
	}
	if login = forum.OneLine(login); login == "" {
		return absent, nil
	}
	return login, nil
}

// parseConn reads a connection as {nodes:[...]}, {edges:[{node}]} or [...].
func parseConn(field string, raw json.RawMessage) ([]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var items []json.RawMessage
	if raw[0] == '[' {
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, shapeErr("field %s: %v", field, typeErr(err))
		}
		return items, nil
	}
	var c struct {
		Nodes []json.RawMessage `json:"nodes"`
		Edges []struct {
			Node json.RawMessage `json:"node"`
		} `json:"edges"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, shapeErr("field %s: want {nodes:[...]}, {edges:[...]} or an array, got %s", field, clip(raw))
	}
	items = c.Nodes
	for _, e := range c.Edges {
		items = append(items, e.Node)
	}
	return items, nil
}

// labels reads label names, in export order, without repeats.
func labels(raw json.RawMessage) ([]string, error) {
	items, err := parseConn("labels", raw)
	if err != nil {
		return nil, err
	}
	var tags []string
	seen := map[string]bool{}
	for _, it := range items {
		name, err := labelName(it)
		if err != nil {
			return nil, shapeErr("field labels: %v", err)
		}
		if name = forum.OneLine(name); name != "" && !seen[name] {
			seen[name] = true
			tags = append(tags, name)
		}
	}
	return tags, nil
}

// labelName reads a label: "name" or {name}.
func labelName(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var l struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(raw, &l); err != nil {
		return "", fmt.Errorf("want a name or {name}, got %s", clip(raw))
	}
	return l.Name, nil
}

var discussionURL = regexp.MustCompile(`^(https?://[^?#]+?)/discussions/([0-9]+)(?:[/?#]|$)`)

// splitURL splits a discussion or comment URL into the repository URL and
// the discussion number; both are empty when the URL has another form.
func splitURL(u string) (repo, number string) {
	m := discussionURL.FindStringSubmatch(u)
	if m == nil {
		return "", ""
	}
	return m[1], m[2]
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// clip shortens raw JSON for a message.
func clip(raw []byte) string {
	const max = 40
	if len(raw) > max {
		return forum.CleanText(string(raw[:max])) + "..."
	}
	return forum.CleanText(string(raw))
}
