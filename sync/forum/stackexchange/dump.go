// Package stackexchange reads a Stack Exchange data dump folder (Posts.xml,
// and Users.xml, PostHistory.xml and PostLinks.xml when present) as a
// stream of threads.
//
// Memory does not grow with Posts.xml: a first pass validates every row and
// keeps, per question with an accepted answer, a few integers (ids and byte
// offsets); a second pass reads each question and its accepted answer back
// with ReadAt. Users.xml and PostHistory.xml are streamed once and only the
// rows of the posts that become articles are kept.
package stackexchange

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	stdsync "sync"
	"sync/atomic"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
)

const format = forum.StackExchange

// Dump is an opened data-dump folder.
type Dump struct {
	dir     string
	posts   string // path of Posts.xml
	users   string // path of Users.xml, or ""
	history string // path of PostHistory.xml, or ""
	links   string // path of PostLinks.xml, or ""
	site    string
	limit   int // one row of any table
	maxBody int // one post body
	// Tests set these: the first pass's chunk size (0: defaultChunk) and
	// workers (0: GOMAXPROCS).
	chunk   int64
	workers int
}

var siteName = regexp.MustCompile(`^([a-z0-9-]+\.)*(stackexchange\.com|stackoverflow\.com|superuser\.com|serverfault\.com|askubuntu\.com|mathoverflow\.net|stackapps\.com)$`)

// Open finds the dump's tables under path (a folder, or its Posts.xml).
func Open(path string, opts forum.Options) (*Dump, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &forum.InputError{Format: format, Path: path, Offset: -1, Err: errors.Unwrap(err),
			Hint: "check the path: it should be the folder extracted from a *.stackexchange.com.7z dump"}
	}
	dir := path
	if !st.IsDir() {
		dir = filepath.Dir(path)
	}
	d := &Dump{dir: dir, limit: opts.PostLimit()*2 + 64<<10, maxBody: opts.PostLimit()}
	if !st.IsDir() {
		d.posts = path
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, &forum.InputError{Format: format, Path: dir, Offset: -1, Err: err}
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		switch strings.ToLower(e.Name()) {
		case "posts.xml":
			if d.posts == "" {
				d.posts = p
			}
		case "users.xml":
			d.users = p
		case "posthistory.xml":
			d.history = p
		case "postlinks.xml":
			d.links = p
		}
	}
	if d.posts == "" {
		return nil, &forum.InputError{Format: format, Path: dir, Offset: -1, Err: errors.New("no Posts.xml in this folder"),
			Hint: "point --from at the folder extracted from the site's dump archive"}
	}
	d.site = opts.SiteURL()
	if d.site == "" {
		for _, name := range []string{filepath.Base(dir), strings.TrimSuffix(filepath.Base(dir), ".7z")} {
			if siteName.MatchString(strings.ToLower(name)) {
				d.site = "https://" + strings.ToLower(name)
				break
			}
		}
	}
	if d.site == "" {
		return nil, &forum.InputError{Format: format, Path: dir, Offset: -1,
			Err:  errors.New("the dump does not say which site it comes from"),
			Hint: "pass --site https://<name>.stackexchange.com, or name the folder after the site"}
	}
	return d, nil
}

// Sniff reports whether path is a Stack Exchange dump folder or a Posts.xml.
func Sniff(path string) (bool, error) {
	st, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	file := path
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return false, err
		}
		file = ""
		for _, e := range entries {
			if strings.EqualFold(e.Name(), "posts.xml") {
				file = filepath.Join(path, e.Name())
			}
		}
		if file == "" {
			return false, nil
		}
	}
	f, err := os.Open(file)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	head = bytes.TrimPrefix(head[:n], []byte("\xef\xbb\xbf"))
	return postsHead.Match(head), nil
}

var postsHead = regexp.MustCompile(`(?s)^\s*(<\?xml[^>]*\?>)?\s*(<!DOCTYPE[^>]*>)?\s*(<!--.*?-->\s*)*<posts[\s/>]`)

