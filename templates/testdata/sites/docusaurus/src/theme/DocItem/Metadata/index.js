// Prints kbsync's structured data (off by default) in the page's head, as
// is. kbsync writes it URI-encoded (jsonld_uri): Docusaurus's mdx-loader
// does not keep the backslashes of JSON in front matter.
import React from 'react';
import Head from '@docusaurus/Head';
import Metadata from '@theme-original/DocItem/Metadata';
import {useDoc} from '@docusaurus/plugin-content-docs/client';

export default function MetadataWrapper(props) {
  const {frontMatter} = useDoc();
  return (
    <>
      <Metadata {...props} />
      {typeof frontMatter.jsonld_uri === 'string' && (
        <Head>
          <script type="application/ld+json">{decodeURIComponent(frontMatter.jsonld_uri)}</script>
        </Head>
      )}
    </>
  );
}
