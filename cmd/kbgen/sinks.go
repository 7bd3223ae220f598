package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

const (
	bom     = "\xef\xbb\xbf"
	xmlDecl = `<?xml version="1.0" encoding="utf-8"?>` + "\n"
	// seTime is the dumps' timestamp form: UTC, no zone, milliseconds.
	seTime = "2006-01-02T15:04:05.000"
	// rfcTime is RFC 3339 with milliseconds, for JSON Lines.
	rfcTime = "2006-01-02T15:04:05.000Z07:00"
)

// appendBody writes a template body with the generated word inserted at
// the chosen point, and the -change edit appended, in one escaped form.
func appendBody(b []byte, text string, at []int, g *gpost, esc func([]byte, string) []byte, edit func(*gpost) string) []byte {
	if g.at >= 0 && g.at < len(at) {
		p := at[g.at]
		b = append(b, text[:p]...)
		b = append(b, ' ')
		b = append(b, g.word...)
		b = append(b, text[p:]...)
	} else {
		b = append(b, text...)
	}
	if g.edit != "" {
		b = esc(b, edit(g))
	}
	return b
}

// htmlEdit and markdownEdit are the paragraph -change appends to an answer.
func htmlEdit(g *gpost) string {
	return "\n<p><strong>Edit:</strong> " + g.edit + ".</p>\n"
}

func markdownEdit(g *gpost) string { return "\r\n\r\n**Edit:** " + g.edit + "." }

// seSink writes Posts.xml, Users.xml and, with -history, PostHistory.xml.
type seSink struct {
	posts, hist *output
	histID      int64
	guid        *rand.Rand // RevisionGUIDs, from the posts' own stream
	users       int
	names       []string
	open        opener
	seed        uint64
}

func newSESink(cfg config, src *source, users int, open opener) (*seSink, error) {
	s := &seSink{users: users, names: src.names, open: open, seed: cfg.seed,
		guid: rand.New(rand.NewPCG(cfg.seed, streamUsers+100))}
	var err error
	if s.posts, err = create(open, "Posts.xml"); err != nil {
		return nil, err
	}
	s.posts.buf = append(s.posts.buf, bom+xmlDecl+"<posts>\n"...)
	if err := s.posts.flushRow(); err != nil {
		return nil, err
	}
	if cfg.history {
		if s.hist, err = create(open, "PostHistory.xml"); err != nil {
			return nil, err
		}
		s.hist.buf = append(s.hist.buf, bom+xmlDecl+"<posthistory>\n"...)
		if err := s.hist.flushRow(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func appendAttr(b []byte, name, value string) []byte {
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, '=', '"')
	b = appendXMLAttr(b, value)
	return append(b, '"')
}

func appendIntAttr(b []byte, name string, v int64) []byte {
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, '=', '"')
	b = strconv.AppendInt(b, v, 10)
	return append(b, '"')
}

func appendTimeAttr(b []byte, name string, t time.Time) []byte {
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, '=', '"')
	b = t.UTC().AppendFormat(b, seTime)
	return append(b, '"')
}

func (s *seSink) question(t *gthread) error {
	b := s.posts.buf
	q := &t.q
	b = append(b, "  <row"...)
	b = appendIntAttr(b, "Id", q.id)
	b = append(b, ` PostTypeId="1"`...)
	if t.a != nil {
		b = appendIntAttr(b, "AcceptedAnswerId", t.a.id)
	}
	b = appendTimeAttr(b, "CreationDate", q.created)
	b = appendIntAttr(b, "Score", int64(q.tpl.score))
	b = appendIntAttr(b, "ViewCount", int64(q.views))
	b = s.appendPost(b, q)
	b = appendAttr(b, "Title", t.title)
	b = append(b, ` Tags="`...)
	for _, tag := range q.tpl.tags {
		b = append(b, "&lt;"...)
		b = appendXMLAttr(b, tag)
		b = append(b, "&gt;"...)
	}
	b = append(b, '"')
	// Only accepted answers are generated: AnswerCount says so.
	answers := int64(0)
	if t.a != nil {
		answers = 1
	}
	b = appendIntAttr(b, "AnswerCount", answers)
	b = appendIntAttr(b, "CommentCount", int64(q.tpl.comments))
	if q.tpl.favs > 0 {
		b = appendIntAttr(b, "FavoriteCount", int64(q.tpl.favs))
	}
	if !t.closed.IsZero() {
		b = appendTimeAttr(b, "ClosedDate", t.closed)
	}
	if !t.wiki.IsZero() {
		b = appendTimeAttr(b, "CommunityOwnedDate", t.wiki)
	}
	b = appendAttr(b, "ContentLicense", license(q.created))
	s.posts.buf = append(b, " />\n"...)
	if err := s.posts.flushRow(); err != nil {
		return err
	}
	return s.history(q, t.title, q.tpl.tags)
}

