// Memory benchmark (bench/browser_memory.sh runs it; not part of the test suite, whose files end
// in .test.mjs): the resident memory of all Chromium processes before and after the lab loads a
// large pack. Writes browser-artifacts/memory.json: {packBytes, rssBefore, rssAfter, ratio}.
import {test} from 'node:test';
import assert from 'node:assert/strict';

import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {chromium} from 'playwright-core';

import {browserRss} from './lib/browser-rss.mjs';
import {CHROMIUM_FLAGS, openLab, writeArtifact} from './lib/harness.mjs';

const packUrl = process.env.CNNLAB_MEMORY_PACK;
const packBytes = Number(process.env.CNNLAB_MEMORY_PACK_BYTES);
const QUIET_MS = 8000;

// This run's browser is the one started with this flag (Chromium ignores flags it does not
// know): other Chromium processes on the machine (another test run) are not counted.
const MARKER = `--cnnlab-memory-bench=${process.pid}`;

// Resident memory of this run's browser (lib/browser-rss.mjs); lastByKind: kB per kind of
// process at the last call.
function chromiumRss() {
  const {bytes, kbByKind} = browserRss(MARKER);
  lastByKind = kbByKind;
  return bytes;
}
let lastByKind = {};

test('a pack adds at most 2.5 times its size to the browser', {timeout: 600000}, async () => {
  assert.ok(packUrl && packBytes > 0, 'run through bench/browser_memory.sh');
  // A browser profile on disk, as a student's is: the Cache API then stores the pack in files
  // (a test's default, off-the-record context would hold it in the browser process's memory).
  // --expose-gc only lets the run ask for a collection at the end; it changes nothing before.
  const profile = mkdtempSync(path.join(os.tmpdir(), 'cnnlab-memory-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CNNLAB_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_FLAGS, MARKER, '--js-flags=--expose-gc'],
    viewport: {width: 1280, height: 800},
  });
  try {
    const page = context.pages()[0] || await context.newPage();
    await openLab(page);
    await page.waitForFunction(() => window.cnnlab.state().dataset !== null, null, {timeout: 120000});
    await new Promise((r) => setTimeout(r, QUIET_MS));
    const rssBefore = chromiumRss();
    const kindsBefore = lastByKind;
    await page.evaluate((url) => window.cnnlab.loadPack(url), packUrl);
    await page.waitForFunction((url) => {
      const d = window.cnnlab.state().dataset;
      return d && d.train > 10000;
    }, packUrl, {timeout: 300000});
    await new Promise((r) => setTimeout(r, QUIET_MS));
    const rssAfter = chromiumRss();
    // Where it went, per kind of process (MB added).
    const added = Object.fromEntries(Object.entries(lastByKind).map(
        ([kind, kbAfter]) => [kind, Math.round((kbAfter - (kindsBefore[kind] || 0)) / 1024)]));
    console.log(`added per kind of process (MB): ${JSON.stringify(added)}`);
    const ratio = (rssAfter - rssBefore) / packBytes;
    // What of that is garbage not yet collected (the pieces the download passed through, the
    // dataset report's copies): a full collection in the page and in every worker, then quiet.
    await page.evaluate(() => gc());
    for (const worker of page.workers()) await worker.evaluate(() => gc()).catch(() => {});
    await new Promise((r) => setTimeout(r, QUIET_MS));
    const rssAfterGc = chromiumRss();
    const ratioAfterGc = (rssAfterGc - rssBefore) / packBytes;
    writeArtifact('memory.json', JSON.stringify(
        {packBytes, rssBefore, rssAfter, ratio, rssAfterGc, ratioAfterGc, addedMbByProcessKind: added}, null, 2));
    console.log(`rss before ${rssBefore}, after ${rssAfter}, after gc ${rssAfterGc}, ` +
                `pack ${packBytes}, ratio ${ratio.toFixed(2)} (${ratioAfterGc.toFixed(2)} after gc)`);
  } finally {
    await context.close();
    rmSync(profile, {recursive: true, force: true});
  }
});
