package sync

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/kbsync/kbsync/kb"
	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/redact"
)

// DefaultSimilarity is the weighted Jaccard similarity above which two
// unanswered titles are taken for the same question.
const DefaultSimilarity = 0.5

// BacklogOptions say which exports to read and what to compare them with.
type BacklogOptions struct {
	Sources []Source
	// KB is a knowledge base's working tree: solved threads whose article
	// its committed manifest lists are left out. Empty: no comparison.
	KB     string
	Policy Policy
	Redact redact.Config
	// Similarity is the threshold of ClusterTitles; 0 is DefaultSimilarity.
	Similarity float64
}

// BacklogThread is one thread of the backlog.
type BacklogThread struct {
	Source  string    `json:"source"`
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	URL     string    `json:"url,omitempty"`
	Tags    []string  `json:"tags,omitempty"`
	Created time.Time `json:"created,omitzero"`
	Score   int       `json:"score"`
	Views   int       `json:"views,omitempty"`
}

// BacklogCluster is a group of unanswered threads asking the same thing.
type BacklogCluster struct {
	Size int `json:"size"`
	// Terms are the words most members share, as customers wrote them.
	Terms   []string        `json:"terms"`
	Threads []BacklogThread `json:"threads"`
}

// Backlog is what writers should look at: solved threads that have no
// article yet, and the questions customers keep asking without an answer.
type Backlog struct {
	Threads int `json:"threads"` // threads read
	Solved  int `json:"solved"`  // threads that qualify for an article
	// Compared says whether a knowledge base was compared with; InKB is how
	// many solved threads it already has.
	Compared bool            `json:"compared_with_kb"`
	InKB     int             `json:"in_kb"`
	Missing  []BacklogThread `json:"missing"`
	// Unanswered counts the public threads without an accepted answer.
	Unanswered int              `json:"unanswered"`
	Clusters   []BacklogCluster `json:"clusters"`
}