// acceptedRec is what the index keeps per question with an accepted answer.
type acceptedRec struct {
	qid, aid       int64
	qoff, aoff     int64 // byte offsets of the rows; aoff -1 until found
	qowner, aowner int64 // OwnerUserId, or noOwner
}

const noOwner = math.MinInt64

func owner(sc *rowScanner) int64 {
	if uid, ok, err := sc.Int("OwnerUserId"); ok && err == nil {
		return uid
	}
	return noOwner
}

// index is the result of the first pass.
type index struct {
	dupOf    map[int64]int64 // duplicate question -> the original
	accepted []acceptedRec
	byAnswer map[int64]int // answer id -> position in accepted
	dups     map[int64][]forum.Ref
	users    map[int64]string
	history  map[int64]int64 // post id -> offset of its latest body revision
}

// Threads streams the dump's questions: first every question without an
// accepted answer (with Skip set, in file order), then every question with
// one, in file order (Skip set when the answer is not in the dump).
func (d *Dump) Threads(ctx context.Context, yield func(*forum.Thread) error) error {
	f, err := os.Open(d.posts)
	if err != nil {
		return d.fileErr(d.posts, err)
	}
	defer f.Close()

	dupOf, err := d.readLinks(ctx)
	if err != nil {
		return err
	}
	ix, err := d.index(ctx, f, dupOf, yield)
	if err != nil {
		return err
	}
	ix.byAnswer = nil // only the first pass's checks need it
	if err := d.readUsers(ctx, ix); err != nil {
		return err
	}
	var hist *os.File
	if d.history != "" {
		if err := d.readHistory(ctx, ix); err != nil {
			return err
		}
		if hist, err = os.Open(d.history); err != nil {
			return d.fileErr(d.history, err)
		}
		defer hist.Close()
	}
	// The pairs wait on disk while the second pass reads them in order.
	pairs, err := writePairs("", ix.accepted)
	if err != nil {
		return err
	}
	defer pairs.close()
	ix.accepted = nil
	return d.emit(ctx, f, hist, ix, pairs, yield)
}

func (d *Dump) fileErr(path string, err error) error {
	return &forum.InputError{Format: format, Path: path, Offset: -1, Err: err}
}

// rowErr turns a scanner failure into an InputError naming file, row and offset.
func (d *Dump) rowErr(path string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var se *scanError
	if !errors.As(err, &se) {
		return &forum.InputError{Format: format, Path: path, Offset: -1, Err: err}
	}
	hint := "the file is damaged; extract it again from the dump archive"
	if errors.Is(err, errTruncated) {
		hint = "the file is truncated; extract it again from the dump archive"
	}
	rec := ""
	switch {
	case se.row > 0 && se.after:
		rec = "after row " + strconv.Itoa(se.row)
	case se.row > 0:
		rec = "row " + strconv.Itoa(se.row)
	}
	return &forum.InputError{Format: format, Path: path, Record: rec, Offset: se.off, Err: se.err, Hint: hint}
}

// unsolved builds the thread of a question without an accepted answer.
func (d *Dump) unsolved(sc *rowScanner, id int64) (*forum.Thread, error) {
	sid := strconv.FormatInt(id, 10)
	t := &forum.Thread{Source: format, ID: sid, Site: d.site, URL: d.site + "/q/" + sid, Skip: forum.SkipNoAcceptedAnswer}
	title, _, err := sc.Attr("Title")
	if err != nil {
		return nil, err
	}
	t.Title = forum.OneLine(title)
	tags, _, err := sc.Attr("Tags")
	if err != nil {
		return nil, err
	}
	t.Tags = ParseTags(tags)
	t.Created = parseTime(sc, "CreationDate")
	score, _, _ := sc.Int("Score")
	t.Score = int(score)
	return t, nil
}

