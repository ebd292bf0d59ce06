// First load of the lab as a new user on a school network: a fresh browser profile (empty cache,
// no service worker) opens the built site in headless Chromium with its network emulated through
// the DevTools protocol (Network.emulateNetworkConditions: 10 Mbit/s down and up, 40 ms latency)
// and records, from the start of navigation:
//   usable   the app runs (window.cnnlab.state().loading is null: the canvas draws, menus work)
//   dataset  the dataset is loaded in the trainer (state().dataset is set)
//   bytes    bytes transferred over the network until then (encoded, i.e. as sent: headers and
//            bodies, summed from Network.loadingFinished)
//   steps    when each of the page's loading steps (state().loading.step) was first seen, and
//   fetches  when each larger file's request started and its last byte arrived (the page's
//            Resource Timing), both in seconds from the start of navigation: where the time goes
// One row per URL suffix given ("" opens the site as is: its default subset). Run through
// bench/first_load.sh, which serves the site(s).
//
//   node bench/first_load.mjs SITE_URL [SUFFIX ...]       e.g. "?subset=50k"
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(repo, 'tests/browser/package.json'));
const { chromium } = require('playwright-core');

const MBIT = 1e6 / 8;  // bytes per second in one Mbit/s
// FIRST_LOAD_MBIT=0: no emulation (the floor this machine's CPU sets: compiling, starting, drawing).
const mbit = Number(process.env.FIRST_LOAD_MBIT ?? 10);
const conditions = {offline: false, latency: mbit > 0 ? 40 : 0,
                    downloadThroughput: mbit > 0 ? mbit * MBIT : -1,
                    uploadThroughput: mbit > 0 ? mbit * MBIT : -1};
const [siteUrl, ...suffixes] = process.argv.slice(2);
if (!siteUrl) throw new Error('usage: node bench/first_load.mjs SITE_URL [SUFFIX ...]');

const browser = await chromium.launch({
  executablePath: process.env.CNNLAB_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--use-gl=swiftshader', '--enable-unsafe-swiftshader',
         '--no-first-run', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--disable-quic'],
});
try {
  for (const suffix of suffixes.length ? suffixes : ['']) {
    const context = await browser.newContext({viewport: {width: 1280, height: 800}});
    // The loading steps as the page shows them, each with the time it was first seen (polled
    // from before the page's own scripts run).
    await context.addInitScript(() => {
      window.firstLoadSteps = [];
      const watch = () => {
        const loading = window.cnnlab && typeof window.cnnlab.state === 'function'
            ? window.cnnlab.state().loading : undefined;
        const step = loading === undefined ? 'page script' : loading ? loading.step : 'usable';
        const steps = window.firstLoadSteps;
        if (!steps.length || steps[steps.length - 1].step !== step) {
          steps.push({step, at: +(performance.now() / 1000).toFixed(2)});
        }
        if (step !== 'usable') setTimeout(watch, 20);
      };
      watch();
    });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', {cacheDisabled: true});
    await cdp.send('Network.emulateNetworkConditions', conditions);
    let bytes = 0;
    const files = new Map();
    const urls = new Map();
    cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
    cdp.on('Network.loadingFinished', (e) => {
      bytes += e.encodedDataLength;
      const name = (urls.get(e.requestId) || '?').replace(/^https?:\/\/[^/]+\//, '').replace(/\?.*/, '');
      files.set(name, (files.get(name) || 0) + e.encodedDataLength);
    });
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const start = Date.now();
    await page.goto(siteUrl + suffix, {waitUntil: 'commit'});
    const poll = {polling: 20, timeout: 600000};
    await page.waitForFunction(() => window.cnnlab && typeof window.cnnlab.state === 'function' &&
                                 (window.cnnlab.state().loading === null ||
                                                       window.cnnlab.state().phase === 'error'),
                               null, poll);
    const usable = (Date.now() - start) / 1000;
    const usableBytes = bytes;
    await page.waitForFunction(() => window.cnnlab.state().dataset !== null ||
                                     window.cnnlab.state().phase === 'error', null, poll);
    const dataset = (Date.now() - start) / 1000;
    const state = await page.evaluate(() => window.cnnlab.state());
    if (state.phase === 'error') throw new Error(`the lab reported an error: ${state.error}`);
    await new Promise((resolve) => setTimeout(resolve, 300));  // last loadingFinished events
    const d = state.dataset;
    const steps = await page.evaluate(() => window.firstLoadSteps);
    const fetches = await page.evaluate(() => performance.getEntriesByType('resource')
        .filter((e) => e.encodedBodySize > 10000 || /\.(wasm|pack|json)$/.test(e.name))
        .map((e) => ({file: e.name.replace(/^https?:\/\/[^/]+\//, ''),
                      start: +(e.startTime / 1000).toFixed(2), end: +(e.responseEnd / 1000).toFixed(2)})));
    console.log(JSON.stringify({
      url: siteUrl + suffix, mbit, usableSeconds: usable, bytesWhenUsable: usableBytes,
      datasetSeconds: dataset, bytes, dataset: `${d.origin}: ${d.train + d.val} train, ${d.test} test`,
      files: Object.fromEntries([...files].filter(([, n]) => n > 10000)), steps, fetches, errors,
    }));
    await context.close();
  }
} finally {
  await browser.close();
}
