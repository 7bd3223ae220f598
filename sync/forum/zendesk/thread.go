package zendesk

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/forum/jsonstream"
)

// thread reads group gi back (its post and comments) and builds its Thread.
func (e *Export) thread(ix *index, recs *jsonstream.Records, gi int32) (*forum.Thread, error) {
	g := &ix.groups[gi]
	fail := func(at jsonstream.Loc, err error) error {
		return &forum.InputError{Format: format, Path: e.files[at.File], Record: "post " + g.id, Offset: at.Off, Err: err,
			Hint: "do not change export files during a run"}
	}
	reread := func(at jsonstream.Loc, v any) error {
		raw, err := recs.Read(at)
		if err == nil {
			err = json.Unmarshal(raw, v)
		}
		if err != nil {
			return fail(at, err)
		}
		return nil
	}
	errChanged := errors.New("file changed while it was being read")
	var official, others []forum.Post
	for _, at := range g.comments {
		var c comment
		if err := reread(at, &c); err != nil {
			return nil, err
		}
		if string(c.PostID) != g.id {
			return nil, fail(at, errChanged)
		}
		p := e.commentPost(ix, &c)
		if c.Official {
			official = append(official, p)
		} else {
			others = append(others, p)
		}
	}
	byTime(official)
	byTime(others)

	t := &forum.Thread{Source: format, ID: g.id, Site: e.site}
	if g.post == nil {
		// The post is not in the export (deleted, or left out): report its
		// comments, but it can never be published.
		t.Question = forum.Post{ID: g.id, Author: forum.FallbackAuthor(""), Format: forum.HTML}
		t.Replies = append(official, others...)
		byTime(t.Replies)
		if len(t.Replies) > 0 {
			t.Question.Created = t.Replies[0].Created
		}
		t.Created = t.Question.Created
		t.Status = forum.Deleted
		t.Skip = forum.SkipDeleted
		return t, nil
	}
	var p post
	if err := reread(*g.post, &p); err != nil {
		return nil, err
	}
	if string(p.ID) != g.id {
		return nil, fail(*g.post, errChanged)
	}
	created, _ := parseTime(p.CreatedAt) // validated in the first pass
	updated, _ := parseTime(p.UpdatedAt)
	if !updated.After(created) {
		updated = time.Time{}
	}
	t.URL = strings.TrimSpace(forum.CleanText(p.HTMLURL))
	t.Title = forum.OneLine(p.Title)
	t.Question = forum.Post{
		ID:       g.id,
		URL:      t.URL,
		Author:   author(ix, string(p.AuthorID)),
		AuthorID: string(p.AuthorID),
		Body:     forum.CleanText(p.Details),
		Format:   forum.HTML,
		Created:  created,
		Updated:  updated,
		Score:    p.VoteSum.N,
	}
	t.Category = string(p.TopicID)
	t.Score = p.VoteSum.N
	t.Created = created
	t.Updated = updated
	t.Closed = p.Closed
	t.Replies = others
	if len(official) > 0 {
		t.Answer = &official[0]
		t.Solutions = official[1:]
		if len(t.Solutions) == 0 {
			t.Solutions = nil
		}
	} else {
		// Whatever the post's status says ("answered" included): only an
		// official comment is an accepted answer.
		t.Skip = forum.SkipNoAcceptedAnswer
	}
	return t, nil
}

func (e *Export) commentPost(ix *index, c *comment) forum.Post {
	created, _ := parseTime(c.CreatedAt)
	updated, _ := parseTime(c.UpdatedAt)
	if !updated.After(created) {
		updated = time.Time{}
	}
	return forum.Post{
		ID:       string(c.ID),
		URL:      strings.TrimSpace(forum.CleanText(c.HTMLURL)),
		Author:   author(ix, string(c.AuthorID)),
		AuthorID: string(c.AuthorID),
		Body:     forum.CleanText(c.Body),
		Format:   forum.HTML,
		Created:  created,
		Updated:  updated,
		Score:    c.VoteSum.N,
	}
}

// author is the sideloaded name, else the stable fallback for the id.
func author(ix *index, id string) string {
	if name := ix.users[id]; name != "" {
		return name
	}
	return forum.FallbackAuthor(forum.OneLine(id))
}

// byTime orders posts oldest first, ties by id.
func byTime(ps []forum.Post) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if !a.Created.Equal(b.Created) {
			return a.Created.Before(b.Created)
		}
		return jsonstream.IDLess(a.ID, b.ID)
	})
}