// emit is the second pass: read each accepted question and answer back.
func (d *Dump) emit(ctx context.Context, f, hist *os.File, ix *index, pairs *pairFile, yield func(*forum.Thread) error) error {
	// Reading a pair back is independent of the others (ReadAt, read-only
	// index): batches are read in parallel, then yielded in file order.
	// The next batch is read while this one is yielded, so that the
	// caller's work on each thread (hashing, planning) overlaps the reading
	// instead of leaving the readers idle.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan readBatch, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(batches)
		d.readBatches(ctx, f, hist, ix, pairs, batches)
	}()
	defer func() { cancel(); <-done }()
	for b := range batches {
		if err := ctx.Err(); err != nil {
			return err // a batch read ahead is not yielded once cancelled
		}
		for i, t := range b.threads {
			if b.errs[i] != nil {
				return b.errs[i]
			}
			if err := yield(t); err != nil {
				return err
			}
		}
		if b.err != nil {
			return b.err
		}
	}
	return ctx.Err()
}

// readBatch is a batch of threads read back, in file order, with the error
// of each (or of the batch).
type readBatch struct {
	threads []*forum.Thread
	errs    []error
	err     error
}

// readBatches reads the pairs back in batches and sends them in order; it
// stops at the first error, which its batch carries.
func (d *Dump) readBatches(ctx context.Context, f, hist *os.File, ix *index, pairs *pairFile, out chan<- readBatch) {
	workers := runtime.GOMAXPROCS(0)
	scanners := make([]*rowScanner, workers)
	for i := range scanners {
		scanners[i] = newRowScanner(nil, d.limit, rowBuf)
	}
	// A batch holds its threads' bodies until they are yielded, so its
	// length follows the bytes the last batch held: up to maxBatch threads,
	// about batchBytes of bodies, never fewer than minBatch to keep the
	// workers busy. Memory then stays flat when rows are long: at most
	// three batches are held (read, queued, yielded).
	const maxBatch, batchBytes = 256, 512 << 10
	minBatch := 4 * workers
	batch := maxBatch
	buf := make([]acceptedRec, maxBatch)
	send := func(b readBatch) bool {
		select {
		case out <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for start := 0; start < pairs.n; {
		if err := ctx.Err(); err != nil {
			return
		}
		recs := buf[:min(batch, pairs.n-start)]
		if err := pairs.read(recs, start); err != nil {
			send(readBatch{err: err})
			return
		}
		start += len(recs)
		b := readBatch{threads: make([]*forum.Thread, len(recs)), errs: make([]error, len(recs))}
		var next atomic.Int64
		var wg stdsync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func(sc *rowScanner) {
				defer wg.Done()
				for i := int(next.Add(1) - 1); i < len(recs); i = int(next.Add(1) - 1) {
					b.threads[i], b.errs[i] = d.thread(sc, f, hist, ix, recs[i])
				}
			}(scanners[w])
		}
		wg.Wait()
		held, failed := 0, false
		for i, t := range b.threads {
			if b.errs[i] != nil {
				b.threads, b.errs, failed = b.threads[:i+1], b.errs[:i+1], true
				break
			}
			held += bodyBytes(t)
		}
		if !send(b) || failed {
			return
		}
		batch = max(minBatch, min(maxBatch, len(recs)*batchBytes/max(held, 1)))
	}
}

// bodyBytes is what a thread's bodies hold in memory.
func bodyBytes(t *forum.Thread) int {
	n := len(t.Question.Body)
	if t.Answer != nil {
		n += len(t.Answer.Body)
	}
	return n
}

// thread reads one accepted question and its answer back.
func (d *Dump) thread(one *rowScanner, f, hist *os.File, ix *index, rec acceptedRec) (*forum.Thread, error) {
	sid := strconv.FormatInt(rec.qid, 10)
	q, err := d.readPost(one, f, rec.qid, rec.qoff, ix, hist)
	if err != nil {
		return nil, err
	}
	t := &forum.Thread{
		Source:        format,
		ID:            sid,
		Site:          d.site,
		URL:           d.site + "/q/" + sid,
		Title:         forum.OneLine(q.title),
		Question:      q.post,
		Tags:          ParseTags(q.tags),
		Score:         q.post.Score,
		Views:         q.views,
		Created:       q.post.Created,
		Updated:       q.activity,
		Closed:        !q.closed.IsZero(),
		CommunityWiki: q.wiki,
		Duplicates:    ix.dups[rec.qid],
		License:       q.license,
	}
	t.Question.URL = t.URL
	if orig, ok := ix.dupOf[rec.qid]; ok {
		t.DuplicateOf = strconv.FormatInt(orig, 10)
	}
	if rec.aoff < 0 {
		// Titled like any other thread, so that a report or a retired
		// article can name it.
		t.Skip = forum.SkipAcceptedAnswerMissing
		return t, nil
	}
	a, err := d.readPost(one, f, rec.aid, rec.aoff, ix, hist)
	if err != nil {
		return nil, err
	}
	t.CommunityWiki = t.CommunityWiki || a.wiki
	ans := a.post
	ans.URL = d.site + "/a/" + ans.ID
	t.Answer = &ans
	if a.license != "" {
		t.License = a.license
	}
	return t, nil
}

// postRow is one post as read back in the second pass.
type postRow struct {
	post     forum.Post
	title    string
	tags     string
	views    int
	activity time.Time
	closed   time.Time
	wiki     bool
	license  string
}

// readBackErr reports a row that the second pass cannot read back although
// the first pass validated it: the file changed in between.
func (d *Dump) readBackErr(path, rec string, off int64, err error) error {
	var se *scanError
	if errors.As(err, &se) {
		err = se.err
	}
	return &forum.InputError{Format: format, Path: path, Record: rec, Offset: off, Err: err,
		Hint: "the file changed while kbsync read it; run again once it is complete"}
}

func (d *Dump) readPost(sc *rowScanner, f *os.File, want, off int64, ix *index, hist *os.File) (postRow, error) {
	var pr postRow
	rec := "post " + strconv.FormatInt(want, 10)
	if err := sc.readRowAt(f, off); err != nil {
		return pr, d.readBackErr(d.posts, rec, off, err)
	}
	if id, _, _ := sc.Int("Id"); id != want {
		return pr, d.readBackErr(d.posts, rec, off, fmt.Errorf("found post %d at this offset", id))
	}
	get := func(name string) string {
		v, _, err := sc.Attr(name)
		if err != nil {
			return "" // validated in the first pass
		}
		return v
	}
	id, _, _ := sc.Int("Id")
	p := forum.Post{ID: strconv.FormatInt(id, 10), Format: forum.HTML}
	p.Body = forum.CleanText(get("Body"))
	if len(p.Body) > d.maxBody {
		return pr, d.bodyErr(d.posts, rec, off, len(p.Body))
	}
	p.Created = parseTime(sc, "CreationDate")
	p.Updated = parseTime(sc, "LastEditDate")
	score, _, _ := sc.Int("Score")
	p.Score = int(score)
	uid, hasUID, _ := sc.Int("OwnerUserId")
	switch name := forum.OneLine(ix.users[uid]); {
	case hasUID && name != "":
		p.Author = name
	case forum.OneLine(get("OwnerDisplayName")) != "":
		p.Author = forum.OneLine(get("OwnerDisplayName"))
	case hasUID:
		p.Author = forum.FallbackAuthor(strconv.FormatInt(uid, 10))
	default:
		p.Author = forum.FallbackAuthor("")
	}
	if hasUID {
		p.AuthorID = strconv.FormatInt(uid, 10)
	}
	pr.post = p
	pr.title = get("Title")
	pr.tags = get("Tags")
	views, _, _ := sc.Int("ViewCount")
	pr.views = int(views)
	pr.activity = parseTime(sc, "LastActivityDate")
	pr.closed = parseTime(sc, "ClosedDate")
	_, pr.wiki = sc.Raw("CommunityOwnedDate")
	pr.license = get("ContentLicense")
	if pr.license == "" {
		pr.license = impliedLicense(p.Created)
	}
	if hist != nil {
		if hoff, ok := ix.history[id]; ok {
			md, err := d.historyText(sc, hist, hoff, id)
			if err != nil {
				return pr, err
			}
			if md != "" {
				pr.post.Body = md
				pr.post.Format = forum.Markdown
			}
		}
	}
	return pr, nil
}

func (d *Dump) bodyErr(path, rec string, off int64, n int) error {
	return &forum.InputError{Format: format, Path: path, Record: rec, Offset: off,
		Err:  fmt.Errorf("the body is %d bytes, larger than the %d-byte limit", n, d.maxBody),
		Hint: "raise the per-post size limit (MaxPostBytes) if this post is genuine"}
}

// impliedLicense is the licence Stack Exchange applied to contributions made
// at t, for dumps from before rows carried ContentLicense.
func impliedLicense(t time.Time) string {
	switch {
	case t.IsZero():
		return "CC BY-SA"
	case t.Before(time.Date(2011, 4, 8, 0, 0, 0, 0, time.UTC)):
		return "CC BY-SA 2.5"
	case t.Before(time.Date(2018, 5, 2, 0, 0, 0, 0, time.UTC)):
		return "CC BY-SA 3.0"
	default:
		return "CC BY-SA 4.0"
	}
}

// readRowAt positions the scanner on the single row that starts at off.
func (s *rowScanner) readRowAt(f io.ReaderAt, off int64) error {
	s.r.Reset(io.NewSectionReader(f, off, int64(s.limit)+4096))
	s.off, s.root, s.inRoot, s.done, s.rows = off, "table", true, false, 0
	ok, err := s.Next()
	if err == nil && !ok {
		err = s.fail(off, "no row at this offset")
	}
	return err
}

// ParseTags reads both tag forms: "<a><b>" (older dumps) and "|a|b|" (2024+).
func ParseTags(s string) []string {
	s = strings.TrimSpace(s)
	var parts []string
	switch {
	case s == "":
		return nil
	case strings.HasPrefix(s, "<"):
		parts = strings.Split(strings.Trim(s, "<>"), "><")
	case strings.HasPrefix(s, "|"):
		parts = strings.Split(strings.Trim(s, "|"), "|")
	default:
		parts = strings.Fields(s)
	}
	tags := make([]string, 0, len(parts))
	for _, p := range parts {
		if p = forum.OneLine(p); p != "" {
			tags = append(tags, p)
		}
	}
	return tags
}

// The dumps write UTC times without a zone, with 0 to 3 fraction digits.
func parseTime(sc *rowScanner, name string) time.Time {
	raw, ok := sc.Raw(name)
	if !ok {
		return time.Time{}
	}
	t, err := ParseTime(string(raw))
	if err != nil {
		return time.Time{}
	}
	return t
}

// ParseTime parses a dump timestamp such as 2015-01-27T20:09:32.720 (UTC).
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02T15:04:05.999999999", s)
	if err != nil {
		return time.Time{}, err
	}
	if t.Year() < 2000 || t.Year() > 2200 {
		return time.Time{}, fmt.Errorf("date %s is out of range", s)
	}
	return t.UTC(), nil
}

