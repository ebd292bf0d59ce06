// Shared by the browser tests: launching Debian's Chromium (never a downloaded browser) through
// playwright-core, opening the lab, collecting console errors, saving screenshots as artifacts.
// run.sh sets CNNLAB_SITE_URL (the served site) and CNNLAB_ARTIFACTS (where screenshots go).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { decodePng, imageStats } from './png.mjs';
// Percentages as the page and the app write them (one rounding: half away from zero, in tenths):
// tests compare their text with it, never with toFixed(1), which rounds an exact half of a
// tenth (e.g. 847 of 2,000) the other way.
export { percent } from '../../../web/page/text-format.js';

export const siteUrl = process.env.CNNLAB_SITE_URL;
if (!siteUrl) throw new Error('CNNLAB_SITE_URL is not set: run the tests through tests/browser/run.sh');
export const artifactsDir = process.env.CNNLAB_ARTIFACTS ||
    path.join(os.tmpdir(), 'cnnlab-browser-artifacts');
mkdirSync(artifactsDir, {recursive: true});

// Flags that give a WebGL2 canvas in headless Chromium as root (see ../shared/TOOLCHAIN.md).
export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--use-gl=swiftshader', '--enable-unsafe-swiftshader',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic',
];

// Chromium's own test camera (moving frames, a timer drawn on them) granted without asking.
export const FAKE_CAMERA_FLAGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

// fakeCamera: getUserMedia gets Chromium's fake camera (FAKE_CAMERA_FLAGS).
export function launchBrowser({fakeCamera = false} = {}) {
  return chromium.launch({
    executablePath: process.env.CNNLAB_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // CNNLAB_CHROMIUM_EXTRA_FLAGS: more flags, space-separated, for diagnosing a measurement
    // (e.g. --js-flags=--no-wasm-dynamic-tiering); never set by the test command.
    args: [...CHROMIUM_FLAGS, ...(fakeCamera ? FAKE_CAMERA_FLAGS : []),
           ...(process.env.CNNLAB_CHROMIUM_EXTRA_FLAGS || '').split(' ').filter(Boolean)],
  });
}

// A new page of the given size that records console errors and uncaught exceptions.
// touch: a phone's touch screen (touch events, `pointer: coarse`, a mobile viewport).
export async function newPage(browser, {width = 1280, height = 800, deviceScaleFactor = 1,
                                        touch = false} = {}) {
  const context = await browser.newContext({viewport: {width, height}, deviceScaleFactor,
                                            ...(touch ? {hasTouch: true, isMobile: true} : {})});
  const page = await context.newPage();
  const errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return {context, page, errors};
}

// Starts a run through window.cnnlab and waits until it is done and tested; returns state().
// `state().run` numbers the current (or next) run. Until the worker's first report of the new
// run arrives, the state may still be the previous run's 'done' with its test accuracy, so the
// wait is for a run later than that one.
export async function trainToEnd(page) {
  const testedRun = await page.evaluate(() => {
    const s = window.cnnlab.state();
    return s.phase === 'done' && s.testAcc !== null ? s.run : 0;
  });
  await page.evaluate(() => window.cnnlab.train());
  await page.waitForFunction((testedRun) => {
    const s = window.cnnlab.state();
    return s.run > testedRun && s.phase === 'done' && s.testAcc !== null;
  }, testedRun, {timeout: 240000});
  return page.evaluate(() => window.cnnlab.state());
}

// Opens the lab (at url: the served site by default) and waits for window.cnnlab.ready (fails
// early, with the message, if the page reports phase 'error').
export async function openLab(page, {timeout = 60000, url = siteUrl} = {}) {
  await page.goto(url, {waitUntil: 'load'});
  // state().loading is null once the app runs (the page's own loading is over).
  await page.waitForFunction(() => {
    if (!window.cnnlab) return false;
    const s = window.cnnlab.state();
    return s.phase === 'error' || s.loading === null;
  }, null, {timeout});
  const state = await page.evaluate(() => window.cnnlab.state());
  if (state.phase === 'error') throw new Error(`the lab reported an error: ${state.error}`);
  await page.evaluate(() => window.cnnlab.ready.then(() => true));
  return state;
}

