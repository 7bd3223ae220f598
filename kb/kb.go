// Package kb is the knowledge-base wing: it opens (or creates) the git
// working tree, plans what a sync changes (add, update, unchanged, conflict,
// retire) against the manifest and the files people may have edited, and
// commits the changed paths through go-git plumbing so that the cost does
// not grow with the size of the knowledge base.
//
// One goroutine owns a KB: go-git is not safe for concurrent use.
package kb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Options say which knowledge base to open and how to commit to it.
type Options struct {
	Path       string // the working tree
	ContentDir string // folder of the articles, relative to Path ("faq")
	// Branch receives the commit; empty means the checked-out branch.
	Branch string
	// Base is where a new Branch starts; empty means the checked-out branch.
	Base   string
	Author Signature
	// Now gives the commit time; nil means time.Now.
	Now func() time.Time
	// DryRun opens without writing anything: a missing knowledge base is
	// planned against as if it were empty.
	DryRun bool
	// Rebuild starts the branch again from Base when every commit on it
	// that is not on the base was made by kbsync (Author): the pull-request
	// flow. A branch with someone else's commits is built upon instead.
	Rebuild bool
	// Bare opens a bare repository (a cache clone of a remote knowledge
	// base): commits are made with plumbing only, no working tree exists.
	Bare bool
	// SortBudget is how many bytes of new articles' records a plan holds
	// in memory before it sorts them in runs on disk; 0 means 8 MiB.
	SortBudget int
	// Hook, when set, is called at named points of a commit ("pack",
	// "journal", "worktree", "ref"): fault-injection tests stop there.
	Hook func(point string)
}

// Signature is a commit author.
type Signature struct{ Name, Email string }

// UsageError is a problem with how kbsync was pointed at the knowledge
// base (exit code 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// KB is an opened knowledge base.
type KB struct {
	opts       Options
	root       string // absolute path of the working tree
	repo       *git.Repository
	created    bool
	branch     plumbing.ReferenceName // where the commit goes
	tip        *plumbing.Reference    // the branch's current ref, nil when it does not exist yet
	parent     *object.Commit         // the commit the new one builds on, nil in an empty repository
	tree       *object.Tree           // the parent's tree, nil in an empty repository
	checkedOut bool                   // the branch is HEAD's: update the working tree and index too
	manifest   *table
	generated  map[string]string // generated file path -> content hash
	pending    bool              // the repository does not exist yet
	stagePath  string            // a temporary staging folder, for a new knowledge base
	// work holds a new knowledge base's pack and staged files until the
	// commit (newWork); madeRoot: this run made the knowledge base's folder.
	work     string
	madeRoot bool
	// Recovered says what Open did to finish a run that was killed.
	Recovered string
	baseTip   plumbing.Hash // the base branch's tip, when there is one
	baseName  string
	// dirs holds the parent tree's folders, each read once (blobAt, buildTree).
	dirs    map[string]*folder
	index   *cachedIndex // the git index as read last (readIndex)
	rebuilt bool         // the branch starts again from the base
	// rebuiltFrom is the branch's tip before it was started again.
	rebuiltFrom *plumbing.Reference
	// Others lists commits that people made on the branch (not on the
	// base); kbsync builds on top of them and never forces over them.
	Others []string
}

var mainBranch = plumbing.NewBranchReferenceName("main")

// Open opens the working tree at opts.Path, creating a repository with an
// initial commit when the folder does not exist or is empty.
func Open(ctx context.Context, opts Options) (*KB, error) {
	if opts.ContentDir == "" {
		opts.ContentDir = "faq"
	}
	if err := checkContentDir(opts.ContentDir); err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Author.Name == "" {
		opts.Author = Signature{Name: "kbsync", Email: "kbsync@localhost"}
	}
	root, err := filepath.Abs(opts.Path)
	if err != nil {
		return nil, fmt.Errorf("kb: %w", err)
	}
	k := &KB{opts: opts, root: root}
	repo, err := openRepo(root)
	switch {
	case errors.Is(err, git.ErrRepositoryNotExists):
		// Planned against as empty; created when the sync commits.
		if err := k.checkCreatable(); err != nil {
			return nil, err
		}
		k.pending = true
		k.branch = plumbing.NewBranchReferenceName(cmp.Or(opts.Branch, "main"))
		k.checkedOut = k.branch == mainBranch
		k.manifest, k.generated = newTable(0), map[string]string{}
		return k, nil
	case err != nil:
		return nil, fmt.Errorf("kb: open %s: %w", root, err)
	}
	k.repo = repo
	if !opts.DryRun {
		if k.Recovered, err = k.recover(); err != nil {
			return nil, err
		}
		if !opts.Bare {
			k.removeLeftovers() // of a first sync killed after it made the repository
		}
	}
	if err := k.resolve(); err != nil {
		return nil, err
	}
	if k.checkedOut && !opts.DryRun {
		// Refuse before anything is written, not half-way through.
		lock := filepath.Join(k.gitDir(), "index.lock")
		if _, err := os.Stat(lock); err == nil {
			return nil, fmt.Errorf("kb: %s exists: another git process is running; if none is, remove the file manually to continue", lock)
		}
	}
	if err := k.loadManifest(); err != nil {
		return nil, err
	}
	return k, nil
}