// readLinks reads PostLinks.xml: duplicate id -> original id (LinkTypeId 3).
func (d *Dump) readLinks(ctx context.Context) (map[int64]int64, error) {
	dupOf := map[int64]int64{}
	if d.links == "" {
		return dupOf, nil
	}
	err := d.eachRow(ctx, d.links, func(sc *rowScanner) error {
		kind, _, err := sc.Int("LinkTypeId")
		if err != nil || kind != 3 {
			return err
		}
		post, _, err := sc.Int("PostId")
		if err != nil {
			return err
		}
		orig, _, err := sc.Int("RelatedPostId")
		if err != nil {
			return err
		}
		if post != orig {
			dupOf[post] = orig
		}
		return nil
	})
	return dupOf, err
}

// readUsers keeps the display names of the authors of accepted threads.
func (d *Dump) readUsers(ctx context.Context, ix *index) error {
	ix.users = map[int64]string{}
	if d.users == "" || len(ix.accepted) == 0 {
		return nil
	}
	want := map[int64]bool{}
	for _, rec := range ix.accepted {
		want[rec.qowner] = true
		if rec.aoff >= 0 {
			want[rec.aowner] = true
		}
	}
	return d.eachRow(ctx, d.users, func(sc *rowScanner) error {
		id, _, err := sc.Int("Id")
		if err != nil || !want[id] {
			return err
		}
		name, _, err := sc.Attr("DisplayName")
		ix.users[id] = name
		return err
	})
}

