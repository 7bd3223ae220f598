package discourse

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
)

// build turns a parsed topic into a Thread. Private, unlisted and deleted
// topics carry no title and no bodies at all.
func (e *Export) build(t *topic, file string) (*forum.Thread, error) {
	site := e.opts.SiteURL()
	for _, p := range t.posts {
		if p.topicID != "" && p.topicID != t.id {
			return nil, &forum.InputError{Format: forum.Discourse, Path: file,
				Record: fmt.Sprintf("topic %s post #%d (id %s)", t.id, p.number, p.id), Offset: p.offset,
				Err:  fmt.Errorf("post belongs to topic %s", p.topicID),
				Hint: "a page of another topic was merged into this file; fetch the topic again"}
		}
	}
	// No URL either until the topic is known to be public: the slug is
	// made from the title.
	th := &forum.Thread{Source: forum.Discourse, ID: t.id, Site: site, Created: t.created}
	switch {
	case t.archetype == "private_message" || t.invisible:
		th.Status, th.Skip = forum.Private, forum.SkipPrivate
		return th, nil
	case t.deleted:
		th.Status, th.Skip = forum.Deleted, forum.SkipDeleted
		return th, nil
	}
	q := t.byNumber[1]
	if q == nil || q.ptype != 1 {
		return nil, &forum.InputError{Format: forum.Discourse, Path: file, Record: "topic " + t.id, Offset: -1,
			Err:  errors.New("the first post (#1, the question) is not in post_stream.posts"),
			Hint: "the file lacks the first page of the topic; fetch /t/{id}.json"}
	}
	if q.dropped {
		th.Status, th.Skip = forum.Deleted, forum.SkipDeleted
		if q.hidden {
			th.Status, th.Skip = forum.Private, forum.SkipPrivate
		}
		return th, nil
	}
	th.Title = forum.OneLine(t.title)
	th.URL = topicURL(site, t.slug, t.id)
	th.Tags = t.tags
	th.Category = t.category
	th.Views = t.views
	th.Closed = t.closed || t.archived
	th.Locked = t.archived
	th.Score = q.likes
	th.CommunityWiki = q.wiki
	if th.Created.IsZero() {
		th.Created = q.created
	}
	// The topic's own last edit is its first post's; last_posted_at would
	// move with every unrelated reply.
	th.Updated = q.updated

	accepted, missing := acceptedPosts(t)
	var replies []*post
	if !missing && len(accepted) == 0 {
		for _, p := range sortedPosts(t) {
			if p.number != 1 && usable(p) {
				replies = append(replies, p)
			}
		}
	}
	b := &bodies{e: e, t: t, file: file, site: site}
	need := append([]*post{q}, accepted...)
	if err := b.loadRaw(append(need, replies...)); err != nil {
		return nil, err
	}
	th.Question = b.post(q)
	switch {
	case missing:
		th.Skip = forum.SkipAcceptedAnswerMissing
	case len(accepted) == 0:
		th.Skip = forum.SkipNoAcceptedAnswer
		for _, p := range replies {
			th.Replies = append(th.Replies, b.post(p))
		}
	default:
		for i, p := range accepted {
			fp := b.post(p)
			if p.number == t.accNumber {
				fp.AcceptedBy = t.accBy
			}
			if i == 0 {
				th.Answer = &fp
			} else {
				th.Solutions = append(th.Solutions, fp)
			}
		}
	}
	return th, nil
}

// usable is a regular post that was not deleted, hidden or withdrawn.
func usable(p *post) bool { return p != nil && p.ptype == 1 && !p.dropped }

func sortedPosts(t *topic) []*post {
	ps := append([]*post(nil), t.posts...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].number < ps[j].number })
	return ps
}

// acceptedPosts returns the accepted posts by post number. missing is true
// when the plugin names an accepted post that the file does not hold in a
// usable form (paginated away, deleted, hidden): then no post is picked.
func acceptedPosts(t *topic) (posts []*post, missing bool) {
	nums := map[int]bool{}
	if t.accNumber > 0 {
		nums[t.accNumber] = true
		if p := t.byNumber[t.accNumber]; !usable(p) || p.number == 1 {
			missing = true
		}
	}
	if t.accPostID != "" {
		p := t.byID[t.accPostID]
		if !usable(p) || p.number == 1 {
			missing = true
		} else {
			nums[p.number] = true
		}
	}
	for _, p := range t.posts {
		if p.accepted {
			nums[p.number] = true
		}
	}
	for n := range nums {
		if p := t.byNumber[n]; usable(p) && n != 1 {
			posts = append(posts, p)
		}
	}
	sort.Slice(posts, func(i, j int) bool { return posts[i].number < posts[j].number })
	if len(posts) == 0 && (len(nums) > 0 || t.accSignal) {
		missing = true
	}
	if missing {
		return nil, true
	}
	return posts, false
}

