"""MkDocs hook for a kbsync knowledge base (MkDocs 1.4+).

- Titles and tags of kbsync's articles are forum text, but MkDocs and the
  Material theme print page titles, page.meta.title and tags as HTML (Jinja
  autoescaping is off: mkdocs/mkdocs#3357): they are escaped here, before
  any plugin reads them.
- Pages whose front matter says draft: true (kbsync's retired articles) are
  not built: MkDocs has no such key of its own.
- SUMMARY.md, the FAQ section's navigation for the literate-nav plugin, is
  not built as a page of its own.
"""
import html
import posixpath

from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.utils import meta

NAV_FILE = "SUMMARY.md"


def on_files(files, config):
    kept = []
    for f in files:
        if f.is_documentation_page():
            with open(f.abs_src_path, encoding="utf-8-sig") as src:
                _, data = meta.get_data(src.read())
            if data.get("draft") is True:
                continue
        kept.append(f)
    return Files(kept)


def on_nav(nav, config, files):
    # Removed after literate-nav read them, and in place: literate-nav checks
    # that the file collection is still the one it saw.
    for f in [f for f in files if posixpath.basename(f.src_path.replace("\\", "/")) == NAV_FILE]:
        files.remove(f)
    return nav


@event_priority(100)  # before the tags and search plugins
def on_page_markdown(markdown, page, config, files):
    m = page.meta
    if "source_id" in m:  # a kbsync article
        if isinstance(m.get("title"), str):
            m["title"] = page.title = html.escape(m["title"], quote=False)
        if isinstance(m.get("tags"), list):
            m["tags"] = [html.escape(str(t), quote=False) for t in m["tags"]]
    return markdown