// ReportBacklog reads the exports (streaming; it keeps only the title,
// id and link of the threads it lists) and returns the backlog. It writes
// nothing anywhere. Titles are redacted like the articles' titles.
func ReportBacklog(ctx context.Context, opts BacklogOptions) (*Backlog, error) {
	if len(opts.Sources) == 0 {
		return nil, &forum.InputError{Offset: -1, Err: errors.New("no export to read"),
			Hint: "pass [FORMAT:]PATH or list sources in kbsync.yaml"}
	}
	red, err := redact.New(opts.Redact)
	if err != nil {
		return nil, &forum.InputError{Path: "redact", Offset: -1, Err: err, Hint: "check the redact settings in kbsync.yaml"}
	}
	var known map[string]bool
	if opts.KB != "" {
		if known, err = knownArticles(ctx, opts.KB); err != nil {
			return nil, err
		}
	}
	b := &Backlog{Compared: known != nil, Missing: []BacklogThread{}, Clusters: []BacklogCluster{}}
	var open []BacklogThread
	for _, src := range opts.Sources {
		rd, _, err := src.open(forum.Options{})
		if err != nil {
			return nil, err
		}
		err = rd.Threads(ctx, func(t *forum.Thread) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			b.Threads++
			// Private and deleted threads are never shown, not even by title.
			if t.Status != forum.Public {
				return nil
			}
			p := opts.Policy
			reason := p.apply(t)
			bt := func() BacklogThread {
				title, _ := red.Plain(t.Title)
				return BacklogThread{Source: t.Source, ID: t.ID, Title: title, URL: t.URL, Tags: t.Tags,
					Created: t.Created.UTC(), Score: t.Score, Views: t.Views}
			}
			switch {
			case reason == "":
				b.Solved++
				if known != nil && (known[identityKey(identity(t)).key()] || known[looseKey(t.Source, t.ID)]) {
					b.InKB++
					return nil
				}
				b.Missing = append(b.Missing, bt())
			case t.Answer == nil && reason == forum.SkipNoAcceptedAnswer:
				b.Unanswered++
				open = append(open, bt())
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	titles := make([]string, len(open))
	for i, t := range open {
		titles[i] = t.Title
	}
	for _, c := range ClusterTitles(titles, cmp.Or(opts.Similarity, DefaultSimilarity)) {
		bc := BacklogCluster{Size: len(c.Members), Terms: c.Terms}
		for _, m := range c.Members {
			bc.Threads = append(bc.Threads, open[m])
		}
		b.Clusters = append(b.Clusters, bc)
	}
	return b, nil
}

// key is how knownArticles indexes an identity.
func (id identityKey) key() string { return id.Source + "\x00" + id.Site + "\x00" + id.ID }

type identityKey kb.Identity

// looseKey matches a thread whatever its site: the knowledge base may
// have been synced with --site and the report run without it, or the
// reverse.
func looseKey(source, id string) string { return source + "\x00*\x00" + id }

// knownArticles lists the articles of the manifest committed at the tip of
// the knowledge base's checked-out branch. It opens the repository read-only;
// a folder that does not exist yet is an empty knowledge base.
func knownArticles(ctx context.Context, path string) (map[string]bool, error) {
	if kb.IsRemote(path) {
		return nil, &kb.UsageError{Err: fmt.Errorf("report: %s: compare with a local working tree (clone it first)", kb.Redact(path, ""))}
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return map[string]bool{}, nil // the first sync creates it: it has nothing yet
	}
	k, err := kb.Open(ctx, kb.Options{Path: path, DryRun: true})
	if err != nil {
		return nil, err
	}
	raw, err := k.ReadFile(kb.ManifestPath)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, err
	}
	var mf struct {
		Articles []kb.Entry `json:"articles"`
	}
	if err := json.Unmarshal(raw, &mf); err != nil {
		return nil, fmt.Errorf("report: %s: %w", kb.ManifestPath, err)
	}
	known := make(map[string]bool, 2*len(mf.Articles))
	for _, e := range mf.Articles {
		if e.Retired {
			continue // not on the site any more: sync would bring it back
		}
		id := identityKey{Source: e.Source, Site: e.Site, ID: e.SourceID}
		known[id.key()] = true
		known[looseKey(e.Source, e.SourceID)] = true
	}
	return known, nil
}

// TitleCluster is a group of similar titles: indexes into ClusterTitles'
// input, ascending, and the words most of them share.
type TitleCluster struct {
	Members []int
	Terms   []string
}

// maxPosting bounds the work on huge exports: a term shared by more titles
// than this is too common to propose a pair on its own (pairs sharing a
// rarer term are still scored with it, and identical titles are grouped
// whatever their terms).
const maxPosting = 2000

// ClusterTitles groups titles that ask the same question. It is pure and
// deterministic: the same titles in any order give the same groups.
//
// Each title becomes a set of terms: lowercased, accents folded, split on
// anything that is not a letter or a digit, English and French stop words
// and one-letter words dropped, then stemmed by stripping a few suffixes
// (-ies, -s, -ing, -ed, a final -e; "resetting" gives "reset"), so "Why was my question downvoted?"
// and "Why did my question get a downvote?" share {question, downvot}.
// Two titles are similar when the weighted Jaccard similarity of their
// sets, each term weighted by its rarity among the titles (ln(1 + N/df)),
// reaches threshold; rare shared words count more than common ones.
// Clusters are the connected groups of similar titles (single linkage),
// of two titles or more, largest first, ties by their first title.
func ClusterTitles(titles []string, threshold float64) []TitleCluster {
	n := len(titles)
	sets := make([][]string, n)
	words := map[string]map[string]int{} // stem -> surface word -> count
	df := map[string]int{}
	postings := map[string][]int{}
	exact := map[string][]int{}
	for i, t := range titles {
		terms := map[string]bool{}
		for _, w := range titleWords(t) {
			s := stem(w)
			if words[s] == nil {
				words[s] = map[string]int{}
			}
			words[s][w]++
			terms[s] = true
		}
		set := make([]string, 0, len(terms))
		for s := range terms {
			set = append(set, s)
			df[s]++
			postings[s] = append(postings[s], i)
		}
		slices.Sort(set)
		sets[i] = set
		if len(set) > 0 {
			k := strings.Join(set, " ")
			exact[k] = append(exact[k], i)
		}
	}
	weight := func(s string) float64 { return math.Log1p(float64(n) / float64(df[s])) }

	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		ra, rb := find(a), find(b)
		if ra == rb {
			return
		}
		// The smaller root wins, so the forest does not depend on order.
		if rb < ra {
			ra, rb = rb, ra
		}
		parent[rb] = ra
	}
	for _, group := range exact {
		for _, j := range group[1:] {
			union(group[0], j)
		}
	}
	seen := make([]int, n) // seen[j] == i+1: pair (i, j) already scored
	for i := range n {
		for _, s := range sets[i] {
			if len(postings[s]) > maxPosting {
				continue
			}
			for _, j := range postings[s] {
				if j <= i || seen[j] == i+1 {
					continue
				}
				seen[j] = i + 1
				if find(i) != find(j) && weightedJaccard(sets[i], sets[j], weight) >= threshold {
					union(i, j)
				}
			}
		}
	}

	groups := map[int][]int{}
	for i := range n {
		if len(sets[i]) > 0 {
			r := find(i)
			groups[r] = append(groups[r], i)
		}
	}
	var out []TitleCluster
	for _, members := range groups {
		if len(members) < 2 {
			continue
		}
		out = append(out, TitleCluster{Members: members, Terms: clusterTerms(members, sets, words, df)})
	}
	slices.SortFunc(out, func(a, b TitleCluster) int {
		return cmp.Or(cmp.Compare(len(b.Members), len(a.Members)), cmp.Compare(a.Members[0], b.Members[0]))
	})
	return out
}

// weightedJaccard is sum of the weights of the shared terms over the sum
// of the weights of all terms; a and b are sorted.
func weightedJaccard(a, b []string, weight func(string) float64) float64 {
	var inter, union float64
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			union += weight(a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			union += weight(b[j])
			j++
		default:
			w := weight(a[i])
			inter += w
			union += w
			i++
			j++
		}
	}
	if union == 0 {
		return 0
	}
	return inter / union
}

