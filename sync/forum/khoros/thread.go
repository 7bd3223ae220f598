package khoros

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/forum/jsonstream"
)

// message is an item read back for its thread, with where it came from.
type message struct {
	item
	at       jsonstream.Loc
	created  time.Time
	accepted time.Time // solution_data time, else zero
}

// thread reads conversation ci back and builds its Thread.
func (e *Export) thread(ix *index, recs *jsonstream.Records, ci int32) (*forum.Thread, error) {
	c := &ix.convs[ci]
	msgs := make([]message, len(c.locs))
	for i, l := range c.locs {
		raw, err := recs.Read(l)
		if err == nil {
			err = json.Unmarshal(raw, &msgs[i].item)
		}
		if err == nil && string(msgs[i].Conversation.ID) != c.id {
			err = errors.New("file changed while it was being read")
		}
		if err != nil {
			return nil, &forum.InputError{Format: format, Path: e.files[l.File], Record: "conversation " + c.id, Offset: l.Off, Err: err,
				Hint: "do not change export files during a run"}
		}
		m := &msgs[i]
		m.at = l
		m.created, _ = parseTime(m.PostTime) // validated in the first pass
		if m.SolutionData != nil {
			m.accepted, _ = parseTime(m.SolutionData.Time)
		}
	}
	topic := &msgs[c.topic]
	foreign := func(m *message, why string) error {
		return &forum.InputError{Format: format, Path: e.files[m.at.File],
			Record: "message " + string(m.ID) + " (conversation " + c.id + ")", Offset: m.at.Off,
			Err:  errors.New(why),
			Hint: "the message's conversation.id disagrees with its parent or topic: the export mixes threads"}
	}

	var solutions, replies []*message
	for i := range msgs {
		m := &msgs[i]
		if int32(i) == c.topic {
			continue // a topic cannot be a solution; Khoros marks replies only
		}
		if m.Topic != nil && m.Topic.ID != "" && m.Topic.ID != topic.ID {
			return nil, foreign(m, "topic.id "+string(m.Topic.ID)+" is not this conversation's topic "+string(topic.ID))
		}
		if m.Parent != nil && m.Parent.ID != "" {
			if p, ok := ix.msgs[string(m.Parent.ID)]; ok && p.conv != ci {
				return nil, foreign(m, "parent "+string(m.Parent.ID)+" is in conversation "+ix.convs[p.conv].id)
			}
		}
		if m.IsSolution {
			solutions = append(solutions, m)
		} else {
			replies = append(replies, m)
		}
	}
	// The first solution accepted is the answer; without an accept time the
	// post time stands in for it.
	acceptKey := func(m *message) time.Time {
		if !m.accepted.IsZero() {
			return m.accepted
		}
		return m.created
	}
	sort.SliceStable(solutions, func(i, j int) bool {
		a, b := solutions[i], solutions[j]
		if ka, kb := acceptKey(a), acceptKey(b); !ka.Equal(kb) {
			return ka.Before(kb)
		}
		if !a.created.Equal(b.created) {
			return a.created.Before(b.created)
		}
		return jsonstream.IDLess(string(a.ID), string(b.ID))
	})
	sort.SliceStable(replies, func(i, j int) bool {
		a, b := replies[i], replies[j]
		if !a.created.Equal(b.created) {
			return a.created.Before(b.created)
		}
		return jsonstream.IDLess(string(a.ID), string(b.ID))
	})

	q := e.post(topic)
	t := &forum.Thread{
		Source:   format,
		ID:       string(topic.ID),
		Site:     e.site,
		URL:      q.URL,
		Title:    forum.OneLine(topic.Subject),
		Question: q,
		Tags:     tags(topic),
		Created:  q.Created,
		Updated:  q.Updated,
		Locked:   topic.ReadOnly,
	}
	if topic.Board != nil {
		t.Category = forum.OneLine(string(topic.Board.ID))
	}
	if topic.Kudos != nil {
		t.Score = topic.Kudos.Sum.Weight.N
	}
	if topic.Metrics != nil {
		t.Views = topic.Metrics.Views.N
	}
	for i, m := range solutions {
		p := e.post(m)
		if i == 0 {
			t.Answer = &p
		} else {
			t.Solutions = append(t.Solutions, p)
		}
	}
	for _, m := range replies {
		t.Replies = append(t.Replies, e.post(m))
	}
	if t.Answer == nil {
		t.Skip = forum.SkipNoAcceptedAnswer
		if topic.Conversation.Solved {
			// Khoros says the thread is solved, but the solution is not in
			// the export: say so rather than "unanswered".
			t.Skip = forum.SkipAcceptedAnswerMissing
		}
	}
	return t, nil
}

// post converts one message.
func (e *Export) post(m *message) forum.Post {
	p := forum.Post{
		ID:       string(m.ID),
		URL:      e.absURL(m.ViewHref),
		Author:   forum.FallbackAuthor(""),
		Body:     forum.CleanText(rewriteBody(m.Body, e.site)),
		Format:   forum.HTML,
		Created:  m.created,
		Accepted: m.accepted,
	}
	if m.Author != nil {
		p.AuthorID = string(m.Author.ID)
		if name := forum.OneLine(m.Author.Login); name != "" {
			p.Author = name
		} else {
			p.Author = forum.FallbackAuthor(forum.OneLine(p.AuthorID))
		}
	}
	for _, ts := range []string{m.EditTime, m.LastEditTime} {
		if u, _ := parseTime(ts); u.After(p.Created) && u.After(p.Updated) {
			p.Updated = u
		}
	}
	if m.Kudos != nil {
		p.Score = m.Kudos.Sum.Weight.N
	}
	if m.IsSolution && m.SolutionData != nil && m.SolutionData.User != nil {
		p.AcceptedBy = forum.OneLine(m.SolutionData.User.Login)
		if p.AcceptedBy == "" && m.SolutionData.User.ID != "" {
			p.AcceptedBy = forum.FallbackAuthor(forum.OneLine(string(m.SolutionData.User.ID)))
		}
	}
	if !m.IsSolution {
		p.Accepted = time.Time{}
	}
	return p
}

// absURL makes a site-relative view_href absolute when the site is known.
func (e *Export) absURL(href string) string {
	href = strings.TrimSpace(forum.CleanText(href))
	if strings.HasPrefix(href, "/") && !strings.HasPrefix(href, "//") && e.site != "" {
		return e.site + href
	}
	return href
}

// tags are the topic's labels then its tags, each once, in order.
func tags(m *message) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range []*textList{m.Labels, m.Tags} {
		if l == nil {
			continue
		}
		for _, it := range l.Items {
			s := forum.OneLine(it.Text)
			if s != "" && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}
