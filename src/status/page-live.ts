/**
 * The live page's only script: fetch the sections every few seconds and swap them into <main>. A
 * page reload would lose the reader's place and every open runbook; this keeps both. A failed fetch
 * is announced (the role=status line), and the old sections are marked stale so nobody reads them as
 * current. `data-refreshes` counts successful swaps (the browser tests wait on it).
 */
export function liveRefreshScript(refreshSeconds: number, sectionsPath: string): string {
  const every = Math.max(1, Math.round(refreshSeconds)) * 1000;
  return `(() => {
  const every = ${every};
  const path = ${JSON.stringify(sectionsPath)};
  const status = document.getElementById('refresh-status');
  const main = document.getElementById('status-main');
  let refreshes = 0;
  async function refresh() {
    try {
      const response = await fetch(path, { cache: 'no-store' });
      if (!response.ok) throw new Error('HTTP ' + response.status + ': ' + (await response.text()).slice(0, 200));
      const html = await response.text();
      const open = Array.from(document.querySelectorAll('details[open][id]'), (d) => d.id);
      main.innerHTML = html;
      main.classList.remove('stale');
      for (const id of open) document.getElementById(id)?.setAttribute('open', '');
      refreshes += 1;
      document.documentElement.dataset.refreshes = String(refreshes);
      status.textContent = 'Live: updated ' + new Date().toLocaleTimeString() + ', every ' + every / 1000 + ' s.';
    } catch (error) {
      main.classList.add('stale');
      status.textContent = 'Refresh failed (' + (error && error.message ? error.message : error) + '); what you see may be out of date. Retrying.';
    } finally {
      setTimeout(refresh, every);
    }
  }
  setTimeout(refresh, every);
})();`;
}
