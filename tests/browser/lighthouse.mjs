// Runs Lighthouse (mobile: its default profile, simulated slow 4G and a 4x slower CPU) over each URL
// given, one after the other in one Chromium: several at once on a small machine skew the simulated
// timings. Writes <out>/<name>.report.html per page and prints one JSON summary line per page.
//   node tests/browser/lighthouse.mjs CHROMIUM OUT_DIR URL...
import fs from 'node:fs';
import path from 'node:path';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';

const [chromePath, outDir, ...urls] = process.argv.slice(2);
fs.mkdirSync(outDir, {recursive: true});
const chrome = await chromeLauncher.launch({
  chromePath,
  chromeFlags: [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
    // Without these, Chromium keeps calling Google's hosts, which this network (and many readers') refuses.
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const config = {
  extends: 'lighthouse:default',
  settings: {
    onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
    // Neither changes a score; both cost time on every page.
    disableFullPageScreenshot: true,
    skipAudits: ['screenshot-thumbnails', 'final-screenshot'],
  },
};
try {
  for (const url of urls) {
    const started = Date.now();
    const result = await lighthouse(url, {port: chrome.port, output: 'html', logLevel: 'error'}, config);
    const lhr = result.lhr;
    const name = new URL(url).pathname.replace(/^\/|\/$/g, '').replace(/\//g, '_') || 'index';
    fs.writeFileSync(path.join(outDir, `${name}.report.html`), result.report);
    const requests = lhr.audits['network-requests'].details?.items ?? [];
    const failed = lhr.audits;
    console.log(JSON.stringify({
      url,
      report: `${name}.report.html`,
      seconds: (Date.now() - started) / 1000,
      runtimeError: lhr.runtimeError?.message ?? null,
      runWarnings: lhr.runWarnings,
      scores: Object.fromEntries(Object.entries(lhr.categories).map(([id, c]) => [id, c.score])),
      fcp: lhr.audits['first-contentful-paint'].numericValue,
      lcp: lhr.audits['largest-contentful-paint'].numericValue,
      tbt: lhr.audits['total-blocking-time'].numericValue,
      cls: lhr.audits['cumulative-layout-shift'].numericValue,
      bytes: lhr.audits['total-byte-weight'].numericValue,
      requests: requests.map(r => ({url: r.url, bytes: r.transferSize, type: r.resourceType, status: r.statusCode})),
      // What kept a category below 1: the audits that count in it and did not pass.
      failing: Object.fromEntries(Object.entries(lhr.categories).map(([id, c]) => [id,
        c.auditRefs.filter(ref => ref.weight > 0 && failed[ref.id].score !== null && failed[ref.id].score < 1)
          .map(ref => `${ref.id}: ${failed[ref.id].score}`)])),
    }));
  }
} finally {
  await chrome.kill();
}