func (s *seSink) answer(t *gthread) error {
	b := s.posts.buf
	a := t.a
	b = append(b, "  <row"...)
	b = appendIntAttr(b, "Id", a.id)
	b = append(b, ` PostTypeId="2"`...)
	b = appendIntAttr(b, "ParentId", t.q.id)
	b = appendTimeAttr(b, "CreationDate", a.created)
	b = appendIntAttr(b, "Score", int64(a.tpl.score))
	b = s.appendPost(b, a)
	b = appendIntAttr(b, "CommentCount", int64(a.tpl.comments))
	if a.tpl.wiki {
		b = appendTimeAttr(b, "CommunityOwnedDate", a.created)
	}
	b = appendAttr(b, "ContentLicense", license(a.created))
	s.posts.buf = append(b, " />\n"...)
	if err := s.posts.flushRow(); err != nil {
		return err
	}
	return s.history(a, "", nil)
}

// appendPost writes the attributes questions and answers share, from Body
// to LastActivityDate.
func (s *seSink) appendPost(b []byte, g *gpost) []byte {
	b = append(b, ` Body="`...)
	b = appendBody(b, g.tpl.body.xml, g.tpl.body.xmlAt, g, appendXMLAttr, htmlEdit)
	b = append(b, '"')
	if g.owner > 0 {
		b = appendIntAttr(b, "OwnerUserId", g.owner)
	} else if g.tpl.ownerName != "" {
		b = appendAttr(b, "OwnerDisplayName", g.tpl.ownerName)
	}
	if !g.edited.IsZero() {
		editor := g.owner
		if editor == 0 {
			editor = -1 // the Community user
		}
		b = appendIntAttr(b, "LastEditorUserId", editor)
		b = appendTimeAttr(b, "LastEditDate", g.edited)
	}
	return appendTimeAttr(b, "LastActivityDate", g.activity)
}

// history writes the post's revisions: the initial body (and title and
// tags for a question), then the latest body as an edit when it was
// edited. Posts whose template has no Markdown get no rows, as posts
// older than the PostHistory table.
func (s *seSink) history(g *gpost, title string, tags []string) error {
	if s.hist == nil || g.tpl.md.raw == "" {
		return nil
	}
	guid := s.newGUID()
	row := func(kind int, at time.Time, text func([]byte) []byte) error {
		s.histID++
		b := append(s.hist.buf, "  <row"...)
		b = appendIntAttr(b, "Id", s.histID)
		b = appendIntAttr(b, "PostHistoryTypeId", int64(kind))
		b = appendIntAttr(b, "PostId", g.id)
		b = append(b, ` RevisionGUID="`...)
		b = append(b, guid...)
		b = append(b, '"')
		b = appendTimeAttr(b, "CreationDate", at)
		if g.owner > 0 {
			b = appendIntAttr(b, "UserId", g.owner)
		} else if g.tpl.ownerName != "" {
			b = appendAttr(b, "UserDisplayName", g.tpl.ownerName)
		}
		b = append(b, ` Text="`...)
		b = text(b)
		b = append(b, '"')
		b = appendAttr(b, "ContentLicense", license(at))
		s.hist.buf = append(b, " />\n"...)
		return s.hist.flushRow()
	}
	md := &g.tpl.md
	plain := *g
	plain.edit = ""
	body := func(gp *gpost) func([]byte) []byte {
		return func(b []byte) []byte {
			return appendBody(b, md.xml, md.xmlAt, gp, appendXMLAttr, markdownEdit)
		}
	}
	if err := row(2, g.created, body(&plain)); err != nil {
		return err
	}
	if title != "" {
		if err := row(1, g.created, func(b []byte) []byte { return appendXMLAttr(b, title) }); err != nil {
			return err
		}
		if err := row(3, g.created, func(b []byte) []byte {
			for _, tag := range tags {
				b = append(b, "&lt;"...)
				b = appendXMLAttr(b, tag)
				b = append(b, "&gt;"...)
			}
			return b
		}); err != nil {
			return err
		}
	}
	if !g.edited.IsZero() {
		guid = s.newGUID()
		return row(5, g.edited, body(g))
	}
	return nil
}

