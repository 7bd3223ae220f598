package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Generated dates are spread over these years, in increasing Id order.
var (
	firstDate = time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	lastDate  = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	// Edits made by -change happen after the base dump was taken.
	changeDate = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
)

// RNG streams: each concern draws from its own stream so that, for
// example, the answers picked by -change do not shift anything else.
const (
	streamPosts  = 1
	streamUsers  = 2
	streamChange = 3
)

// config is what the flags ask for.
type config struct {
	format   string
	threads  int
	out      string
	from     string
	seed     uint64 // content seed (-base-seed when -change is set)
	pickSeed uint64 // picks the edited answers
	unsolved float64
	change   float64
	history  bool
	site     string
}

// stats is what a generation wrote.
type stats struct {
	solved, unsolved, posts, users, changed int
	bytes                                   int64
}

// gpost is one generated post.
type gpost struct {
	id                        int64
	tpl                       *tpost
	at                        int    // insertion point index, -1 for none
	word                      string // the inserted word
	created, edited, activity time.Time
	owner                     int64 // 0: no OwnerUserId (the template's display name is kept)
	views                     int
	edit                      string // -change: the sentence appended to the body
}

// gthread is a generated question with, when solved, its accepted answer.
type gthread struct {
	q      gpost
	a      *gpost
	title  string
	closed time.Time
	wiki   time.Time
}

// sink writes one output format.
type sink interface {
	question(t *gthread) error
	answer(t *gthread) error
	close() (int64, error)
}

// opener creates one output file by name.
type opener func(name string) (io.WriteCloser, error)

// generate writes the dump described by cfg into the folder cfg.out.
func generate(cfg config, src *source) (stats, error) {
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return stats{}, err
	}
	return generateTo(cfg, src, func(name string) (io.WriteCloser, error) {
		return os.Create(filepath.Join(cfg.out, name))
	})
}

// generateTo writes the dump through open, one streamed file at a time.
func generateTo(cfg config, src *source, open opener) (stats, error) {
	var st stats
	users := userCount(cfg.threads)
	var out sink
	var err error
	switch cfg.format {
	case "stackexchange":
		out, err = newSESink(cfg, src, users, open)
	case "jsonl":
		out, err = newJSONLSink(cfg, src, open)
	case "html":
		out, err = newHTMLSink(open)
	default:
		err = fmt.Errorf("unknown format %q", cfg.format)
	}
	if err != nil {
		return st, err
	}
	st.users = users
	pl := newPlanner(cfg, src, users)
	err = pl.run(out, &st)
	n, cerr := out.close()
	st.bytes = n
	if err == nil {
		err = cerr
	}
	return st, err
}

// userCount sizes the user pool: a few threads per active user.
func userCount(threads int) int { return 10 + threads/3 }

// planner decides ids, dates, templates and variations.
type planner struct {
	cfg     config
	src     *source
	r       *rand.Rand // streamPosts
	pick    *rand.Rand // streamChange
	users   int
	solved  int // N
	total   int // N + unsolved
	changeK int // answers still to edit
	span    time.Duration
}

func newPlanner(cfg config, src *source, users int) *planner {
	ratio := cfg.unsolved
	if ratio < 0 {
		ratio = src.ratio()
	}
	unsolved := 0
	if ratio > 0 && len(src.unsolved) > 0 {
		unsolved = int(math.Round(float64(cfg.threads) * ratio / (1 - ratio)))
	}
	total := cfg.threads + unsolved
	return &planner{
		cfg:     cfg,
		src:     src,
		r:       rand.New(rand.NewPCG(cfg.seed, streamPosts)),
		pick:    rand.New(rand.NewPCG(cfg.pickSeed, streamChange)),
		users:   users,
		solved:  cfg.threads,
		total:   total,
		changeK: changeCount(cfg.threads, cfg.change),
		span:    lastDate.Sub(firstDate) / time.Duration(total),
	}
}

// changeCount is how many answers -change PCT edits.
func changeCount(threads int, pct float64) int {
	return int(math.Round(float64(threads) * pct / 100))
}

// run walks post ids upwards. A question reserves an id a few places
// ahead for its accepted answer, so that questions and answers interleave
// in increasing Id order as in real dumps; a few ids stay unused, as those
// of deleted posts do.
func (p *planner) run(out sink, st *stats) error {
	reserved := map[int64]*gthread{} // answer id -> thread; a handful at a time
	var id int64
	solved, unsolved := 0, 0
	for qi := 0; qi < p.total || len(reserved) > 0; {
		id++
		if t, ok := reserved[id]; ok {
			delete(reserved, id)
			if err := out.answer(t); err != nil {
				return err
			}
			st.posts++
			continue
		}
		if qi == p.total || p.r.IntN(50) == 0 {
			continue
		}
		// Unsolved questions are spread evenly among solved ones.
		isUnsolved := unsolved < int(int64(qi+1)*int64(p.total-p.solved)/int64(p.total))
		t := p.thread(id, qi, isUnsolved, solved)
		if isUnsolved {
			unsolved++
		} else {
			solved++
			aid := id + 1 + int64(p.r.IntN(4))
			for reserved[aid] != nil {
				aid++
			}
			t.a.id = aid
			reserved[aid] = t
			if t.a.edit != "" {
				st.changed++
			}
		}
		if err := out.question(t); err != nil {
			return err
		}
		st.posts++
		qi++
	}
	st.solved, st.unsolved = solved, unsolved
	return nil
}