// readHistory finds, for each post that becomes part of an article, the
// latest revision of its body (PostHistoryTypeId 2 initial, 5 edit, 8
// rollback): the author's own Markdown.
func (d *Dump) readHistory(ctx context.Context, ix *index) error {
	want := make(map[int64]bool, 2*len(ix.accepted))
	for _, rec := range ix.accepted {
		want[rec.qid] = true
		if rec.aoff >= 0 {
			want[rec.aid] = true
		}
	}
	type rev struct {
		id, off int64
		at      time.Time
	}
	latest := map[int64]rev{}
	err := d.eachRow(ctx, d.history, func(sc *rowScanner) error {
		post, _, err := sc.Int("PostId")
		if err != nil || !want[post] {
			return err
		}
		kind, _, err := sc.Int("PostHistoryTypeId")
		if err != nil || (kind != 2 && kind != 5 && kind != 8) {
			return err
		}
		id, _, err := sc.Int("Id")
		if err != nil {
			return err
		}
		r := rev{id: id, off: sc.rowOff, at: parseTime(sc, "CreationDate")}
		old, ok := latest[post]
		if !ok || r.at.After(old.at) || (r.at.Equal(old.at) && r.id > old.id) {
			latest[post] = r
		}
		return nil
	})
	if err != nil {
		return err
	}
	ix.history = make(map[int64]int64, len(latest))
	for post, r := range latest {
		ix.history[post] = r.off
	}
	return nil
}