func (s *seSink) newGUID() string {
	r := s.guid
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xfff,
		0x8000|r.Uint32()&0x3fff, r.Uint64()&0xffffffffffff)
}

func (s *seSink) close() (int64, error) {
	s.posts.buf = append(s.posts.buf, "</posts>"...)
	err := s.posts.flushRow()
	n, cerr := s.posts.close()
	if err == nil {
		err = cerr
	}
	if s.hist != nil {
		s.hist.buf = append(s.hist.buf, "</posthistory>"...)
		if herr := s.hist.flushRow(); err == nil {
			err = herr
		}
		hn, herr := s.hist.close()
		n += hn
		if err == nil {
			err = herr
		}
	}
	un, uerr := s.writeUsers()
	n += un
	if err == nil {
		err = uerr
	}
	return n, err
}

// writeUsers writes Users.xml: the Community user and the generated pool.
func (s *seSink) writeUsers() (int64, error) {
	o, err := create(s.open, "Users.xml")
	if err != nil {
		return 0, err
	}
	r := rand.New(rand.NewPCG(s.seed, streamUsers))
	o.buf = append(o.buf, bom+xmlDecl+"<users>\n"...)
	o.buf = append(o.buf, `  <row Id="-1" Reputation="1" CreationDate="2009-12-31T00:00:00.000" DisplayName="Community" LastAccessDate="2009-12-31T00:00:00.000" AboutMe="&lt;p&gt;Hi, I'm not really a person.&lt;/p&gt;&#xA;" Views="0" UpVotes="0" DownVotes="0" AccountId="-1" />`+"\n"...)
	err = o.flushRow()
	for k := int64(1); k <= int64(s.users) && err == nil; k++ {
		created := firstDate.Add(time.Duration(r.Int64N(int64(lastDate.Sub(firstDate))))).Truncate(time.Millisecond)
		b := append(o.buf, "  <row"...)
		b = appendIntAttr(b, "Id", k)
		b = appendIntAttr(b, "Reputation", int64(1+r.IntN(5000)))
		b = appendTimeAttr(b, "CreationDate", created)
		b = appendAttr(b, "DisplayName", userName(s.names, k))
		b = appendTimeAttr(b, "LastAccessDate", created.Add(randDur(r, time.Hour, 900*24*time.Hour)))
		b = appendIntAttr(b, "Views", int64(r.IntN(300)))
		b = appendIntAttr(b, "UpVotes", int64(r.IntN(200)))
		b = appendIntAttr(b, "DownVotes", int64(r.IntN(20)))
		b = appendIntAttr(b, "AccountId", 1000+k*7)
		o.buf = append(b, " />\n"...)
		err = o.flushRow()
	}
	if err == nil {
		o.buf = append(o.buf, "</users>"...)
		err = o.flushRow()
	}
	n, cerr := o.close()
	if err == nil {
		err = cerr
	}
	return n, err
}

// jsonlSink writes threads.jsonl, one thread per line.
type jsonlSink struct {
	o     *output
	site  string
	names []string
}

func newJSONLSink(cfg config, src *source, open opener) (*jsonlSink, error) {
	o, err := create(open, "threads.jsonl")
	if err != nil {
		return nil, err
	}
	return &jsonlSink{o: o, site: cfg.site, names: src.names}, nil
}

