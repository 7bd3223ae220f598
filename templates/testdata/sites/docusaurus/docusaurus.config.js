// The smallest Docusaurus site for kbsync's docusaurus preset (articles in
// docs/faq), with the docs at the site's root.
/** @type {import('@docusaurus/types').Config} */
module.exports = {
  title: 'Knowledge base',
  url: 'https://kb.example.org',
  baseUrl: '/',
  onBrokenLinks: 'throw',
  onBrokenAnchors: 'throw',
  onDuplicateRoutes: 'throw',
  markdown: {hooks: {onBrokenMarkdownLinks: 'throw'}},
  presets: [
    [
      'classic',
      {
        docs: {
          routeBasePath: '/',
          // kbsync's slugs may start with a number ("1-byte-per-pixel"):
          // keep them as they are instead of reading an order prefix.
          numberPrefixParser: false,
          showLastUpdateTime: true, // from the articles' last_update
        },
        blog: false,
        pages: false,
      },
    ],
  ],
};
