import { describe, expect, it } from 'vitest';
import { renderRunbookHtml } from '../../../src/status/runbook-html.ts';

describe('renderRunbookHtml', () => {
  it('moves headings under the page\'s h4 and keeps code blocks', () => {
    const html = renderRunbookHtml('# CODE — title\n\n## Fix\n\n```bash\nops check-schedulers --fix\n```\n');
    expect(html).toContain('<h5>CODE — title</h5>');
    expect(html).toContain('<h6>Fix</h6>');
    expect(html).toContain('<pre><code class="language-bash">ops check-schedulers --fix\n</code></pre>');
  });

  it('points a link to another runbook at its place on the page, keeps web links, and turns other paths into text', () => {
    const html = renderRunbookHtml('See [blind](MONITOR_BLIND.md), [the guide](https://docs.aws.amazon.com/x) and [by hand](../README.md#changing-a-schedule-by-hand).');
    expect(html).toContain('<a href="#runbook-MONITOR_BLIND">blind</a>');
    expect(html).toContain('<a href="https://docs.aws.amazon.com/x">the guide</a>');
    expect(html).toContain('by hand (<code>../README.md#changing-a-schedule-by-hand</code>)');
    expect(html).not.toContain('href="../README.md');
  });
});