func (s *jsonlSink) question(t *gthread) error {
	b := s.o.buf
	q := &t.q
	id := strconv.FormatInt(q.id, 10)
	b = append(b, `{"id":"`...)
	b = append(b, id...)
	b = append(b, `","title":`...)
	b = appendJSONString(b, t.title)
	b = append(b, `,"url":`...)
	b = appendJSONString(b, s.site+"/q/"+id)
	if len(q.tpl.tags) > 0 {
		b = append(b, `,"tags":[`...)
		for i, tag := range q.tpl.tags {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, tag)
		}
		b = append(b, ']')
	}
	b = append(b, `,"license":"`...)
	b = append(b, license(q.created)...)
	b = append(b, `","score":`...)
	b = strconv.AppendInt(b, int64(q.tpl.score), 10)
	b = append(b, `,"views":`...)
	b = strconv.AppendInt(b, int64(q.views), 10)
	b = append(b, `,"updated":"`...)
	b = q.activity.UTC().AppendFormat(b, rfcTime)
	b = append(b, '"')
	if !t.closed.IsZero() {
		b = append(b, `,"closed":true`...)
	}
	b = append(b, `,"question":`...)
	b = s.appendPost(b, q, false)
	if t.a != nil {
		b = append(b, `,"answer":`...)
		b = s.appendPost(b, t.a, true)
	}
	s.o.buf = append(b, "}\n"...)
	return s.o.flushRow()
}

func (s *jsonlSink) appendPost(b []byte, g *gpost, answer bool) []byte {
	id := strconv.FormatInt(g.id, 10)
	b = append(b, `{"id":"`...)
	b = append(b, id...)
	b = append(b, '"')
	if answer {
		b = append(b, `,"url":`...)
		b = appendJSONString(b, s.site+"/a/"+id)
	}
	b = append(b, `,"body":"`...)
	b = appendBody(b, g.tpl.body.json, g.tpl.body.jsonAt, g, appendJSONText, htmlEdit)
	b = append(b, `","format":"html","author":`...)
	switch {
	case g.owner > 0:
		b = appendJSONString(b, userName(s.names, g.owner))
		b = append(b, `,"author_id":"`...)
		b = strconv.AppendInt(b, g.owner, 10)
		b = append(b, '"')
	default:
		b = appendJSONString(b, g.tpl.ownerName)
	}
	b = append(b, `,"created":"`...)
	b = g.created.UTC().AppendFormat(b, rfcTime)
	b = append(b, '"')
	if !g.edited.IsZero() {
		b = append(b, `,"updated":"`...)
		b = g.edited.UTC().AppendFormat(b, rfcTime)
		b = append(b, '"')
	}
	b = append(b, `,"score":`...)
	b = strconv.AppendInt(b, int64(g.tpl.score), 10)
	return append(b, '}')
}

func (s *jsonlSink) answer(*gthread) error { return nil } // written with its question

func (s *jsonlSink) close() (int64, error) { return s.o.close() }

// htmlSink writes bodies.html: the question and accepted answer of every
// solved thread in one HTML document, each thread after a
// "kbgen-thread ID" heading that survives conversion, so that the bench
// baseline can convert everything in one pandoc run and split the result.
type htmlSink struct{ o *output }

func newHTMLSink(open opener) (*htmlSink, error) {
	o, err := create(open, "bodies.html")
	if err != nil {
		return nil, err
	}
	o.buf = append(o.buf, "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>kbgen bodies</title></head>\n<body>\n"...)
	return &htmlSink{o: o}, o.flushRow()
}

func (s *htmlSink) question(t *gthread) error {
	if t.a == nil {
		return nil
	}
	b := append(s.o.buf, "<h1>kbgen-thread "...)
	b = strconv.AppendInt(b, t.q.id, 10)
	b = append(b, "</h1>\n<h1>"...)
	b = appendHTMLText(b, t.title)
	b = append(b, "</h1>\n"...)
	b = appendBody(b, t.q.tpl.body.raw, t.q.tpl.body.rawAt, &t.q, noEscape, htmlEdit)
	b = append(b, "\n<h2>Accepted answer</h2>\n"...)
	b = appendBody(b, t.a.tpl.body.raw, t.a.tpl.body.rawAt, t.a, noEscape, htmlEdit)
	s.o.buf = append(b, '\n')
	return s.o.flushRow()
}

func noEscape(b []byte, s string) []byte { return append(b, s...) }

func (s *htmlSink) answer(*gthread) error { return nil }

func (s *htmlSink) close() (int64, error) {
	s.o.buf = append(s.o.buf, "</body>\n</html>\n"...)
	err := s.o.flushRow()
	n, cerr := s.o.close()
	if err == nil {
		err = cerr
	}
	return n, err
}