// historyText reads the Text of the PostHistory row at off.
func (d *Dump) historyText(sc *rowScanner, hist *os.File, off, post int64) (string, error) {
	rec := "latest body revision of post " + strconv.FormatInt(post, 10)
	if err := sc.readRowAt(hist, off); err != nil {
		return "", d.readBackErr(d.history, rec, off, err)
	}
	text, _, err := sc.Attr("Text")
	if err != nil {
		return "", d.readBackErr(d.history, rec, off, err)
	}
	text = forum.CleanText(text)
	if len(text) > d.maxBody {
		return "", d.bodyErr(d.history, rec, off, len(text))
	}
	return TagLinks(text, d.site), nil
}

// eachRow streams a whole table, validating every row.
func (d *Dump) eachRow(ctx context.Context, path string, fn func(*rowScanner) error) error {
	f, err := os.Open(path)
	if err != nil {
		return d.fileErr(path, err)
	}
	defer f.Close()
	sc := newRowScanner(f, d.limit, streamBuf)
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		ok, err := sc.Next()
		if err != nil {
			return d.rowErr(path, err)
		}
		if !ok {
			return nil
		}
		if err := sc.validateAll(); err != nil {
			return d.rowErr(path, err)
		}
		if err := fn(sc); err != nil {
			return d.rowErr(path, err)
		}
	}
}

// idSet records post ids: a bitmap for the usual dense ids, a map beyond.
type idSet struct {
	bits []uint64
	big  map[int64]bool
}

func newIDSet() *idSet { return &idSet{big: map[int64]bool{}} }

const bitmapMax = 1 << 28

// addDup adds id and reports whether it was already there.
func (s *idSet) addDup(id int64) bool {
	if id < 0 || id >= bitmapMax {
		if s.big[id] {
			return true
		}
		s.big[id] = true
		return false
	}
	w := int(id / 64)
	if w >= len(s.bits) {
		n := max(2*len(s.bits), w+1)
		s.bits = append(s.bits, make([]uint64, n-len(s.bits))...)
	}
	m := uint64(1) << (id % 64)
	dup := s.bits[w]&m != 0
	s.bits[w] |= m
	return dup
}

func (s *idSet) has(id int64) bool {
	if id < 0 || id >= bitmapMax {
		return s.big[id]
	}
	w := int(id / 64)
	return w < len(s.bits) && s.bits[w]&(1<<(id%64)) != 0
}
