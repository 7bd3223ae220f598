// Shows when and where the question was asked, from kbsync's front matter.
import React from 'react';
import Footer from '@theme-original/DocItem/Footer';
import {useDoc} from '@docusaurus/plugin-content-docs/client';

export default function FooterWrapper(props) {
  const {frontMatter} = useDoc();
  return (
    <>
      {frontMatter.date && (
        <p>
          Asked <time className="kb-date" dateTime={frontMatter.date}>{frontMatter.date}</time> in{' '}
          {frontMatter.source} thread {frontMatter.source_id}
        </p>
      )}
      <Footer {...props} />
    </>
  );
}