// thread plans question number qi (0-based, solved and unsolved together).
// solvedBefore counts the solved threads planned so far.
func (p *planner) thread(id int64, qi int, isUnsolved bool, solvedBefore int) *gthread {
	r := p.r
	t := &gthread{}
	var qt, at *tpost
	self := false
	if isUnsolved {
		qt = p.src.unsolved[r.IntN(len(p.src.unsolved))]
	} else {
		pair := p.src.pairs[r.IntN(len(p.src.pairs))]
		qt, at, self = pair.q, pair.a, pair.self
	}
	created := firstDate.Add(time.Duration(qi)*p.span + time.Duration(r.Int64N(int64(p.span)))).Truncate(time.Millisecond)
	t.q = p.post(id, qt, created)
	t.title = qt.title + " (" + name(r) + " " + strconv.FormatInt(id, 10) + ")"
	if qt.closed {
		t.closed = created.Add(randDur(r, time.Hour, 60*24*time.Hour))
	}
	if qt.wiki {
		t.wiki = created.Add(randDur(r, time.Minute, 30*24*time.Hour))
	}
	if at != nil {
		// Most answers come within hours, some after days.
		a := p.post(0, at, created.Add(randDur(r, 2*time.Minute, 6*time.Hour)*time.Duration(1+r.IntN(8))))
		switch {
		case at.owned && self:
			a.owner = t.q.owner
		case at.owned && t.q.owner > 0:
			// Any other user: draw among users-1 and skip the asker.
			if a.owner = 1 + r.Int64N(int64(p.users-1)); a.owner >= t.q.owner {
				a.owner++
			}
		}
		t.a = &a
		t.q.activity = maxTime(t.q.activity, a.activity)
		if p.changeK > 0 && p.pick.IntN(p.solved-solvedBefore) < p.changeK {
			// Selection sampling: exactly changeK of the solved threads.
			p.changeK--
			a.edit = sentence(p.pick)
			a.edited = changeDate.Add(time.Duration(p.pick.Int64N(int64(24 * time.Hour)))).Truncate(time.Millisecond)
			a.activity = a.edited
		}
	}
	return t
}

// post draws the fresh values of one post. id 0 is set later (answers).
func (p *planner) post(id int64, tpl *tpost, created time.Time) gpost {
	r := p.r
	g := gpost{id: id, tpl: tpl, at: -1, created: created, activity: created}
	if n := len(tpl.body.rawAt); n > 0 {
		g.at = r.IntN(n)
	}
	g.word = word(r)
	if tpl.edited {
		g.edited = created.Add(randDur(r, 10*time.Minute, 400*24*time.Hour))
		if g.edited.After(lastDate) {
			g.edited = lastDate.Add(-time.Duration(r.IntN(1000)) * time.Second)
		}
		g.edited = maxTime(g.edited, created).Truncate(time.Millisecond)
		g.activity = g.edited
	}
	if tpl.owned {
		g.owner = 1 + r.Int64N(int64(p.users))
	}
	g.views = tpl.views/2 + r.IntN(tpl.views+1)
	return g
}

func randDur(r *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(r.Int64N(int64(hi-lo)))
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// license is the licence Stack Exchange applied to contributions made at t.
func license(t time.Time) string {
	switch {
	case t.Before(time.Date(2011, 4, 8, 0, 0, 0, 0, time.UTC)):
		return "CC BY-SA 2.5"
	case t.Before(time.Date(2018, 5, 2, 0, 0, 0, 0, time.UTC)):
		return "CC BY-SA 3.0"
	default:
		return "CC BY-SA 4.0"
	}
}

// userName is the display name of generated user k (1-based): the
// source's names in turn, numbered from their second use on.
func userName(names []string, k int64) string {
	if len(names) == 0 {
		return "user" + strconv.FormatInt(k, 10)
	}
	i := int((k - 1) % int64(len(names)))
	round := (k - 1) / int64(len(names))
	if round == 0 {
		return names[i]
	}
	return names[i] + " " + strconv.FormatInt(round+1, 10)
}

// output is one buffered file that counts what it writes.
type output struct {
	name string
	c    io.Closer
	w    *bufio.Writer
	n    int64
	buf  []byte // scratch for one row
}

func create(open opener, name string) (*output, error) {
	f, err := open(name)
	if err != nil {
		return nil, err
	}
	return &output{name: name, c: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (o *output) flushRow() error {
	n, err := o.w.Write(o.buf)
	o.n += int64(n)
	o.buf = o.buf[:0]
	if err != nil {
		return fmt.Errorf("%s: %w", o.name, err)
	}
	return nil
}

func (o *output) close() (int64, error) {
	err := o.w.Flush()
	if cerr := o.c.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return o.n, fmt.Errorf("%s: %w", o.name, err)
	}
	return o.n, nil
}