// checkContentDir refuses content folders outside the tree or under a
// dot-folder (.git, .github): kbsync writes only where articles belong.
func checkContentDir(dir string) error {
	clean := path.Clean(filepath.ToSlash(dir))
	if !filepath.IsLocal(clean) || clean == "." {
		return usagef("kb: content folder %q must be a folder inside the knowledge base", dir)
	}
	for _, part := range strings.Split(clean, "/") {
		if strings.HasPrefix(part, ".") {
			return usagef("kb: content folder %q is under a dot-folder; pick a plain folder such as faq", dir)
		}
	}
	return nil
}

// checkCreatable refuses to create a knowledge base in a folder with
// content or inside another repository.
func (k *KB) checkCreatable() error {
	if inside := enclosingRepo(k.root); inside != "" {
		return usagef("kb: %s is inside the git repository %s; pass --kb %s", k.root, inside, inside)
	}
	if st, err := os.Stat(k.root); err == nil && !st.IsDir() {
		return usagef("kb: %s is a file; pass a folder", k.root)
	}
	entries, err := os.ReadDir(k.root)
	if err != nil {
		return nil
	}
	if slices.ContainsFunc(entries, func(e os.DirEntry) bool { return !isLeftover(e) }) {
		return usagef("kb: %s is not a git repository and not empty; run `git init` there or pick a new folder", k.root)
	}
	// Only what a killed first sync left: the folder counts as empty.
	k.removeLeftovers()
	return nil
}

