/**
 * Runbooks (markdown) as HTML for the status page. marked, because markdown has enough corner cases
 * (fenced code, tables, nested lists) that a hand-written converter gets wrong. Headings start at h1
 * in the files; on the page they sit under the finding code's h4, so they move down four levels.
 * Runbooks are this repository's own files, so their raw HTML (there is none today) is trusted.
 * Kept apart from the page modules so the healthcheck's bundle, which ships no runbooks, leaves
 * marked out.
 */
import { Marked, type Tokens } from 'marked';
import { escapeHtml } from './heatmap-html.ts';

const markdown = new Marked({
  gfm: true,
  walkTokens: (token) => {
    if (token.type === 'heading') (token as Tokens.Heading).depth = Math.min(6, (token as Tokens.Heading).depth + 4);
  },
  renderer: {
    // Runbooks link each other and the README by relative path, which leads nowhere from the page or
    // an exported file: another runbook becomes its place on the page, any other path stays as text.
    link(token) {
      const text = this.parser.parseInline(token.tokens);
      const runbook = /^(?:\.\/)?([A-Z][A-Z0-9_]*)\.md$/.exec(token.href);
      if (runbook) return `<a href="#runbook-${runbook[1]}">${text}</a>`;
      if (/^(https?:|mailto:|#)/.test(token.href)) return false;
      return `${text} (<code>${escapeHtml(token.href)}</code>)`;
    },
  },
});

export function renderRunbookHtml(text: string): string {
  return markdown.parse(text, { async: false });
}