// Waits until fn (run in the page; may be async) returns true. page.waitForFunction does not
// await a returned Promise (a Promise is truthy: it would pass at once), so async checks such as
// the Cache API's poll through this instead.
export async function waitForAsync(page, fn, arg, {timeout = 60000, interval = 500} = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(fn, arg) === true) return;
    if (Date.now() > deadline) throw new Error(`waitForAsync: not true within ${timeout} ms: ${fn}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

// Lets the app draw a few more animation frames (layout settles after a resize).
export function frames(page, count = 5) {
  return page.evaluate((n) => new Promise((resolve) => {
    const step = () => (--n <= 0 ? resolve() : requestAnimationFrame(step));
    requestAnimationFrame(step);
  }), count);
}

export async function saveScreenshot(page, name) {
  const file = path.join(artifactsDir, name);
  await page.screenshot({path: file});
  return file;
}

// Pixel statistics of what the canvas shows (from a screenshot of its element).
export async function canvasStats(page) {
  const png = await page.locator('canvas.cnnlab-canvas').screenshot();
  return imageStats(decodePng(png));
}

// The dataset packs the build put in the site (data/packs.json; none: {packs: []}).
export async function sitePacks() {
  const response = await fetch(new URL('data/packs.json', siteUrl));
  return response.ok ? response.json() : {default: null, packs: []};
}

export function writeArtifact(name, text) {
  writeFileSync(path.join(artifactsDir, name), text);
}

// The fixed layout (web/app/app.cpp): Setup top-left, Training below it, Curves top-right.
// Writes PREFIX-training-panel.png, PREFIX-curves-panel.png and PREFIX-page.png.
export async function panelScreenshots(page, prefix) {
  const {width, height} = page.viewportSize();
  const left = Math.floor(Math.min(Math.max(width * 0.4, 300), 560, width * 0.5));
  const top = 22;
  const setup = Math.floor((height - top) * 0.56);
  const curves = Math.floor((height - top) * 0.46);
  await page.screenshot({path: path.join(artifactsDir, `${prefix}-training-panel.png`),
                         clip: {x: 0, y: top + setup, width: left, height: height - top - setup}});
  await page.screenshot({path: path.join(artifactsDir, `${prefix}-curves-panel.png`),
                         clip: {x: left, y: top, width: width - left, height: curves}});
  await saveScreenshot(page, `${prefix}-page.png`);
}

// A static server of a test's own (run.sh's serves the others): web/serve.py on a free port,
// serving dir (default: the built site), with the cross-origin isolation headers when isolate,
// with Access-Control-Allow-Origin: * when cors. {server, url}; the test kills server when done.
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const siteDir = process.env.CNNLAB_SITE_DIR ||
    path.join(process.env.CNNLAB_BUILD_DIR || path.join(repo, 'build-wasm'), 'site');
export function startServer({isolate = false, cors = false, dir = siteDir} = {}) {
  const args = [path.join(repo, 'web/serve.py'), dir, '--port', '0'];
  if (isolate) args.push('--isolate');
  if (cors) args.push('--cors');
  return new Promise((resolve, reject) => {
    const server = spawn('python3', args, {env: {...process.env, CNNLAB_SERVE_QUIET: '1'},
                                           stdio: ['ignore', 'pipe', 'inherit']});
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) resolve({server, url: m[0]});
    });
    server.on('exit', (code) => reject(new Error(`serve.py exited (${code}): ${out}`)));
  });
}

// A Training panel setting (state().ui.controls: its option key, 'key-' / 'key+' for its step
// buttons, 'earlyStopping', 'clip', 'groupOptimiser' ...), scrolled into view with the mouse
// wheel over the settings when it is not: its rectangle in display pixels, with the page's
// `scale` and `cx`, `cy`, its centre in CSS pixels (where page.mouse clicks).
export async function revealControl(page, name) {
  for (let i = 0; i < 30; ++i) {
    const ui = await page.evaluate(() => window.cnnlab.state().ui);
    const c = ui.controls.find((x) => x.panel === 'training' && x.name === name);
    if (!c) throw new Error(`the Training panel draws no ${name}`);
    if (c.visible) return {...c, scale: ui.scale, cx: (c.x + c.w / 2) / ui.scale, cy: (c.y + c.h / 2) / ui.scale};
    const shown = ui.controls.find((x) => x.panel === 'training' && x.visible);
    if (!shown) throw new Error('no Training setting is in view');
    await page.mouse.move((shown.x + 4) / ui.scale, (shown.y + shown.h / 2) / ui.scale);
    await page.mouse.wheel(0, c.y > shown.y ? 60 : -60);
    await frames(page, 4);
  }
  throw new Error(`${name} never came into view`);
}