// clusterTerms are up to three terms shared by the most members (rarer
// terms first on ties), each shown as the word customers used most.
func clusterTerms(members []int, sets [][]string, words map[string]map[string]int, df map[string]int) []string {
	count := map[string]int{}
	for _, m := range members {
		for _, s := range sets[m] {
			count[s]++
		}
	}
	stems := make([]string, 0, len(count))
	for s, c := range count {
		if c >= 2 {
			stems = append(stems, s)
		}
	}
	slices.SortFunc(stems, func(a, b string) int {
		return cmp.Or(cmp.Compare(count[b], count[a]), cmp.Compare(df[a], df[b]), strings.Compare(a, b))
	})
	if len(stems) > 3 {
		stems = stems[:3]
	}
	terms := make([]string, len(stems))
	for i, s := range stems {
		best, bestN := "", 0
		for w, c := range words[s] {
			if c > bestN || (c == bestN && w < best) {
				best, bestN = w, c
			}
		}
		terms[i] = best
	}
	return terms
}

// titleWords lowercases, folds accents and splits a title into words,
// leaving out stop words and one-letter words.
func titleWords(title string) []string {
	if !utf8.ValidString(title) {
		title = strings.ToValidUTF8(title, " ")
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(title) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	fields := strings.FieldsFunc(b.String(), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	out := fields[:0]
	for _, w := range fields {
		if utf8.RuneCountInString(w) < 2 || stopWords[w] {
			continue
		}
		out = append(out, w)
	}
	return out
}

// stem strips a few common English (and French plural) suffixes. It is
// crude on purpose: it only has to make two wordings of a title meet.
func stem(w string) string {
	n := len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		w = w[:n-3] + "y"
	case n > 4 && strings.HasSuffix(w, "sses"):
		w = w[:n-2]
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") &&
		!strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:n-1]
	}
	n = len(w)
	switch {
	case n > 5 && strings.HasSuffix(w, "ing"):
		w = undouble(w[:n-3])
	case n > 4 && strings.HasSuffix(w, "ed"):
		w = undouble(w[:n-2])
	}
	if n = len(w); n > 3 && strings.HasSuffix(w, "e") {
		w = w[:n-1]
	}
	return w
}

// undouble turns "resett" (from resetting) into "reset".
func undouble(w string) string {
	n := len(w)
	if n > 3 && w[n-1] == w[n-2] && strings.IndexByte("bdfgmnprt", w[n-1]) >= 0 {
		return w[:n-1]
	}
	return w
}

// stopWords are English and French function words (accents folded) and
// the words every question title uses.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
a about above after again against all also am an and any are aren as at be because been
before being below between both but by can cannot could couldn did didn do does doesn doing
don down during each either else ever every few for from further get gets getting got had
has have having he her here hers him his how however if in into is isn it its itself just
let ll me might more most must my no nor not now of off on once only or other our ours out
over own per please re same shall she should so some such than that the their theirs them
then there these they this those through to too under until up us ve very via was wasn we
were what whats when where whether which while who whom whose why will with within without
won would you your yours
au aux avec ce ces cet cette comme dans de des du elle elles en est et etre il ils je la le
les leur leurs lui ma mais me mes meme moi mon ne nos notre nous on ou par pas peut plus pour
quand que quel quelle quelles quels qui quoi sa sans se ses son sont sur ta te tes toi ton tu
un une vos votre vous faut il ya
`) {
		m[w] = true
	}
	return m
}()

// Close releases what the report's rows are read from.
func (r *Report) Close() { r.Articles.Close() }

// WriteJSON writes the report as json.Encoder with a two-space indent
// does, byte for byte, but one article at a time: a 100k-article report
// is ~50 MB of JSON, which the encoder would build whole, and indent in a
// second copy, at the end of the run.
func (r *Report) WriteJSON(w io.Writer) error {
	head := *r
	head.Articles = Articles{} // null: written below, in the place this marks
	b, err := json.MarshalIndent(&head, "", "  ")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	// JSON strings hold no raw newline, so this is the key, not a value.
	const mark = "\n  \"articles\": null"
	i := bytes.Index(b, []byte(mark))
	if i < 0 {
		return fmt.Errorf("report: no articles key in %.80s", b)
	}
	if r.Articles.set == nil && r.Articles.rows == nil {
		_, err := w.Write(append(b, '\n'))
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(b[:i])
	bw.WriteString("\n  \"articles\": [")
	n := 0
	err = r.Articles.Each(func(row ArticleReport) error {
		a, err := json.MarshalIndent(&row, "    ", "  ")
		if err != nil {
			return err
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		n++
		bw.WriteString("\n    ")
		bw.Write(a)
		return nil
	})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if n > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteByte(']')
	bw.Write(b[i+len(mark):])
	bw.WriteByte('\n')
	return bw.Flush()
}