// createRepo makes the repository that a sync into a missing folder
// commits to: it happens only at commit time, so a failed first run leaves
// no folder behind.
func (k *KB) createRepo() error {
	repo, err := git.PlainInitWithOptions(k.root, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	if err != nil {
		return fmt.Errorf("kb: create %s: %w", k.root, err)
	}
	k.repo, k.created, k.pending = repo, true, false
	return nil
}

func enclosingRepo(dir string) string {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		if st, err := os.Stat(filepath.Join(d, ".git")); err == nil && st.IsDir() {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// resolve finds the target branch, its tip and the parent tree.
func (k *KB) resolve() error {
	head, err := k.repo.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return fmt.Errorf("kb: read HEAD: %w", err)
	}
	var current plumbing.ReferenceName
	if head.Type() == plumbing.SymbolicReference {
		current = head.Target()
	}
	if _, err := k.repo.Worktree(); errors.Is(err, git.ErrIsBareRepository) && !k.opts.Bare {
		return usagef("kb: %s is a bare repository; pass a working tree, or its URL to clone", k.root)
	}
	k.branch = current
	if k.opts.Branch != "" {
		k.branch = plumbing.NewBranchReferenceName(k.opts.Branch)
		if err := k.branch.Validate(); err != nil || !plumbing.ReferenceName(k.branch).IsBranch() {
			return usagef("kb: %q is not a valid branch name", k.opts.Branch)
		}
	}
	if k.branch == "" {
		return usagef("kb: HEAD is detached in %s; check out a branch or pass --branch", k.root)
	}
	k.checkedOut = k.branch == current && !k.opts.Bare
	base := current
	if k.opts.Base != "" {
		base = plumbing.NewBranchReferenceName(k.opts.Base)
	}
	k.baseName = base.Short()
	if base != "" && base != k.branch {
		ref, err := k.repo.Storer.Reference(base)
		switch {
		case err == nil:
			k.baseTip = ref.Hash()
		case k.opts.Base != "":
			return usagef("kb: base branch %s does not exist", k.opts.Base)
		}
	}
	tip, err := k.repo.Storer.Reference(k.branch)
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
		if !k.baseTip.IsZero() {
			return k.setParent(k.baseTip)
		}
		return nil // an unborn branch in an empty repository
	case err != nil:
		return fmt.Errorf("kb: read %s: %w", k.branch, err)
	}
	if tip.Type() != plumbing.HashReference {
		return usagef("kb: %s is a symbolic reference", k.branch)
	}
	k.tip = tip
	if k.opts.Rebuild && !k.baseTip.IsZero() && tip.Hash() != k.baseTip {
		others, err := k.othersCommits(tip.Hash(), k.baseTip)
		if err != nil {
			return err
		}
		if len(others) == 0 {
			// Only kbsync's commits are on the branch: start again from the
			// base, so that the proposal never carries stale content.
			k.rebuilt, k.rebuiltFrom = true, tip
			return k.setParent(k.baseTip)
		}
		k.Others = others
	}
	return k.setParent(tip.Hash())
}

// othersCommits lists the commits on the branch but not on the base that
// someone other than kbsync made, newest first, as "Subject (Name, date)".
func (k *KB) othersCommits(tip, base plumbing.Hash) ([]string, error) {
	tc, err := k.repo.CommitObject(tip)
	if err != nil {
		return nil, fmt.Errorf("kb: read commit %s: %w", tip, err)
	}
	bc, err := k.repo.CommitObject(base)
	if err != nil {
		return nil, fmt.Errorf("kb: read commit %s: %w", base, err)
	}
	stop := map[plumbing.Hash]bool{}
	if mbs, err := tc.MergeBase(bc); err == nil {
		for _, mb := range mbs {
			stop[mb.Hash] = true
		}
	}
	var others []string
	seen := map[plumbing.Hash]bool{}
	queue := []*object.Commit{tc}
	for len(queue) > 0 && len(seen) < 10000 {
		c := queue[0]
		queue = queue[1:]
		if seen[c.Hash] || stop[c.Hash] {
			continue
		}
		seen[c.Hash] = true
		if !strings.EqualFold(c.Author.Email, k.opts.Author.Email) {
			subject, _, _ := strings.Cut(c.Message, "\n")
			others = append(others, fmt.Sprintf("%s (%s, %s)", subject, c.Author.Name, c.Author.When.UTC().Format("2006-01-02")))
		}
		for _, ph := range c.ParentHashes {
			if p, err := k.repo.CommitObject(ph); err == nil {
				queue = append(queue, p)
			}
		}
	}
	return others, nil
}

// Proposal compares what the branch proposes with the base: false when the
// branch would change nothing on the base (its pull request has nothing
// left in it).
func (k *KB) Proposal() (bool, error) {
	if k.baseTip.IsZero() || k.tree == nil {
		return k.tree != nil, nil
	}
	bc, err := k.repo.CommitObject(k.baseTip)
	if err != nil {
		return false, fmt.Errorf("kb: read commit %s: %w", k.baseTip, err)
	}
	return bc.TreeHash != k.tree.Hash, nil
}

func (k *KB) setParent(h plumbing.Hash) error {
	k.dirs = nil // the folders are the old tree's
	c, err := k.repo.CommitObject(h)
	if err != nil {
		return fmt.Errorf("kb: read commit %s: %w", h, err)
	}
	t, err := c.Tree()
	if err != nil {
		return fmt.Errorf("kb: read tree of %s: %w", h, err)
	}
	k.parent, k.tree = c, t
	return nil
}

// objectCache bounds go-git's cache of decoded objects. Its default, 96
// MiB, kept the manifest blob of a large knowledge base (41 MB at 100k
// articles) alive for the whole run; kbsync keeps its own maps of what it
// reads more than once.
const objectCache = 8 * cache.MiByte

// openRepo opens a repository as git.PlainOpen does (a .git folder or file,
// or a bare repository), with a smaller object cache.
func openRepo(dir string) (*git.Repository, error) {
	// A linked worktree (git worktree add) keeps objects and refs in the
	// main repository's .git: without the common dir, commits would land
	// where git never looks.
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		return nil, err
	}
	st, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return repo, nil
	}
	small := filesystem.NewStorageWithOptions(st.Filesystem(), cache.NewObjectLRU(objectCache), filesystem.Options{})
	wt, err := repo.Worktree()
	if errors.Is(err, git.ErrIsBareRepository) {
		return git.Open(small, nil)
	}
	if err != nil {
		return nil, err
	}
	return git.Open(small, wt.Filesystem)
}

// objectsDir is where objects go: the common dir's objects folder in a
// linked worktree, .git/objects otherwise.
func (k *KB) objectsDir() string {
	dir := k.gitDir()
	if b, err := os.ReadFile(filepath.Join(dir, "commondir")); err == nil {
		common := strings.TrimSpace(string(b))
		if !filepath.IsAbs(common) {
			common = filepath.Join(dir, common)
		}
		dir = common
	}
	return filepath.Join(dir, "objects")
}

