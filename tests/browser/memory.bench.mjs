// Memory benchmark (bench/browser_memory.sh runs it; not part of the test suite, whose files end
// in .test.mjs): the resident memory of all Chromium processes before and after the lab loads a
// large pack. Writes browser-artifacts/memory.json: {packBytes, rssBefore, rssAfter, ratio}.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';

import {launchBrowser, newPage, openLab, writeArtifact} from './lib/harness.mjs';

const packUrl = process.env.CNNLAB_MEMORY_PACK;
const packBytes = Number(process.env.CNNLAB_MEMORY_PACK_BYTES);
const QUIET_MS = 8000;

// Resident memory of every Chromium process, in bytes.
function chromiumRss() {
  const out = execFileSync('ps', ['-eo', 'rss=,args='], {encoding: 'utf8'});
  let kb = 0;
  for (const line of out.split('\n')) {
    if (/chrom/i.test(line) && !/ps -eo/.test(line)) kb += Number(line.trim().split(/\s+/)[0]) || 0;
  }
  return kb * 1024;
}

test('a pack adds at most 2.5 times its size to the browser', {timeout: 600000}, async () => {
  assert.ok(packUrl && packBytes > 0, 'run through bench/browser_memory.sh');
  const browser = await launchBrowser();
  try {
    const {page} = await newPage(browser);
    await openLab(page);
    await page.waitForFunction(() => window.cnnlab.state().dataset !== null, null, {timeout: 120000});
    await new Promise((r) => setTimeout(r, QUIET_MS));
    const rssBefore = chromiumRss();
    await page.evaluate((url) => window.cnnlab.loadPack(url), packUrl);
    await page.waitForFunction((url) => {
      const d = window.cnnlab.state().dataset;
      return d && d.train > 10000;
    }, packUrl, {timeout: 300000});
    await new Promise((r) => setTimeout(r, QUIET_MS));
    const rssAfter = chromiumRss();
    const ratio = (rssAfter - rssBefore) / packBytes;
    writeArtifact('memory.json', JSON.stringify({packBytes, rssBefore, rssAfter, ratio}, null, 2));
    console.log(`rss before ${rssBefore}, after ${rssAfter}, pack ${packBytes}, ratio ${ratio.toFixed(2)}`);
  } finally {
    await browser.close();
  }
});