// bodies picks each post's body: raw field, then the .raw.md dump, then
// the cleaned cooked HTML.
type bodies struct {
	e    *Export
	t    *topic
	file string
	site string
	raw  map[int]rawBlock
}

// rawPath is the /raw/{id} dump saved next to a topic file.
func rawPath(file string) string {
	if strings.HasSuffix(strings.ToLower(file), ".json") {
		return file[:len(file)-len(".json")] + ".raw.md"
	}
	return file + ".raw.md"
}

// loadRaw reads the .raw.md blocks of the posts that need one.
func (b *bodies) loadRaw(need []*post) error {
	want := map[int]bool{}
	for _, p := range need {
		if p.raw == nil {
			want[p.number] = true
		}
	}
	if len(want) == 0 {
		return nil
	}
	path := rawPath(b.file)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &forum.InputError{Format: forum.Discourse, Path: path, Record: "topic " + b.t.id, Offset: -1,
			Err: err, Hint: "check that the file is readable, or remove it to use the rendered HTML"}
	}
	defer f.Close()
	// A block is used only when its header names the post's user and its
	// updated_at (to the second). A known post whose header does not match
	// means a stale dump or a header-like line inside the previous post:
	// the previous block is not trusted either.
	b.raw = map[int]rawBlock{}
	var prev *rawBlock
	prevOK := false
	keep := func(blk *rawBlock, ok bool) {
		if _, wanted := want[blk.number]; wanted && ok {
			b.raw[blk.number] = *blk
		}
	}
	err = parseRawMD(f, b.e.opts.PostLimit(), func(blk rawBlock) error {
		known, ok := b.matches(blk)
		if prev != nil {
			keep(prev, prevOK && (!known || ok))
		}
		prev, prevOK = &blk, known && ok
		return nil
	})
	if err == nil && prev != nil {
		keep(prev, prevOK)
	}
	if err != nil {
		var ie *forum.InputError
		if errors.As(err, &ie) {
			ie.Path = path
			ie.Record = strings.TrimSpace("topic " + b.t.id + " " + ie.Record)
			return ie
		}
		return &forum.InputError{Format: forum.Discourse, Path: path, Record: "topic " + b.t.id, Offset: -1,
			Err: err, Hint: "check that the file is readable"}
	}
	return nil
}

// matches reports whether the topic has the block's post (known) and the
// header agrees with it.
func (b *bodies) matches(blk rawBlock) (known, ok bool) {
	p := b.t.byNumber[blk.number]
	if p == nil {
		return false, false
	}
	if !strings.EqualFold(p.username, blk.user) {
		return true, false
	}
	return true, p.updatedAt.IsZero() || p.updatedAt.Truncate(time.Second).Equal(blk.at)
}

// post converts one post; sizes were checked when it was read.
func (b *bodies) post(p *post) forum.Post {
	fp := forum.Post{
		ID: p.id, Author: p.author, AuthorID: p.userID,
		Created: p.created, Updated: p.updated, Score: p.likes,
	}
	if b.site != "" {
		fp.URL = topicURL(b.site, b.t.slug, b.t.id)
		if p.number != 1 {
			fp.URL += "/" + strconv.Itoa(p.number)
		}
	}
	md := ""
	if p.raw != nil {
		md = *p.raw
	}
	if md == "" {
		md = b.raw[p.number].body
	}
	if strings.TrimSpace(md) != "" {
		// Markdown that leans on Discourse-only BBCode ([code], [img], ...)
		// is better served by Discourse's own rendering.
		if out, bbcode := rewriteMarkdown(md, b.site); !bbcode || strings.TrimSpace(p.cooked) == "" {
			fp.Body, fp.Format = forum.CleanText(out), forum.Markdown
			return fp
		}
	}
	fp.Body, fp.Format = CleanCooked(p.cooked, b.site), forum.HTML
	return fp
}

// topicURL is <site>/t/<slug>/<id>; "" without a site. Discourse itself
// uses "topic" as the slug of a topic whose title gives none.
func topicURL(site, slug, id string) string {
	if site == "" {
		return ""
	}
	if slug == "" {
		slug = "topic"
	}
	return site + "/t/" + url.PathEscape(slug) + "/" + id
}
