// Browser end-to-end test of a dataset the student brings (web/page/mount.js, loadUpload;
// engine/data/loaders.h, load_upload_bytes): archives of image folders made here (JPEGs drawn by
// the page's OffscreenCanvas, PNGs written here, a .zip by fflate, a .tar by this file's own
// writer) load through window.cnnlab.loadDataset in both layouts, train above chance, survive a
// reload, download as a pack that a ?pack= link opens; bad archives (corrupt, truncated, a bomb,
// too many files, a non-image, a class without images, one class, 101 classes, a 2 GB file)
// are refused naming the file and the reason, the dataset and the runs staying as they were.
// While a big archive is decoded, the decoding box's bar follows the worker's progress messages.
// Screenshots go to $CNNLAB_ARTIFACTS (owndata-*.png).
import assert from 'node:assert/strict';
import { closeSync, openSync, ftruncateSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { after, before, test } from 'node:test';

import { zipSync } from '../../web/vendor/node_modules/fflate/esm/index.mjs';
import { frames, launchBrowser, newPage, openLab, saveScreenshot, siteUrl, trainToEnd,
         writeArtifact } from './lib/harness.mjs';
import { encodePng } from './lib/png.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { if (browser) await browser.close(); });

// ---- Files written here, independently of the page's code -----------------------------------

// A ustar archive of {path: bytes} (bytes null: a folder).
function writeTar(files) {
  const blocks = [];
  for (const [name, bytes] of Object.entries(files)) {
    const h = Buffer.alloc(512);
    h.write(name, 0, 'utf8');
    h.write('0000644\0', 100, 'latin1');
    h.write('0000000\0', 108, 'latin1');
    h.write('0000000\0', 116, 'latin1');
    h.write(`${(bytes ? bytes.length : 0).toString(8).padStart(11, '0')}\0`, 124, 'latin1');
    h.write('00000000000\0', 136, 'latin1');
    h.fill(0x20, 148, 156);
    h[156] = (bytes ? '0' : '5').charCodeAt(0);
    h.write('ustar\u000000', 257, 'latin1');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    blocks.push(h);
    if (bytes) blocks.push(Buffer.concat([bytes, Buffer.alloc((512 - bytes.length % 512) % 512)]));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

// The three colour classes: each image one hue with noise and a stripe, so a small network
// tells them apart (chance: 1/3).
const HUES = {red: [200, 40, 40], green: [40, 180, 60], blue: [40, 60, 210]};
// Three tinted shades whose grey values (luma about 34, 125, 222) stay far apart at 28x28 grey.
const SHADES = {dark: [30, 30, 60], mid: [120, 130, 110], light: [230, 220, 200]};

// JPEGs drawn by the page's canvas: {key: Buffer} for [{key, hue, width, height}].
async function pageJpegs(page, specs) {
  const encoded = await page.evaluate(async (specs) => {
    const out = {};
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (const {key, hue, width, height} of specs) {
      const canvas = new OffscreenCanvas(width, height);
      const g = canvas.getContext('2d');
      g.fillStyle = `rgb(${hue.join(',')})`;
      g.fillRect(0, 0, width, height);
      for (let i = 0; i < 12; ++i) {
        const v = Math.floor(rand() * 60);
        g.fillStyle = `rgba(${v},${v},${v},0.3)`;
        g.fillRect(rand() * width, rand() * height, width / 4, height / 4);
      }
      const blob = await canvas.convertToBlob({type: 'image/jpeg', quality: 0.9});
      const bytes = new Uint8Array(await blob.arrayBuffer());
      out[key] = btoa(String.fromCharCode(...bytes));
    }
    return out;
  }, specs);
  return Object.fromEntries(Object.entries(encoded).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

// A PNG of a class's hue, RGB or grey (the hue's luma), width x height, with a little noise.
function huePng(hue, width, height, grey, seed) {
  const luma = Math.round(0.299 * hue[0] + 0.587 * hue[1] + 0.114 * hue[2]);
  return encodePng(width, height, grey ? 1 : 3, (x, y, c) =>
    Math.max(0, Math.min(255, (grey ? luma : hue[c]) + ((x * 7 + y * 13 + seed * 31) % 21) - 10)));
}

// Calls window.cnnlab.loadDataset with bytes sent as base64; resolves {state} or {error}.
function loadDataset(page, bytes, name, options) {
  return page.evaluate(async ({b64, name, options}) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    try {
      return {state: await window.cnnlab.loadDataset(bytes, name, options)};
    } catch (e) {
      return {error: e.message};
    }
  }, {b64: Buffer.from(bytes).toString('base64'), name, options});
}

const labState = (page) => page.evaluate(() => window.cnnlab.state());

// A <class>/* tree of the three hues under the top folder 'colours': 12 images a class, JPEGs
// (page-drawn) and PNGs (RGB and grey) of mixed sizes. {path: Buffer}.
async function colourTree(page, top) {
  const specs = [];
  for (const [name, hue] of Object.entries(HUES)) {
    for (let i = 0; i < 6; ++i) specs.push({key: `${name}/${i}.jpg`, hue, width: 24 + 8 * i, height: 40});
  }
  const files = {};
  for (const [key, bytes] of Object.entries(await pageJpegs(page, specs))) files[`${top}${key}`] = bytes;
  for (const [name, hue] of Object.entries(HUES)) {
    for (let i = 0; i < 6; ++i) files[`${top}${name}/p${i}.png`] = huePng(hue, 30 + 5 * i, 20 + 9 * i, i === 5, i);
  }
  return files;
}

test('a .zip of class folders (one top folder) and a .tar of train/ and test/ load, train above chance, survive a reload and download as a pack', {timeout: 600000}, async () => {
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    await openLab(page, {timeout: 240000});
    // ---- A .zip with one top-level folder, as "zip -r colours.zip colours/" makes it.
    const tree = await colourTree(page, 'colours/');
    const zip = Buffer.from(zipSync(Object.fromEntries(
        Object.entries(tree).map(([k, v]) => [k, new Uint8Array(v)]))));
    const zipped = await loadDataset(page, zip, 'colours.zip');
    assert.equal(zipped.error, undefined, zipped.error);
    let state = zipped.state;
    assert.equal(state.dataset.name, 'colours');
    assert.deepEqual(state.dataset.classNames, ['blue', 'green', 'red']);
    assert.deepEqual(state.dataset.input, [3, 32, 32]);
    // 12 a class; round(0.2 x 12) = 2 of each set aside for test; the lab's validation split
    // takes its share of the rest.
    assert.equal(state.dataset.test, 6);
    assert.equal(state.dataset.train + state.dataset.val, 30);
    assert.match(state.files.notice, /^Loaded colours\.zip: 3 classes, 30 training and 6 test images, each fitted to 32x32 colour\. Kept for your next visit\.$/);
    await page.evaluate(() => window.cnnlab.showPanel('data'));
    await frames(page, 8);
    await saveScreenshot(page, 'owndata-zip-data-1280.png');
    // Trains above chance (1/3).
    await page.evaluate(() => window.cnnlab.configure({model: 'mlp-small', epochs: 20, batch: 8,
                                                       standardize: true}));
    state = await trainToEnd(page);
    assert.ok(state.testAcc > 0.6, `test accuracy ${state.testAcc} on 3 colour classes`);

    // ---- A reload keeps it: the pack from the browser's cache, no network request for it.
    const requested = [];
    page.on('request', (r) => { if (r.url().includes('/uploads/')) requested.push(r.url()); });
    await page.reload();
    await page.waitForFunction(() => window.cnnlab && window.cnnlab.state().loading === null &&
                               window.cnnlab.state().dataset, null, {timeout: 120000});
    state = await labState(page);
    assert.equal(state.dataset.name, 'colours');
    assert.equal(state.dataset.test, 6);
    assert.equal(state.dataset.train + state.dataset.val, 30);
    assert.deepEqual(requested, [], 'the upload came from the cache');
    // A new training worker (what Restart does after one died) gets it again from the cache.
    await page.evaluate(() => window.cnnlab.restartTrainer());
    state = await labState(page);
    assert.equal(state.dataset.name, 'colours');
    assert.equal(state.dataset.test, 6);
    // A link cannot carry a dataset that lives in this browser only: it names no pack.
    assert.doesNotMatch(await page.evaluate(() => window.cnnlab.link()), /pack=|uploads/);

    // ---- Download dataset (.pack): a pack a ?pack= link opens with the same counts.
    const download = await page.evaluate(async () => {
      const {name, bytes} = await window.cnnlab.downloadDataset();
      return {name, magic: String.fromCharCode(...bytes.subarray(0, 8)),
              b64: btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''))};
    });
    assert.equal(download.name, 'colours.pack');
    assert.equal(download.magic, 'CNNLPACK');
    const hosted = Buffer.from(download.b64, 'base64');
    const other = await newPage(browser, {width: 1280, height: 800});
    try {
      await other.context.route('**/hosted/colours.pack', (route) => route.fulfill(
          {status: 200, contentType: 'application/octet-stream', body: hosted}));
      await other.page.goto(`${siteUrl}?pack=hosted/colours.pack`);
      await other.page.evaluate(() => window.cnnlab.ready.then(() => true));
      const linked = await labState(other.page);
      assert.equal(linked.dataset.name, 'colours');
      assert.equal(linked.dataset.test, 6);
    } finally {
      await other.context.close();
    }

    // ---- A .tar of train/ and test/ without a top folder, fitted to 28x28 grey.
    const files = {};
    for (const [name, hue] of Object.entries(SHADES)) {
      files[`train/${name}/`] = null;
      for (let i = 0; i < 8; ++i) files[`train/${name}/${i}.png`] = huePng(hue, 28 + i, 28, i % 2 === 0, i);
      for (let i = 0; i < 3; ++i) files[`test/${name}/${i}.png`] = huePng(hue, 40, 30 + i, false, i + 20);
    }
    const tarred = await loadDataset(page, writeTar(files), 'shades.tar', {input: '28x28-grey'});
    assert.equal(tarred.error, undefined, tarred.error);
    state = tarred.state;
    assert.equal(state.dataset.name, 'shades');
    assert.deepEqual(state.dataset.classNames, ['dark', 'light', 'mid']);
    assert.deepEqual(state.dataset.input, [1, 28, 28]);
    assert.equal(state.dataset.test, 9);
    assert.equal(state.dataset.train + state.dataset.val, 24);
    assert.match(state.files.notice, /fitted to 28x28 grey/);
    await page.evaluate(() => window.cnnlab.showPanel('data'));
    await frames(page, 8);
    await saveScreenshot(page, 'owndata-tar-grey-1280.png');
    await page.evaluate(() => window.cnnlab.configure({model: 'mlp-small', epochs: 20, batch: 8,
                                                       standardize: true}));
    state = await trainToEnd(page);
    // The three shades differ in brightness: well above chance (1/3).
    assert.ok(state.testAcc > 0.6, `test accuracy ${state.testAcc} on 3 grey shades: ${JSON.stringify(state)}`);
    writeArtifact('owndata-state.json', JSON.stringify(state, null, 2));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('decoding a big archive shows a progress bar of images decoded, driven by the worker', {timeout: 300000}, async () => {
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    // What the worker posts about the decoding, and every value the decoding box's bar takes.
    await page.addInitScript(() => {
      window.progressMessages = [];
      window.barValues = [];
      const setter = Object.getOwnPropertyDescriptor(Worker.prototype, 'onmessage').set;
      Object.defineProperty(Worker.prototype, 'onmessage', {
        set(handler) {
          setter.call(this, (event) => {
            if (event.data && event.data.type === 'uploadProgress') {
              window.progressMessages.push([event.data.decoded, event.data.total]);
            }
            return handler(event);
          });
        },
      });
      new MutationObserver(() => {
        const bar = document.querySelector('.cnnlab-decoding [role="progressbar"]');
        const box = document.querySelector('.cnnlab-decoding');
        if (bar && box && !box.hidden) {
          const value = [Number(bar.getAttribute('aria-valuenow')), Number(bar.getAttribute('aria-valuemax'))];
          const last = window.barValues[window.barValues.length - 1];
          if (!last || last[0] !== value[0]) window.barValues.push(value);
        }
      }).observe(document, {subtree: true, attributes: true, childList: true});
    });
    await openLab(page, {timeout: 240000});
    // 3 classes x 200 PNGs of 48x48: 600 images to decode, fit and resize.
    const files = {};
    let i = 0;
    for (const [name, hue] of Object.entries(HUES)) {
      for (let k = 0; k < 200; ++k) files[`big/${name}/${k}.png`] = huePng(hue, 48, 48, false, i++);
    }
    const loaded = await loadDataset(page, writeTar(files), 'big.tar');
    assert.equal(loaded.error, undefined, loaded.error);
    const {progressMessages, barValues, decoding} = await page.evaluate(() => ({
      progressMessages: window.progressMessages, barValues: window.barValues,
      decoding: window.cnnlab.state().decoding}));
    // The worker reported as it went: the first image, every 2 % of them, the last.
    assert.deepEqual(progressMessages[0], [1, 600]);
    assert.deepEqual(progressMessages[progressMessages.length - 1], [600, 600]);
    assert.ok(progressMessages.length >= 50, `${progressMessages.length} progress messages`);
    // The bar showed those counts, part-way ones included, and is gone once the dataset is in.
    assert.ok(barValues.some(([done, total]) => total === 600 && done > 0 && done < 600),
              JSON.stringify(barValues.slice(0, 10)));
    assert.ok(barValues.every(([done, total]) => total === 600 &&
                              progressMessages.some(([d]) => d === done)), JSON.stringify(barValues));
    assert.equal(decoding, null);
    assert.equal((await labState(page)).dataset.classes, 3);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('bad archives are refused naming the file and the reason; the dataset and the runs stay', {timeout: 600000}, async () => {
  const {context, page} = await newPage(browser, {width: 1280, height: 800});
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cnnlab-owndata-'));
  try {
    await openLab(page, {timeout: 240000});
    // A dataset and a trained run to keep.
    const tree = await colourTree(page, '');
    const good = Buffer.from(zipSync(Object.fromEntries(
        Object.entries(tree).map(([k, v]) => [k, new Uint8Array(v)]))));
    const loaded = await loadDataset(page, good, 'good.zip');
    assert.equal(loaded.error, undefined, loaded.error);
    await page.evaluate(() => window.cnnlab.configure({model: 'mlp-small', epochs: 1, batch: 8}));
    const kept = await trainToEnd(page);
    const historyBefore = JSON.stringify(await page.evaluate(() => window.cnnlab.history()));

    const png = huePng(HUES.red, 8, 8, false, 1);
    const zipOf = (files) => Buffer.from(zipSync(Object.fromEntries(
        Object.entries(files).map(([k, v]) => [k, v ? new Uint8Array(v) : new Uint8Array(0)]))));
    const twoClasses = {'toys/car/0.png': png, 'toys/car/1.png': png, 'toys/car/2.png': png,
                        'toys/doll/0.png': png, 'toys/doll/1.png': png, 'toys/doll/2.png': png};
    // A zip whose directory declares entry 0 expands to `size` bytes (a bomb's directory).
    const declaring = (size) => {
      const z = Buffer.from(zipOf(twoClasses));
      const cd = z.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      z.writeUInt32LE(size, cd + 24);
      return z;
    };
    // A tar of n empty files f/0, f/1, ..., written in the page (its 100 MB would take long to
    // cross from here) and loaded there: {error}. (A tar, not a zip: a zip of more than 65,535
    // entries needs zip64 records, which fflate's zipSync does not write.)
    const manyFiles = (n) => page.evaluate(async (n) => {
      const tar = new Uint8Array((n + 2) * 512);
      const ascii = (h, offset, text) => { for (let i = 0; i < text.length; ++i) h[offset + i] = text.charCodeAt(i); };
      for (let i = 0; i < n; ++i) {
        const h = tar.subarray(i * 512, (i + 1) * 512);
        ascii(h, 0, `f/${i}`);
        ascii(h, 100, '0000644');
        ascii(h, 108, '0000000');
        ascii(h, 116, '0000000');
        ascii(h, 124, '00000000000');
        ascii(h, 136, '00000000000');
        ascii(h, 148, '        ');
        h[156] = 48;  // '0'
        ascii(h, 257, 'ustar');
        ascii(h, 263, '00');
        let sum = 0;
        for (const b of h) sum += b;
        ascii(h, 148, sum.toString(8).padStart(6, '0'));
        h[154] = 0;
      }
      try {
        await window.cnnlab.loadDataset(tar, 'many.tar');
        return {error: undefined};
      } catch (e) {
        return {error: e.message};
      }
    }, n);
    const classes = (n) => {
      const files = {};
      for (let c = 0; c < n; ++c) for (let i = 0; i < 3; ++i) files[`k${100 + c}/${i}.png`] = png;
      return zipOf(files);
    };
    const targz = deflateSync(writeTar({'a/0.png': png}));  // raw zlib, not gzip: another format
    const bad = [
      ['cut.zip', good.subarray(0, good.length >> 1), /^cut\.zip: not a readable \.zip archive/],
      // Cut inside the second image's bytes (each header and each small PNG take 512 bytes).
      ['cut.tar', writeTar(twoClasses).subarray(0, 3 * 512 + 40), /^cut\.tar: truncated tar archive/],
      ['bomb.zip', declaring(524288001 - 5 * png.length),
       /^bomb\.zip: expands to 524288001 bytes, more than the 500 MB \(524288000 bytes\)/],
      ['many.tar', 200001, /^many\.tar: holds 200001 files, more than the 200000/],
      ['notes.zip', zipOf({...twoClasses, 'toys/car/notes.txt': Buffer.from('hi')}),
       /^toys\/car\/notes\.txt \(in notes\.zip\): is not an image/],
      ['empty-class.zip', zipOf({...twoClasses, 'toys/robot/': null}),
       /^toys\/robot\/ \(in empty-class\.zip\): class folder 'robot' has no images/],
      ['cats.zip', zipOf({'cats/0.png': png, 'cats/1.png': png, 'cats/2.png': png}),
       /only one class \('cats'\): a classifier needs at least 2/],
      ['k101.zip', classes(101), /101 class folders, more than the 100/],
      ['broken.png.zip', zipOf({...twoClasses, 'toys/doll/bad.png': Buffer.from('not a png')}),
       /^toys\/doll\/bad\.png \(in broken\.png\.zip\): .*PNG or JPEG/],
      ['data.bin', targz, /^data\.bin: neither a readable archive nor a pack/],
      ['photo.zip', png, /^photo\.zip: a single photo, not a dataset/],
    ];
    for (const [name, bytes, why] of bad) {
      const r = typeof bytes === 'number' ? await manyFiles(bytes) : await loadDataset(page, bytes, name);
      assert.match(r.error || '', why, name);
      const s = await labState(page);
      assert.equal(s.files.noticeError, true, name);
      assert.equal(s.files.notice, r.error, name);
      assert.equal(s.dataset.name, kept.dataset.name, `${name}: the dataset stays`);
      assert.equal(s.dataset.test, kept.dataset.test, name);
      assert.equal(s.testAcc, kept.testAcc, `${name}: the trained run stays`);
    }
    // At the limits: 200,000 files and exactly 500 MB declared pass the limit checks (then these
    // hand-made archives are refused for what they are, not for their size).
    const atFiles = await manyFiles(200000);
    assert.match(atFiles.error, /^f\/0 \(in many\.tar\): is not an image/);
    const atBytes = await loadDataset(page, declaring(524288000 - 5 * png.length), 'bomb.zip');
    assert.doesNotMatch(atBytes.error, /500 MB/);
    assert.match(atBytes.error, /^toys\/car\/0\.png \(in bomb\.zip\): a corrupt \.zip entry/);

    // A 2 GB file dropped onto the lab (sparse on disk: nothing is written) is refused from its
    // size, before a byte of it is read.
    const hugePath = path.join(tmp, 'huge.zip');
    const fd = openSync(hugePath, 'w');
    ftruncateSync(fd, 2 * 1024 * 1024 * 1024);
    closeSync(fd);
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'file';
      input.id = 'owndata-huge';
      document.body.appendChild(input);
    });
    await page.setInputFiles('#owndata-huge', hugePath);
    await page.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(document.getElementById('owndata-huge').files[0]);
      document.querySelector('canvas.cnnlab-canvas').dispatchEvent(
          new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));
    });
    await page.waitForFunction(() => /huge\.zip/.test(window.cnnlab.state().files.notice || ''),
                               null, {timeout: 30000});
    const huge = await labState(page);
    assert.equal(huge.files.notice,
                 'huge.zip: 2147483648 bytes, larger than the 500 MB (524288000 bytes) an uploaded dataset may be');
    assert.equal(huge.dataset.name, kept.dataset.name);
    // A screen reader hears it too: the text view's live region says the notice.
    await page.waitForFunction(() => /huge\.zip: 2147483648 bytes/.test(document.querySelector(
        '.cnnlab [role="status"].cnnlab-announcement').textContent), null, {timeout: 15000});
    assert.equal(JSON.stringify(await page.evaluate(() => window.cnnlab.history())), historyBefore);
    await frames(page, 8);
    await saveScreenshot(page, 'owndata-refused-1280.png');

    // The File menu offers it (and its input sizes).
    const ui = (await labState(page)).ui;
    const fileMenu = ui.tabs.find((t) => t.bar === 'menu' && t.name === 'File');
    await page.mouse.click((fileMenu.x + fileMenu.w / 2) / ui.scale, (fileMenu.y + fileMenu.h / 2) / ui.scale);
    await frames(page, 6);
    assert.equal((await labState(page)).ui.openMenu, 'File');
    await saveScreenshot(page, 'owndata-file-menu-1280.png');
    await page.keyboard.press('Escape');
    await frames(page, 4);
    // A phone's width shows the notice whole, and the File menu within the screen.
    await page.setViewportSize({width: 390, height: 844});
    await frames(page, 8);
    await saveScreenshot(page, 'owndata-refused-390.png');
    const narrow = (await labState(page)).ui;
    const narrowFile = narrow.tabs.find((t) => t.bar === 'menu' && t.name === 'File');
    await page.mouse.click((narrowFile.x + narrowFile.w / 2) / narrow.scale,
                           (narrowFile.y + narrowFile.h / 2) / narrow.scale);
    await frames(page, 6);
    assert.equal((await labState(page)).ui.openMenu, 'File');
    await saveScreenshot(page, 'owndata-file-menu-390.png');
    await page.keyboard.press('Escape');
  } finally {
    rmSync(tmp, {recursive: true, force: true});
    await context.close();
  }
});

test('the iframe bridge loads a dataset: loadDataset replies loaded with the state, or an error naming the file', {timeout: 300000}, async () => {
  const {context, page, errors} = await newPage(browser, {width: 1100, height: 800});
  try {
    // A host page with the lab in an iframe that accepts messages from any origin.
    await page.setContent(`<iframe id="lab" width="1000" height="700"
        src="${siteUrl}index.html?embed=1&origin=*"></iframe>
      <script>
        window.replies = [];
        window.addEventListener('message', (e) => window.replies.push(e.data));
      </script>`);
    await page.waitForFunction(() => window.replies.some((m) => m.type === 'ready'), null,
                               {timeout: 240000});
    const labFrame = page.frames().find((f) => f.url().startsWith(siteUrl));
    const tree = await colourTree(labFrame, '');
    const zip = Buffer.from(zipSync(Object.fromEntries(
        Object.entries(tree).map(([k, v]) => [k, new Uint8Array(v)]))));
    const send = (id, b64, name) => page.evaluate(({id, b64, name}) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      document.getElementById('lab').contentWindow.postMessage(
          {type: 'loadDataset', id, bytes: bytes.buffer, name}, '*', [bytes.buffer]);
    }, {id, b64, name});
    const reply = (id) => page.waitForFunction((id) => window.replies.find((m) => m.id === id),
                                               id, {timeout: 120000}).then((h) => h.jsonValue());
    await send(1, zip.toString('base64'), 'framed.zip');
    const loaded = await reply(1);
    assert.equal(loaded.type, 'loaded');
    assert.equal(loaded.state.dataset.name, 'framed');
    assert.equal(loaded.state.dataset.test, 6);
    await send(2, zip.subarray(0, 100).toString('base64'), 'half.zip');
    const refused = await reply(2);
    assert.equal(refused.type, 'error');
    assert.match(refused.message, /^half\.zip: not a readable \.zip archive/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('class folders dropped at once become one dataset (the folder walk of dataset-archive.js)', {timeout: 300000}, async () => {
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    await openLab(page, {timeout: 240000});
    // The folders as the browser hands them over (FileSystemDirectoryEntry / FileSystemFileEntry:
    // isDirectory, fullPath, createReader().readEntries in batches, file()); a drop event cannot
    // carry real folders in a test, so these stand in for them, over PNGs written here.
    const pngs = {};
    for (const name of ['red', 'blue']) {
      for (let i = 0; i < 5; ++i) pngs[`${name}/${i}.png`] = huePng(HUES[name], 20 + i, 20, false, i).toString('base64');
    }
    const result = await page.evaluate(async (pngs) => {
      const {droppedFoldersToTar} = await import('/page/dataset-archive.js');
      const fileEntry = (path, b64) => ({
        isDirectory: false, isFile: true, name: path.split('/').pop(), fullPath: `/${path}`,
        file: (resolve) => resolve(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))],
                                            path.split('/').pop())),
      });
      const folder = (name) => {
        const children = Object.entries(pngs).filter(([p]) => p.startsWith(`${name}/`))
            .map(([p, b64]) => fileEntry(p, b64));
        return {isDirectory: true, isFile: false, name, fullPath: `/${name}`, createReader() {
          let batches = [children.slice(0, 3), children.slice(3), []];  // as browsers batch them
          return {readEntries: (resolve) => resolve(batches.shift())};
        }};
      };
      const tar = await droppedFoldersToTar([folder('red'), folder('blue')]);
      try {
        const state = await window.cnnlab.loadDataset(tar, 'my-dataset');
        return {dataset: state.dataset};
      } catch (e) {
        return {error: e.message};
      }
    }, pngs);
    assert.equal(result.error, undefined, result.error);
    assert.deepEqual(result.dataset.classNames, ['blue', 'red']);
    assert.equal(result.dataset.name, 'my-dataset');
    assert.equal(result.dataset.test, 2);  // round(0.2 x 5) of each
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
