package redact

// keywordDFA is an Aho-Corasick automaton compiled to a full transition
// table over byte classes: one table lookup per input byte, no failure-link
// chasing at scan time. Keywords and input are lowercase ASCII.
type keywordDFA struct {
	class  [256]uint8
	n      int     // number of byte classes
	next   []int32 // state*n + class -> state
	out    [][]int32
	hasOut []bool
	lens   []int
}

func newKeywordDFA(words []string) *keywordDFA {
	d := &keywordDFA{n: 1}
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			if d.class[w[i]] == 0 {
				d.class[w[i]] = uint8(d.n)
				d.n++
			}
		}
		d.lens = append(d.lens, len(w))
	}
	// The trie, with -1 for a missing edge.
	child := [][]int32{make([]int32, d.n)}
	for i := range child[0] {
		child[0][i] = -1
	}
	own := [][]int32{nil}
	for wi, w := range words {
		s := int32(0)
		for i := 0; i < len(w); i++ {
			c := d.class[w[i]]
			if child[s][c] < 0 {
				row := make([]int32, d.n)
				for k := range row {
					row[k] = -1
				}
				child = append(child, row)
				own = append(own, nil)
				child[s][c] = int32(len(child) - 1)
			}
			s = child[s][c]
		}
		own[s] = append(own[s], int32(wi))
	}
	states := len(child)
	d.next = make([]int32, states*d.n)
	d.out = make([][]int32, states)
	d.hasOut = make([]bool, states)
	fail := make([]int32, states)
	// Breadth-first, so a state's failure target is complete before it.
	queue := []int32{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		d.out[s] = append(append([]int32(nil), own[s]...), d.out[fail[s]]...)
		if s == 0 {
			d.out[s] = own[s]
		}
		d.hasOut[s] = len(d.out[s]) > 0
		for c := 0; c < d.n; c++ {
			t := child[s][c]
			switch {
			case t >= 0:
				if s == 0 {
					fail[t] = 0
				} else {
					fail[t] = d.next[int(fail[s])*d.n+c]
				}
				d.next[int(s)*d.n+c] = t
				queue = append(queue, t)
			case s == 0:
				d.next[c] = 0
			default:
				d.next[int(s)*d.n+c] = d.next[int(fail[s])*d.n+c]
			}
		}
	}
	return d
}

// walk calls fn for every keyword occurrence, with the keyword's index and
// the offset just past its end, in order of end offset.
func (d *keywordDFA) walk(lower []byte, fn func(word, end int)) {
	s := int32(0)
	for i, b := range lower {
		s = d.next[int(s)*d.n+int(d.class[b])]
		if d.hasOut[s] {
			for _, w := range d.out[s] {
				fn(int(w), i+1)
			}
		}
	}
}

// any reports whether some keyword occurs in lower.
func (d *keywordDFA) any(lower []byte) bool {
	s := int32(0)
	for _, b := range lower {
		s = d.next[int(s)*d.n+int(d.class[b])]
		if d.hasOut[s] {
			return true
		}
	}
	return false
}