// gitDir is the repository's .git folder (a linked worktree's own one).
func (k *KB) gitDir() string {
	if k.repo == nil {
		return filepath.Join(k.root, ".git")
	}
	if fs, ok := k.repo.Storer.(*filesystem.Storage); ok {
		return fs.Filesystem().Root()
	}
	return filepath.Join(k.root, ".git")
}

// BaseBranch is the short name of the base branch: where a new branch
// starts and where its pull request goes.
func (k *KB) BaseBranch() string {
	if k.baseName != "" {
		return k.baseName
	}
	return k.branch.Short()
}

// OriginURL is the URL of the remote named origin, or "".
func (k *KB) OriginURL() string {
	if k.repo == nil {
		return ""
	}
	r, err := k.repo.Remote("origin")
	if err != nil || len(r.Config().URLs) == 0 {
		return ""
	}
	return r.Config().URLs[0]
}

// Branch is the short name of the branch the commit goes to.
func (k *KB) Branch() string { return k.branch.Short() }

// Root is the absolute path of the working tree.
func (k *KB) Root() string { return k.root }

// Created reports whether the sync created the repository.
func (k *KB) Created() bool { return k.created }

// ContentDir is the articles' folder, slash-separated.
func (k *KB) ContentDir() string { return path.Clean(filepath.ToSlash(k.opts.ContentDir)) }

// blobAt returns the hash of the file at p in the parent tree.
func (k *KB) blobAt(p string) (plumbing.Hash, bool) {
	if k.tree == nil {
		return plumbing.ZeroHash, false
	}
	// go-git decodes a subtree again on every FindEntry: with 100,000
	// articles in one folder, one lookup per article was quadratic. Each
	// folder is read once.
	dir, name := path.Split(p)
	dir = strings.TrimSuffix(dir, "/")
	return k.folder(dir).file(name)
}

// folder returns a folder of the parent tree, read once.
func (k *KB) folder(dir string) *folder {
	f, ok := k.dirs[dir]
	if !ok {
		f = loadFolder(k.tree, dir)
		if k.dirs == nil {
			k.dirs = map[string]*folder{}
		}
		k.dirs[dir] = f
	}
	return f
}

// ReadFile returns the committed content of p in the parent tree.
func (k *KB) ReadFile(p string) ([]byte, error) {
	h, ok := k.blobAt(p)
	if !ok {
		return nil, os.ErrNotExist
	}
	b, err := k.blob(h)
	if err != nil {
		return nil, fmt.Errorf("kb: read %s: %w", p, err)
	}
	return b, nil
}

// checkedOutFile reads a committed file from the working tree when its
// bytes there are the committed ones (the hash is checked): reading a large
// manifest from disk is several times faster than inflating it from a
// pack. It returns nil when it cannot.
func (k *KB) checkedOutFile(p string) ([]byte, error) {
	h, ok := k.blobAt(p)
	if !ok || !k.checkedOut || k.pending {
		return nil, nil
	}
	root, err := os.OpenRoot(k.root)
	if err != nil {
		return nil, nil
	}
	defer root.Close()
	b, err := root.ReadFile(p)
	if err != nil || plumbing.ComputeHash(plumbing.BlobObject, b) != h {
		return nil, nil
	}
	return b, nil
}

func (k *KB) loadManifest() error {
	b, err := k.checkedOutFile(ManifestPath)
	if b == nil {
		b, err = k.ReadFile(ManifestPath)
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	m, g, err := parseManifest(b)
	if err != nil {
		return &UsageError{Err: fmt.Errorf("kb: %w; restore it from git history (git checkout HEAD~1 -- %s)", err, ManifestPath)}
	}
	k.manifest, k.generated = m, g
	return nil
}

func (k *KB) signature() object.Signature {
	return object.Signature{Name: k.opts.Author.Name, Email: k.opts.Author.Email, When: k.opts.Now().UTC().Truncate(time.Second)}
}

func (k *KB) encodeCommit(tree plumbing.Hash, parents []plumbing.Hash, msg string) (Encoded, error) {
	sig := k.signature()
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: tree, ParentHashes: parents}
	obj := &plumbing.MemoryObject{}
	if err := c.Encode(obj); err != nil {
		return Encoded{}, fmt.Errorf("kb: encode commit: %w", err)
	}
	r, _ := obj.Reader()
	content, _ := io.ReadAll(r)
	return Encode(plumbing.CommitObject, content), nil
}
